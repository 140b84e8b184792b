package usformat_test

import (
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestValidNPI(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1234567893", true},
		{"1000000004", true},
		{"1999999992", true},
		{"2000000002", true},
		{"2453195994", true},
		{"1111111112", true},

		{"1234567890", false},    // wrong check digit
		{"1234567894", false},    // off by one
		{"2134567893", false},    // transposed digits change the check
		{"9876543213", false},    // check digit right, but first digit not 1 or 2
		{"0000000000", false},    // first digit 0
		{"3000000001", false},    // first digit 3
		{"123456789", false},     // 9 digits
		{"12345678930", false},   // 11 digits
		{"", false},              // empty
		{" 1234567893", false},   // not trimmed: Valid* takes stored values
		{"1234567893 ", false},   // trailing space
		{"123456789O", false},    // letter O for zero
		{"12345-67893", false},   // dash
		{"１２３４５６７８９３", false},    // full-width digits
		{"١٢٣٤٥٦٧٨٩٣", false},    // Arabic-Indic digits
		{"123456789\x00", false}, // NUL
		{"+234567893", false},    // sign
	}
	for _, tt := range tests {
		if got := usformat.ValidNPI(tt.in); got != tt.want {
			t.Errorf("ValidNPI(%q) = %t, want %t", tt.in, got, tt.want)
		}
	}
}

func TestNPICheckDigit(t *testing.T) {
	tests := []struct {
		first9  string
		want    byte
		wantErr bool
	}{
		{first9: "123456789", want: '3'},
		{first9: "100000000", want: '4'},
		{first9: "245319599", want: '4'},
		{first9: "987654321", want: '3'},
		{first9: "12345678", wantErr: true},
		{first9: "1234567890", wantErr: true},
		{first9: "12345678a", wantErr: true},
		{first9: "", wantErr: true},
		{first9: "１２３４５６７８９", wantErr: true},
	}
	for _, tt := range tests {
		got, err := usformat.NPICheckDigit(tt.first9)
		if tt.wantErr {
			if err == nil {
				t.Errorf("NPICheckDigit(%q) = %q, want an error", tt.first9, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NPICheckDigit(%q) = %q, %v; want %q", tt.first9, got, err, tt.want)
		}
		if npi := tt.first9 + string(got); (tt.first9[0] == '1' || tt.first9[0] == '2') && !usformat.ValidNPI(npi) {
			t.Errorf("ValidNPI(%q) = false for a number completed by NPICheckDigit", npi)
		}
	}
}
