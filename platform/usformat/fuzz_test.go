package usformat_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

var npiShape = regexp.MustCompile(`^[12][0-9]{9}$`)

// referenceNPI is a slow, independent ValidNPI: a regular expression for
// the shape and the textbook Luhn test (the whole number, check digit
// included, sums to a multiple of 10) over the "80840" prefix.
func referenceNPI(s string) bool {
	if !npiShape.MatchString(s) {
		return false
	}
	full := "80840" + s
	sum := 0
	for i := range len(full) {
		d := int(full[len(full)-1-i] - '0')
		if i%2 == 1 {
			d = [...]int{0, 2, 4, 6, 8, 1, 3, 5, 7, 9}[d]
		}
		sum += d
	}
	return sum%10 == 0
}

func FuzzValidNPI(f *testing.F) {
	for _, seed := range []string{
		"1234567893", "1234567890", "2000000002", "9876543213", "0000000000", "",
		"123456789", "12345678930", " 1234567893", "１２３４５６７８９３", "123456789\x00", "1ABCDEFGH3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := usformat.ValidNPI(s)
		if want := referenceNPI(s); got != want {
			t.Fatalf("ValidNPI(%q) = %t, reference says %t", s, got, want)
		}
		if len(s) != 10 {
			return
		}
		check, err := usformat.NPICheckDigit(s[:9])
		if err != nil {
			if got {
				t.Fatalf("ValidNPI(%q) = true but NPICheckDigit(%q) fails: %v", s, s[:9], err)
			}
			return
		}
		if completed := s[:9] + string(check); referenceNPI(completed) != (s[0] == '1' || s[0] == '2') {
			t.Fatalf("NPICheckDigit(%q) = %q, but the reference rejects %q", s[:9], check, completed)
		}
	})
}

// checkNormalized holds every Normalize* function to its contract for one
// input: on failure it returns "", and on success a canonical value that it
// returns unchanged when given back. It reports whether in was accepted.
func checkNormalized(t *testing.T, name string, normalize func(string) (string, bool), in, got string, ok bool, canonical *regexp.Regexp) bool {
	t.Helper()
	if !ok {
		if got != "" {
			t.Fatalf("%s(%q) = %q with ok false", name, in, got)
		}
		return false
	}
	if !canonical.MatchString(got) {
		t.Fatalf("%s(%q) = %q, not of the form %s", name, in, got, canonical)
	}
	if again, ok := normalize(got); !ok || again != got {
		t.Fatalf("%s(%q) = %q, %t; not idempotent", name, got, again, ok)
	}
	return true
}

func FuzzNormalizeZIP(f *testing.F) {
	for _, seed := range []string{
		"30301", "30301-1234", "303011234", " 30301 ", "", "3030", "30301-", "30301 1234",
		"３０３０１", "30301--1234", "\t00501\n",
	} {
		f.Add(seed)
	}
	input := regexp.MustCompile(`^[0-9]{5}(-?[0-9]{4})?$`)
	output := regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := usformat.NormalizeZIP(s)
		trimmed := strings.TrimSpace(s)
		if want := input.MatchString(trimmed); ok != want {
			t.Fatalf("NormalizeZIP(%q) ok = %t, want %t", s, ok, want)
		}
		if !checkNormalized(t, "NormalizeZIP", usformat.NormalizeZIP, s, got, ok, output) {
			return
		}
		if strings.ReplaceAll(got, "-", "") != strings.ReplaceAll(trimmed, "-", "") {
			t.Fatalf("NormalizeZIP(%q) = %q changed the digits", s, got)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, seed := range []string{
		"4045550123", "(404) 555-0123", "+1 404 555 0123", "1-404-555-0123", "404.555.0123",
		"", "0045550123", "4041550123", "+44 20 7946 0958", "+114045550123", "404-555-0123 x12",
		"４０４５５５０１２３", "++14045550123", "1404555012", "(((4045550123)))",
	} {
		f.Add(seed)
	}
	e164 := regexp.MustCompile(`^\+1[2-9][0-9]{2}[2-9][0-9]{6}$`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := usformat.NormalizePhone(s)
		if !checkNormalized(t, "NormalizePhone", usformat.NormalizePhone, s, got, ok, e164) {
			return
		}
		// Only formatting and the country code may be dropped: the input's
		// digits are the number's ten, optionally after a 1.
		digits := strings.Map(func(r rune) rune {
			if '0' <= r && r <= '9' {
				return r
			}
			return -1
		}, s)
		if national := got[2:]; digits != national && digits != "1"+national {
			t.Fatalf("NormalizePhone(%q) = %q, but the input's digits are %q", s, got, digits)
		}
		if again, ok := usformat.NormalizePhone(got); !ok || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, %t; not idempotent", got, again, ok)
		}
	})
}

func FuzzNormalizeEIN(f *testing.F) {
	for _, seed := range []string{
		"12-3456789", "123456789", " 12-3456789 ", "00-0000000", "07-1234567", "97-1234567",
		"", "123-456789", "12-345-6789", "１２-３４５６７８９", "12–3456789",
	} {
		f.Add(seed)
	}
	shape := regexp.MustCompile(`^([0-9]{2})-?([0-9]{7})$`)
	canonical := regexp.MustCompile(`^[0-9]{9}$`)
	invalid := map[string]bool{"00": true, "07": true, "08": true, "09": true, "17": true, "18": true,
		"19": true, "28": true, "29": true, "49": true, "69": true, "70": true, "78": true, "79": true,
		"89": true, "96": true, "97": true}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := usformat.NormalizeEIN(s)
		m := shape.FindStringSubmatch(strings.TrimSpace(s))
		want := ""
		if m != nil && !invalid[m[1]] {
			want = m[1] + m[2]
		}
		if got != want || ok != (want != "") {
			t.Fatalf("NormalizeEIN(%q) = %q, %t; want %q, %t", s, got, ok, want, want != "")
		}
		checkNormalized(t, "NormalizeEIN", usformat.NormalizeEIN, s, got, ok, canonical)
	})
}

// mbiPositions are the regular-expression classes of an MBI's 11
// positions, written out from the CMS layout independently of the
// package's table: letters are A-Z without S, L, O, I, B and Z.
var mbiPositions = [...]string{
	`[1-9]`, `[AC-HJKMNP-RT-Y]`, `[0-9AC-HJKMNP-RT-Y]`, `[0-9]`,
	`[AC-HJKMNP-RT-Y]`, `[0-9AC-HJKMNP-RT-Y]`, `[0-9]`,
	`[AC-HJKMNP-RT-Y]`, `[AC-HJKMNP-RT-Y]`, `[0-9]`, `[0-9]`,
}

// mbiPattern joins the position classes from..to-1, letting lower-case
// letters through when input is true. (?i) is not used because Go folds
// the Kelvin sign to k, and usformat upper-cases ASCII only.
func mbiPattern(from, to int, input bool) string {
	var b strings.Builder
	for _, class := range mbiPositions[from:to] {
		if input {
			class = strings.ReplaceAll(class, "AC-HJKMNP-RT-Y", "AC-HJKMNP-RT-Yac-hjkmnp-rt-y")
		}
		b.WriteString(class)
	}
	return b.String()
}

func FuzzParseMBI(f *testing.F) {
	for _, seed := range []string{
		"1EG4TE5MK73", "1EG4-TE5-MK73", "1eg4-te5-mk73", " 1EG4TE5MK73\n", "9AA0A00AA00",
		"", "1SG4TE5MK73", "1EG4TE5MZ73", "0EG4TE5MK73", "1EG4-TE5MK73", "1EG4--TE5MK73", "1EG4-TE5-MK-3",
		"1EG4TE5MK7３", "1EG4TE5MK7\u212a", "1ſG4TE5MK73", "1EG4TE5MK7\x00", "-----------",
		"1-A0-000-0000", // a stray dash besides the printed ones
	} {
		f.Add(seed)
	}
	canonical := regexp.MustCompile("^" + mbiPattern(0, 11, false) + "$")
	input := regexp.MustCompile("^" + mbiPattern(0, 11, true) + "$|^" +
		mbiPattern(0, 4, true) + "-" + mbiPattern(4, 7, true) + "-" + mbiPattern(7, 11, true) + "$")
	var position [len(mbiPositions)]*regexp.Regexp
	for i, class := range mbiPositions {
		position[i] = regexp.MustCompile("^" + class + "$")
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := usformat.ValidMBI(s); got != canonical.MatchString(s) {
			t.Fatalf("ValidMBI(%q) = %t, want %t", s, got, !got)
		}
		got, err := usformat.ParseMBI(s)
		trimmed := strings.TrimSpace(s)
		if want := input.MatchString(trimmed); (err == nil) != want {
			t.Fatalf("ParseMBI(%q) = %q, %v; want accepted %t", s, got, err, want)
		}
		// The identifier without the printed form's dashes, when those
		// dashes (if any) are where the card prints them; other dashes stay.
		dashless, shapeOK := trimmed, true
		if strings.Contains(trimmed, "-") {
			shapeOK = len(trimmed) == 13 && trimmed[4] == '-' && trimmed[8] == '-'
			if shapeOK {
				dashless = trimmed[:4] + trimmed[5:8] + trimmed[9:]
			}
		}
		shapeOK = shapeOK && len(dashless) == 11
		if err == nil {
			if want := strings.ToUpper(dashless); got != want {
				t.Fatalf("ParseMBI(%q) = %q, want %q", s, got, want)
			}
			if !usformat.ValidMBI(got) {
				t.Fatalf("ValidMBI(%q) = false for ParseMBI's output", got)
			}
			checkNormalized(t, "NormalizeMBI", usformat.NormalizeMBI, s, got, true, canonical)
			return
		}
		if got != "" {
			t.Fatalf("ParseMBI(%q) = %q with an error", s, got)
		}
		var fe *usformat.FormatError
		if !errors.As(err, &fe) || fe.Entry != -1 || fe.Description == "" {
			t.Fatalf("ParseMBI(%q) error = %#v, want a *FormatError about the whole value", s, err)
		}
		if (fe.Position == 0) != !shapeOK {
			t.Fatalf("ParseMBI(%q) error names position %d, but the shape is ok: %t", s, fe.Position, shapeOK)
		}
		if fe.Position == 0 {
			return
		}
		// The position named is the first that does not fit.
		upper := []byte(dashless)
		for i, c := range upper {
			if 'a' <= c && c <= 'z' {
				upper[i] = c - 'a' + 'A'
			}
		}
		for i := range fe.Position {
			fits := position[i].Match(upper[i : i+1])
			if last := i == fe.Position-1; fits == last {
				t.Fatalf("ParseMBI(%q) error names position %d; position %d fits: %t", s, fe.Position, i+1, fits)
			}
		}
		if got, ok := usformat.NormalizeMBI(s); ok || got != "" {
			t.Fatalf("NormalizeMBI(%q) = %q, %t after ParseMBI rejected it", s, got, ok)
		}
	})
}

// checkUpperCased holds a Valid*/Normalize* pair for codes whose only
// normalization is trimming and upper-casing: Valid<what> accepts exactly
// the canonical form, and Normalize<what> accepts exactly what matches
// input once trimmed, returning it upper-cased.
func checkUpperCased(t *testing.T, what string, valid func(string) bool, normalize func(string) (string, bool), input, canonical *regexp.Regexp, s string) {
	t.Helper()
	if got := valid(s); got != canonical.MatchString(s) {
		t.Fatalf("Valid%s(%q) = %t, want %t", what, s, got, !got)
	}
	got, ok := normalize(s)
	trimmed := strings.TrimSpace(s)
	if want := input.MatchString(trimmed); ok != want {
		t.Fatalf("Normalize%s(%q) ok = %t, want %t", what, s, ok, want)
	}
	if !checkNormalized(t, "Normalize"+what, normalize, s, got, ok, canonical) {
		return
	}
	if got != strings.ToUpper(trimmed) || !valid(got) {
		t.Fatalf("Normalize%s(%q) = %q, want %q and valid", what, s, got, strings.ToUpper(trimmed))
	}
}

func FuzzNormalizeHCPCS(f *testing.F) {
	for _, seed := range []string{
		"E0601", "e0601", " K0001\t", "V5010", "", "W1234", "99213", "E060", "E06011", "EO601", "Ｅ0601",
	} {
		f.Add(seed)
	}
	input := regexp.MustCompile(`^[A-Va-v][0-9]{4}$`)
	canonical := regexp.MustCompile(`^[A-V][0-9]{4}$`)
	f.Fuzz(func(t *testing.T, s string) {
		checkUpperCased(t, "HCPCS", usformat.ValidHCPCS, usformat.NormalizeHCPCS, input, canonical, s)
	})
}

func FuzzNormalizeHCPCSModifier(f *testing.F) {
	for _, seed := range []string{"RR", "rr", " kx ", "59", "", "R", "RRR", "R-", "ＲＲ", "ſs", "\u212ah"} {
		f.Add(seed)
	}
	input := regexp.MustCompile(`^[A-Za-z0-9]{2}$`)
	canonical := regexp.MustCompile(`^[A-Z0-9]{2}$`)
	f.Fuzz(func(t *testing.T, s string) {
		checkUpperCased(t, "HCPCSModifier", usformat.ValidHCPCSModifier, usformat.NormalizeHCPCSModifier, input, canonical, s)
	})
}

// checkParsedList holds a Parse* function over a list to its contract for
// one input, given the function that normalizes one entry and the most
// entries allowed: on success every entry normalized, none repeated, and
// parsing the output gives it back; on failure a *FormatError naming the
// first entry at fault, or -1 when there are too many.
func checkParsedList(t *testing.T, name string, parse func([]string) ([]string, error), normalize func(string) (string, bool), limit int, in []string) {
	t.Helper()
	got, err := parse(in)
	wantEntry := -2 // no fault
	if len(in) > limit {
		wantEntry = -1
	} else {
		seen := map[string]bool{}
		for i, raw := range in {
			v, ok := normalize(raw)
			if !ok || seen[v] {
				wantEntry = i
				break
			}
			seen[v] = true
		}
	}
	if wantEntry == -2 {
		if err != nil || len(got) != len(in) {
			t.Fatalf("%s(%q) = %q, %v; want %d entries", name, in, got, err, len(in))
		}
		for i, v := range got {
			if want, _ := normalize(in[i]); v != want {
				t.Fatalf("%s(%q)[%d] = %q, want %q", name, in, i, v, want)
			}
		}
		again, err := parse(got)
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("%s(%q) = %q, %v; not idempotent", name, got, again, err)
		}
		return
	}
	var fe *usformat.FormatError
	if !errors.As(err, &fe) || got != nil {
		t.Fatalf("%s(%q) = %q, %v; want a *FormatError", name, in, got, err)
	}
	if fe.Entry != wantEntry || fe.Position != 0 || fe.Description == "" {
		t.Fatalf("%s(%q) error = %+v, want entry %d", name, in, *fe, wantEntry)
	}
}

func FuzzParseHCPCSModifiers(f *testing.F) {
	// Each seed is a line's modifiers joined by commas.
	for _, seed := range []string{
		"RR,KH,KX", "rr, kj", "RR,KJ,KX,59", "RR,KJ,KX,59,GA", "RR,rr", "RR,", "", "R,R", "ＲＲ,KH",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParsedList(t, "ParseHCPCSModifiers", usformat.ParseHCPCSModifiers, usformat.NormalizeHCPCSModifier,
			usformat.MaxHCPCSModifiers, strings.Split(s, ","))
	})
}

func FuzzNormalizeICD10(f *testing.F) {
	for _, seed := range []string{
		"E11.9", "e11.9", "E119", "Z99.81", "I10", "S72.001A", " G47.33\t", "M1A.0110",
		"", "E11.", "E1.19", "E119.1", "E11..9", "E11.91234", "EE1.9", "Ｅ11.9", "E11.ı", "\u212a11.9",
	} {
		f.Add(seed)
	}
	input := regexp.MustCompile(`^[A-Za-z][0-9][A-Za-z0-9](\.?[A-Za-z0-9]{1,4})?$`)
	canonical := regexp.MustCompile(`^[A-Z][0-9][A-Z0-9]{1,5}$`)
	display := regexp.MustCompile(`^[A-Z][0-9][A-Z0-9](\.[A-Z0-9]{1,4})?$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := usformat.ValidICD10(s); got != canonical.MatchString(s) {
			t.Fatalf("ValidICD10(%q) = %t, want %t", s, got, !got)
		}
		if formatted := usformat.FormatICD10(s); !usformat.ValidICD10(s) && formatted != s {
			t.Fatalf("FormatICD10(%q) = %q; an invalid code must come back unchanged", s, formatted)
		}
		got, ok := usformat.NormalizeICD10(s)
		trimmed := strings.TrimSpace(s)
		if want := input.MatchString(trimmed); ok != want {
			t.Fatalf("NormalizeICD10(%q) ok = %t, want %t", s, ok, want)
		}
		if !checkNormalized(t, "NormalizeICD10", usformat.NormalizeICD10, s, got, ok, canonical) {
			return
		}
		if want := strings.ToUpper(strings.Replace(trimmed, ".", "", 1)); got != want || !usformat.ValidICD10(got) {
			t.Fatalf("NormalizeICD10(%q) = %q, want %q and valid", s, got, want)
		}
		formatted := usformat.FormatICD10(got)
		if !display.MatchString(formatted) {
			t.Fatalf("FormatICD10(%q) = %q, not of the form %s", got, formatted, display)
		}
		if back, ok := usformat.NormalizeICD10(formatted); !ok || back != got {
			t.Fatalf("NormalizeICD10(FormatICD10(%q)) = %q, %t; want it back", got, back, ok)
		}
	})
}

func FuzzParseDiagnoses(f *testing.F) {
	// Each seed is a list of codes joined by commas.
	for _, seed := range []string{
		"E11.9,J44.1,Z99.81", "e11.9, e119", "", "E11.9,", "E1.19", "I10,I10",
		"A00,A01,A02,A03,A04,A05,A06,A07,A08,A09,B00,B01",
		"A00,A01,A02,A03,A04,A05,A06,A07,A08,A09,B00,B01,B02",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParsedList(t, "ParseDiagnoses", usformat.ParseDiagnoses, usformat.NormalizeICD10,
			usformat.MaxDiagnoses, strings.Split(s, ","))
	})
}
