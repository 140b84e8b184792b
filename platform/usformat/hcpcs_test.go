package usformat_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestNormalizeHCPCS(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"E0601", "E0601", true}, // CPAP device
		{"e0601", "E0601", true},
		{" K0001\t", "K0001", true}, // standard wheelchair
		{"A0000", "A0000", true},
		{"v5010", "V5010", true}, // V, the last letter Level II uses
		{"E1390", "E1390", true},

		{"", "", false},
		{"W1234", "", false}, // W to Z are not Level II letters
		{"Z1234", "", false},
		{"99213", "", false},  // a CPT (Level I) code
		{"E060", "", false},   // too short
		{"E06011", "", false}, // too long
		{"E 0601", "", false},
		{"E-0601", "", false},
		{"EO601", "", false}, // letter O for zero
		{"E060A", "", false},
		{"EE601", "", false},
		{"Ｅ0601", "", false}, // full-width letter
		{"E０601", "", false}, // full-width digit
		{"E0601\x00", "", false},
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizeHCPCS(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeHCPCS(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestValidHCPCS(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"E0601", true},
		{"A4253", true},
		{"V2020", true},
		{"e0601", false}, // stored values are upper-case
		{" E0601", false},
		{"E0601 ", false},
		{"W0601", false},
		{"06010", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := usformat.ValidHCPCS(tt.in); got != tt.want {
			t.Errorf("ValidHCPCS(%q) = %t, want %t", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeHCPCSModifier(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"RR", "RR", true},
		{"rr", "RR", true},
		{" kx ", "KX", true},
		{"Kh", "KH", true},
		{"59", "59", true},
		{"Q0", "Q0", true},

		{"", "", false},
		{"R", "", false},
		{"RRR", "", false},
		{"R R", "", false},
		{"R-", "", false},
		{"-RR", "", false},
		{"ＲＲ", "", false}, // full-width letters
		{"ſs", "", false}, // long s must not upper-case to S
		{"R\x00", "", false},
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizeHCPCSModifier(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeHCPCSModifier(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestValidHCPCSModifier(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"RR", true},
		{"KX", true},
		{"59", true},
		{"rr", false},
		{" RR", false},
		{"R", false},
		{"RRR", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := usformat.ValidHCPCSModifier(tt.in); got != tt.want {
			t.Errorf("ValidHCPCSModifier(%q) = %t, want %t", tt.in, got, tt.want)
		}
	}
}

func TestParseHCPCSModifiers(t *testing.T) {
	testParseList(t, "ParseHCPCSModifiers", usformat.ParseHCPCSModifiers, []listCase{
		{name: "none", in: nil, want: []string{}},
		{name: "one", in: []string{"nu"}, want: []string{"NU"}},
		{name: "capped rental month 1", in: []string{"RR", " kh", "KX"}, want: []string{"RR", "KH", "KX"}},
		{name: "four", in: []string{"RR", "KJ", "KX", "59"}, want: []string{"RR", "KJ", "KX", "59"}},

		{name: "five", in: []string{"RR", "KJ", "KX", "59", "GA"}, wantEntry: -1},
		{name: "five invalid ones", in: []string{"", "", "", "", ""}, wantEntry: -1},
		{name: "repeated", in: []string{"RR", "KH", "RR"}, wantEntry: 2},
		{name: "repeated after normalizing", in: []string{"RR", "rr "}, wantEntry: 1},
		{name: "empty entry", in: []string{"RR", ""}, wantEntry: 1},
		{name: "too long", in: []string{"RRR"}, wantEntry: 0},
		{name: "bad character", in: []string{"RR", "KX", "K-"}, wantEntry: 2},
		{name: "two in one entry", in: []string{"RR KH"}, wantEntry: 0},
	})
}

// TestParseHCPCSModifiersKeepsInput: the result is a new slice.
func TestParseHCPCSModifiersKeepsInput(t *testing.T) {
	in := []string{"rr", "kh"}
	if _, err := usformat.ParseHCPCSModifiers(in); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"rr", "kh"}, in); diff != "" {
		t.Errorf("ParseHCPCSModifiers changed its input (-want +got):\n%s", diff)
	}
}

// TestDMEModifiers pins the named modifiers to the letters CMS assigns:
// a typo here would bill every rental wrongly.
func TestDMEModifiers(t *testing.T) {
	got := map[string]string{
		"ModifierRental":                  usformat.ModifierRental,
		"ModifierNew":                     usformat.ModifierNew,
		"ModifierUsed":                    usformat.ModifierUsed,
		"ModifierCappedRentalMonth1":      usformat.ModifierCappedRentalMonth1,
		"ModifierCappedRentalMonths2To3":  usformat.ModifierCappedRentalMonths2To3,
		"ModifierCappedRentalMonths4To13": usformat.ModifierCappedRentalMonths4To13,
		"ModifierRequirementsMet":         usformat.ModifierRequirementsMet,
		"ModifierMaintenance":             usformat.ModifierMaintenance,
		"ModifierReplacement":             usformat.ModifierReplacement,
	}
	want := map[string]string{
		"ModifierRental":                  "RR",
		"ModifierNew":                     "NU",
		"ModifierUsed":                    "UE",
		"ModifierCappedRentalMonth1":      "KH",
		"ModifierCappedRentalMonths2To3":  "KI",
		"ModifierCappedRentalMonths4To13": "KJ",
		"ModifierRequirementsMet":         "KX",
		"ModifierMaintenance":             "MS",
		"ModifierReplacement":             "RA",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DME modifiers mismatch (-want +got):\n%s", diff)
	}
	for name, mod := range got {
		if !usformat.ValidHCPCSModifier(mod) {
			t.Errorf("%s = %q is not a valid modifier", name, mod)
		}
	}
}
