package domain

import (
	"errors"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
)

func TestNormalizeSerial(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{" ab12-cd34 ", "AB12-CD34", true},
		{"J3X0012345", "J3X0012345", true},
		{strings.Repeat("9", MaxSerialNumber), strings.Repeat("9", MaxSerialNumber), true},
		{"", "", false},
		{"   ", "", false},
		{strings.Repeat("9", MaxSerialNumber+1), "", false},
		{"-AB12", "", false},
		{"AB12-", "", false},
		{"AB 12", "", false},
		{"AB_12", "", false},
		{"ÄB12", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeSerial(tt.raw)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeSerial(%q) = %q, %v; want %q, ok %v", tt.raw, got, err, tt.want, tt.ok)
		}
	}
}

func TestCompileSerialFormat(t *testing.T) {
	tests := []struct {
		name   string
		format SerialFormat
		fields []string
	}{
		{"pattern and scheme", SerialFormat{Pattern: `[A-Z]{3}[0-9]{7}`, CheckDigit: CheckDigitMod37_36}, nil},
		{"no rule at all", SerialFormat{}, nil},
		{"bad pattern", SerialFormat{Pattern: `[A-Z`}, []string{"pattern"}},
		{"long pattern", SerialFormat{Pattern: strings.Repeat("A", maxPattern+1)}, []string{"pattern"}},
		{"unknown scheme", SerialFormat{CheckDigit: "mod97"}, []string{"checkDigit"}},
		{"both", SerialFormat{Pattern: `(`, CheckDigit: "crc"}, []string{"pattern", "checkDigit"}},
	}
	for _, tt := range tests {
		_, err := CompileSerialFormat(tt.format)
		var got []string
		var e *errs.Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
			t.Errorf("%s: violations %v (%v), want %v", tt.name, got, err, tt.fields)
		}
	}
}

func mustRule(t testing.TB, f SerialFormat) *SerialRule {
	t.Helper()
	r, err := CompileSerialFormat(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSerialRuleCheck(t *testing.T) {
	pattern := mustRule(t, SerialFormat{Pattern: `[A-Z]{3}[0-9]{7}`})
	luhn := mustRule(t, SerialFormat{CheckDigit: CheckDigitLuhn})
	mod := mustRule(t, SerialFormat{Pattern: `[A-Z0-9]{6,12}`, CheckDigit: CheckDigitMod37_36})
	check, _ := Mod37_36CheckChar("RS2204")
	validMod := "RS2204" + string(check)
	tests := []struct {
		name   string
		rule   *SerialRule
		raw    string
		want   string
		reason string
	}{
		{"pattern match, lower case in", pattern, "abc1234567", "ABC1234567", ""},
		{"pattern is anchored", pattern, "XABC1234567", "", ReasonSerialPattern},
		{"pattern too short", pattern, "ABC123456", "", ReasonSerialPattern},
		{"luhn valid", luhn, "79927398713", "79927398713", ""},
		{"luhn wrong digit", luhn, "79927398710", "", ReasonSerialCheckDigit},
		{"luhn letters", luhn, "7992739871A", "", ReasonSerialCheckDigit},
		{"luhn one digit", luhn, "0", "", ReasonSerialCheckDigit},
		{"mod 37,36 valid", mod, strings.ToLower(validMod), validMod, ""},
		{"mod 37,36 wrong check", mod, "RS2204" + string(otherChar(check)), "", ReasonSerialCheckDigit},
		{"not a serial at all", mod, "RS 2204", "", "INVALID_ARGUMENT"},
	}
	for _, tt := range tests {
		got, err := tt.rule.Check(tt.raw)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("%s: Check(%q) = %q, %v; want %q", tt.name, tt.raw, got, err, tt.want)
			}
			continue
		}
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.KindInvalid || (tt.reason != "INVALID_ARGUMENT" && e.Reason != tt.reason) {
			t.Errorf("%s: Check(%q) = %q, %v; want INVALID_ARGUMENT %s", tt.name, tt.raw, got, err, tt.reason)
		}
	}
}

func otherChar(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

// TestMod37_36CatchesSingleErrors checks the scheme's promise on real-
// looking serials: every single substitution and every swap of two
// adjacent different characters turns a valid serial invalid.
func TestMod37_36CatchesSingleErrors(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for _, payload := range []string{"RS2204", "J3X0012345", "E0601AB", "ZZZZ", "000000001"} {
		c, ok := Mod37_36CheckChar(payload)
		if !ok {
			t.Fatalf("no check character for %q", payload)
		}
		valid := payload + string(c)
		if !validMod37_36(valid) {
			t.Fatalf("%q does not validate", valid)
		}
		for i := range len(valid) {
			for j := range len(alphabet) {
				if alphabet[j] == valid[i] {
					continue
				}
				typo := valid[:i] + string(alphabet[j]) + valid[i+1:]
				if validMod37_36(typo) {
					t.Errorf("substitution %q → %q passes", valid, typo)
				}
			}
			if i+1 < len(valid) && valid[i] != valid[i+1] {
				swapped := valid[:i] + string(valid[i+1]) + string(valid[i]) + valid[i+2:]
				if validMod37_36(swapped) {
					t.Errorf("transposition %q → %q passes", valid, swapped)
				}
			}
		}
	}
	if _, ok := Mod37_36CheckChar(""); ok {
		t.Error("a check character for nothing")
	}
	if _, ok := Mod37_36CheckChar("AB_1"); ok {
		t.Error("a check character for a payload with '_'")
	}
}

// FuzzSerialRuleCheck: whatever the input, Check never panics, and what it
// accepts is a normalized serial that checks again to itself.
func FuzzSerialRuleCheck(f *testing.F) {
	for _, s := range []string{"ABC1234567", "79927398713", " rs2204x ", "", "-", "A-B", "ÄÖ", strings.Repeat("Z", 41)} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(2))
	}
	rules := []*SerialRule{
		mustRule(f, SerialFormat{Pattern: `[A-Z]{3}[0-9]{7}`}),
		mustRule(f, SerialFormat{CheckDigit: CheckDigitLuhn}),
		mustRule(f, SerialFormat{CheckDigit: CheckDigitMod37_36}),
	}
	f.Fuzz(func(t *testing.T, raw string, which uint8) {
		r := rules[int(which)%len(rules)]
		got, err := r.Check(raw)
		if err != nil {
			return
		}
		if again, err := r.Check(got); err != nil || again != got {
			t.Fatalf("Check(%q) = %q, but that checks to %q, %v", raw, got, again, err)
		}
		if got != strings.ToUpper(strings.TrimSpace(raw)) {
			t.Fatalf("Check(%q) = %q: not the trimmed upper-case input", raw, got)
		}
	})
}

// FuzzMod37_36: a payload with its computed check character always
// validates, and changing the check character never does.
func FuzzMod37_36(f *testing.F) {
	for _, s := range []string{"RS2204", "A", "0", "J3X-001", "ZZZZZZZZZZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		c, ok := Mod37_36CheckChar(payload)
		if !ok {
			return
		}
		if !validMod37_36(payload + string(c)) {
			t.Fatalf("%q with its check character %q does not validate", payload, c)
		}
		if validMod37_36(payload + string(otherChar(c))) {
			t.Fatalf("%q with a wrong check character validates", payload)
		}
	})
}
