package usformat_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestParseMBI(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when the input must be rejected
		// wantPos is the Position the error must name: 1-11 for a
		// character that does not fit, 0 for a wrong length or dashes.
		wantPos int
	}{
		{in: "1EG4TE5MK73", want: "1EG4TE5MK73"},
		{in: "1EG4-TE5-MK73", want: "1EG4TE5MK73"},
		{in: "1eg4te5mk73", want: "1EG4TE5MK73"},
		{in: "1eg4-te5-mk73", want: "1EG4TE5MK73"},
		{in: "1Eg4-tE5-Mk73", want: "1EG4TE5MK73"},
		{in: "  1EG4-TE5-MK73\t\n", want: "1EG4TE5MK73"},
		{in: "9AA0A00AA00", want: "9AA0A00AA00"}, // letters in both AN positions
		{in: "1A90A90AA99", want: "1A90A90AA99"}, // digits in both AN positions
		{in: "5YY9YY9YY99", want: "5YY9YY9YY99"}, // Y, the last letter allowed
		{in: "2cd4-fg5-hj01", want: "2CD4FG5HJ01"},

		// Each letter CMS leaves out, in an A position and in an AN one.
		{in: "1SG4TE5MK73", wantPos: 2},
		{in: "1EG4LE5MK73", wantPos: 5},
		{in: "1EG4TE5OK73", wantPos: 8},
		{in: "1EG4TE5MI73", wantPos: 9},
		{in: "1BG4TE5MK73", wantPos: 2},
		{in: "1EG4ZE5MK73", wantPos: 5},
		{in: "1ES4TE5MK73", wantPos: 3},
		{in: "1EG4TL5MK73", wantPos: 6},
		{in: "1EO4TE5MK73", wantPos: 3},
		{in: "1EG4TI5MK73", wantPos: 6},
		{in: "1EB4TE5MK73", wantPos: 3},
		{in: "1EG4TE5MZ73", wantPos: 9},
		{in: "1sg4te5mk73", wantPos: 2}, // lower-case s is still S
		{in: "1eg4-te5-ml73", wantPos: 9},

		// Digits and letters out of place.
		{in: "0EG4TE5MK73", wantPos: 1}, // position 1 is 1-9
		{in: "AEG4TE5MK73", wantPos: 1},
		{in: "11G4TE5MK73", wantPos: 2},
		{in: "1EGGTE5MK73", wantPos: 4},
		{in: "2CDE-FGH-JK01", wantPos: 4},
		{in: "1EG45E5MK73", wantPos: 5},
		{in: "1EG4TEEMK73", wantPos: 7},
		{in: "1EG4TE55K73", wantPos: 8},
		{in: "1EG4TE5M373", wantPos: 9},
		{in: "1EG4TE5MKA3", wantPos: 10},
		{in: "1EG4TE5MK7A", wantPos: 11},
		{in: "1EG4TE5MK7O", wantPos: 11}, // letter O for zero
		{in: "1EG4TE5MK7３", wantPos: 0},  // full-width digit: too many bytes
		{in: "1EG4 TE5 MK73", wantPos: 0},
		{in: "1EG4TE5MK7\x00", wantPos: 11},
		{in: "1EG4TE5MK7\u212a", wantPos: 0}, // Kelvin sign, not K

		// Length and dashes.
		{in: "", wantPos: 0},
		{in: "1EG4TE5MK7", wantPos: 0},
		{in: "1EG4TE5MK733", wantPos: 0},
		{in: "1EG4-TE5MK73", wantPos: 0},  // one dash
		{in: "1EG-4TE5-MK73", wantPos: 0}, // dash in the wrong place
		{in: "1EG4-TE5-MK7-3", wantPos: 0},
		{in: "1EG4--TE5MK73", wantPos: 0},
		{in: "-1EG4TE5MK73", wantPos: 0},
		{in: "1EG4–TE5–MK73", wantPos: 0}, // en dashes
		{in: "1EG4-TE5-MK-3", wantPos: 10},
	}
	for _, tt := range tests {
		got, err := usformat.ParseMBI(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseMBI(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var fe *usformat.FormatError
		if !errors.As(err, &fe) {
			t.Errorf("ParseMBI(%q) = %q, %v; want a *FormatError", tt.in, got, err)
			continue
		}
		if got != "" || fe.Position != tt.wantPos || fe.Entry != -1 || fe.Description == "" {
			t.Errorf("ParseMBI(%q) = %q, %+v; want position %d", tt.in, got, *fe, tt.wantPos)
		}
	}
}

// TestParseMBIExcludedLetters puts each letter CMS never uses in every
// position that takes a letter, in both cases.
func TestParseMBIExcludedLetters(t *testing.T) {
	const valid = "1EG4TE5MK73"
	letterPositions := []int{2, 3, 5, 6, 8, 9} // A and AN positions, 1-based
	for _, c := range "SLOIBZsloibz" {
		for _, pos := range letterPositions {
			in := valid[:pos-1] + string(c) + valid[pos:]
			_, err := usformat.ParseMBI(in)
			var fe *usformat.FormatError
			if !errors.As(err, &fe) || fe.Position != pos {
				t.Errorf("ParseMBI(%q) error = %v; want one naming position %d", in, err, pos)
			}
			if usformat.ValidMBI(strings.ToUpper(in)) {
				t.Errorf("ValidMBI(%q) = true", strings.ToUpper(in))
			}
		}
	}
}

// TestParseMBIErrorDoesNotRepeatInput: an MBI is protected health
// information, and error messages reach logs.
func TestParseMBIErrorDoesNotRepeatInput(t *testing.T) {
	for _, in := range []string{"2AB5CD6EF78", "2AC5-CD6-EF7", "3QQ9QQ9QQ9Q", "7RT5RT5RT55X"} {
		_, err := usformat.ParseMBI(in)
		if err == nil {
			t.Fatalf("ParseMBI(%q) accepted", in)
		}
		for _, part := range []string{in, strings.ReplaceAll(in, "-", ""), in[:4]} {
			if strings.Contains(err.Error(), part) {
				t.Errorf("ParseMBI(%q) error %q repeats %q", in, err, part)
			}
		}
	}
}

func TestNormalizeMBI(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"1eg4-te5-mk73", "1EG4TE5MK73", true},
		{"1EG4TE5MK73", "1EG4TE5MK73", true},
		{"1EG4TE5MK7S", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizeMBI(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeMBI(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestValidMBI(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1EG4TE5MK73", true},
		{"9AA0A00AA00", true},
		{"1A90A90AA99", true},

		{"1eg4te5mk73", false},   // stored values are upper-case
		{"1EG4-TE5-MK73", false}, // and have no dashes
		{" 1EG4TE5MK73", false},  // and are not trimmed here
		{"1EG4TE5MK73 ", false},
		{"1SG4TE5MK73", false},
		{"0EG4TE5MK73", false},
		{"1EG4TE5MK7", false},
		{"1EG4TE5MK733", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := usformat.ValidMBI(tt.in); got != tt.want {
			t.Errorf("ValidMBI(%q) = %t, want %t", tt.in, got, tt.want)
		}
	}
}
