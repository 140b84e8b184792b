package usformat_test

import (
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestNormalizeZIP(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"30301", "30301", true},
		{"30301-1234", "30301-1234", true},
		{"303011234", "30301-1234", true},
		{" 30301 ", "30301", true},
		{"\t30301-1234\n", "30301-1234", true},
		{"00501", "00501", true},

		{"", "", false},
		{"3030", "", false},
		{"303010", "", false},
		{"30301-", "", false},
		{"30301-123", "", false},
		{"30301-12345", "", false},
		{"30301 1234", "", false},
		{"30301--1234", "", false},
		{"3030-11234", "", false},
		{"30301_1234", "", false},
		{"3030A", "", false},
		{"-30301", "", false},
		{"３０３０１", "", false},
		{"٣٠٣٠١", "", false},
		{"3 0301", "", false},
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizeZIP(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeZIP(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}
