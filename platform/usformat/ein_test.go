package usformat_test

import (
	"fmt"
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestNormalizeEIN(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"12-3456789", "123456789", true},
		{"123456789", "123456789", true},
		{" 12-3456789 ", "123456789", true},
		{"01-0000000", "010000000", true},
		{"99-9999999", "999999999", true},
		{"95-1234567", "951234567", true},

		{"", "", false},
		{"00-0000000", "", false},
		{"000000000", "", false},
		{"12345678", "", false},
		{"1234567890", "", false},
		{"123-456789", "", false},  // dash in the wrong place
		{"12-345-6789", "", false}, // two dashes
		{"12 3456789", "", false},  // space for dash
		{"12–3456789", "", false},  // en dash
		{"-123456789", "", false},  // leading dash
		{"12-34567a9", "", false},  // letter
		{"１２-３４５６７８９", "", false},  // full-width digits
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizeEIN(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeEIN(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestNormalizeEINPrefixes(t *testing.T) {
	invalid := map[int]bool{0: true, 7: true, 8: true, 9: true, 17: true, 18: true, 19: true, 28: true, 29: true,
		49: true, 69: true, 70: true, 78: true, 79: true, 89: true, 96: true, 97: true}
	for p := range 100 {
		in := fmt.Sprintf("%02d-1234567", p)
		_, ok := usformat.NormalizeEIN(in)
		if ok == invalid[p] {
			t.Errorf("NormalizeEIN(%q) ok = %t, want %t", in, ok, !invalid[p])
		}
	}
}
