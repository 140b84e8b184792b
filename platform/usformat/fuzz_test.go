package usformat_test

import (
	"regexp"
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
