package usformat_test

import (
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestValidTaxonomy(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"332B00000X", true}, // DME supplier
		{"207Q00000X", true}, // family medicine
		{"1223G0001X", true}, // general practice dentistry
		{"3336C0003X", true}, // community/retail pharmacy
		{"2084N0400X", true},
		{"0000000000", false},
		{"332B00000x", false}, // lower-case X
		{"332b00000X", false}, // lower-case letter
		{"A32B00000X", false}, // letter in the first three
		{"33BB00000X", false},
		{"332B0000X", false}, // too short
		{"332B000000X", false},
		{"332B00000Y", false},
		{" 332B00000X", false},
		{"332B00000X ", false},
		{"332-B0000X", false},
		{"３３２B00000X", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := usformat.ValidTaxonomy(tt.in); got != tt.want {
			t.Errorf("ValidTaxonomy(%q) = %t, want %t", tt.in, got, tt.want)
		}
	}
}
