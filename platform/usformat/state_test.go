package usformat_test

import (
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestNormalizeState(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"GA", "GA", true},
		{"ga", "GA", true},
		{"Ga", "GA", true},
		{"  ny\t", "NY", true},
		{"DC", "DC", true},
		{"pr", "PR", true},
		{"VI", "VI", true},
		{"FM", "FM", true},
		{"AE", "AE", true},
		{"ap", "AP", true},
		{"WY", "WY", true},

		{"", "", false},
		{"  ", "", false},
		{"G", "", false},
		{"GAA", "", false},
		{"Georgia", "", false},
		{"ZZ", "", false},
		{"UM", "", false}, // minor outlying islands: no USPS delivery
		{"CZ", "", false}, // Canal Zone, retired
		{"ON", "", false}, // a Canadian province
		{"G A", "", false},
		{"ſc", "", false}, // long s must not upper-case to S
		{"ＧＡ", "", false}, // full-width letters
		{"G\x00", "", false},
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizeState(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeState(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestNormalizeStateAcceptsExactly62Codes(t *testing.T) {
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if _, ok := usformat.NormalizeState(string([]rune{a, b})); ok {
				n++
			}
		}
	}
	// 50 states + DC + 8 territories and freely associated states + 3 military.
	if want := 50 + 1 + 8 + 3; n != want {
		t.Errorf("NormalizeState accepts %d codes, want %d", n, want)
	}
}
