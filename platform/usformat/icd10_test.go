package usformat_test

import (
	"fmt"
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestNormalizeICD10(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"E11.9", "E119", true},
		{"e11.9", "E119", true},
		{"E119", "E119", true},
		{"J44.1", "J441", true},
		{"Z99.81", "Z9981", true},
		{"z99.81", "Z9981", true},
		{"I10", "I10", true},          // a category with no subdivision
		{"S72.001A", "S72001A", true}, // seven characters with the extension
		{"s72001a", "S72001A", true},
		{"M1A.0110", "M1A0110", true}, // letter in the third position
		{"U07.1", "U071", true},
		{" G47.33\t", "G4733", true},

		{"", "", false},
		{"E", "", false},
		{"E1", "", false},
		{"E11.", "", false},       // dot with nothing after it
		{"E1.19", "", false},      // dot after the second character
		{"E119.1", "", false},     // dot after the fourth
		{".E119", "", false},      // leading dot
		{"E11..9", "", false},     // two dots
		{"E11.9.", "", false},     // trailing dot
		{"E11.9.1", "", false},    // second dot
		{"E11.91234", "", false},  // five after the dot
		{"E1191234", "", false},   // eight characters
		{"11.9", "", false},       // no letter first
		{"EE1.9", "", false},      // letter second
		{"E11 9", "", false},      // space for dot
		{"E11-9", "", false},      // dash for dot
		{"E11,9", "", false},      // comma for dot
		{"E 11.9", "", false},     // space inside
		{"Ｅ11.9", "", false},      // full-width letter
		{"E１1.9", "", false},      // full-width digit
		{"E11.9\x00", "", false},  // NUL
		{"E11.ı", "", false},      // dotless i must not upper-case to I
		{"E11\u22c59", "", false}, // dot operator, not a full stop
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizeICD10(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeICD10(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestValidICD10(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"E119", true},
		{"I10", true},
		{"Z9981", true},
		{"S72001A", true},

		{"E11.9", false}, // stored values have no dot
		{"e119", false},  // and are upper-case
		{" E119", false},
		{"E119 ", false},
		{"E1", false},
		{"E1191234", false},
		{"1E19", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := usformat.ValidICD10(tt.in); got != tt.want {
			t.Errorf("ValidICD10(%q) = %t, want %t", tt.in, got, tt.want)
		}
	}
}

func TestFormatICD10(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"E119", "E11.9"},
		{"J441", "J44.1"},
		{"Z9981", "Z99.81"},
		{"S72001A", "S72.001A"},
		{"I10", "I10"}, // no dot after a bare category

		// Not stored codes: shown as they are.
		{"E11.9", "E11.9"},
		{"e119", "e119"},
		{"E1", "E1"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := usformat.FormatICD10(tt.in); got != tt.want {
			t.Errorf("FormatICD10(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDiagnoses(t *testing.T) {
	twelve := make([]string, usformat.MaxDiagnoses)
	for i := range twelve {
		twelve[i] = fmt.Sprintf("E11.%d", i%10) // E11.0 to E11.9; the last two are replaced below
	}
	twelve[10], twelve[11] = "J44.1", "Z99.81"
	testParseList(t, "ParseDiagnoses", usformat.ParseDiagnoses, []listCase{
		{name: "none", in: nil, want: []string{}},
		{name: "one", in: []string{"e11.9"}, want: []string{"E119"}},
		{name: "mixed spellings", in: []string{"J44.1", " z9981", "G47.33"}, want: []string{"J441", "Z9981", "G4733"}},
		{name: "twelve", in: twelve, want: []string{
			"E110", "E111", "E112", "E113", "E114", "E115", "E116", "E117", "E118", "E119", "J441", "Z9981"}},

		{name: "thirteen", in: append(append([]string{}, twelve...), "I10"), wantEntry: -1},
		{name: "repeated", in: []string{"E11.9", "J44.1", "E11.9"}, wantEntry: 2},
		{name: "repeated after normalizing", in: []string{"E11.9", "e119"}, wantEntry: 1},
		{name: "empty entry", in: []string{"E11.9", ""}, wantEntry: 1},
		{name: "dot misplaced", in: []string{"E1.19"}, wantEntry: 0},
		{name: "two in one entry", in: []string{"E11.9 J44.1"}, wantEntry: 0},
	})
}
