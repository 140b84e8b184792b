package domain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ariesone/ariesone/platform/errs"
)

// MaxSerialNumber is the longest serial number accepted, normalized.
const MaxSerialNumber = 40

// NormalizeSerial returns a serial number in its one stored form: trimmed
// and upper-cased, 1-MaxSerialNumber letters, digits and inner dashes.
// Manufacturers print serials in either case and scanners add spaces, but
// two units of an item never differ by case alone.
func NormalizeSerial(raw string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	switch {
	case s == "":
		return "", errs.Invalid(errs.FieldViolation{Description: "is required"})
	case len(s) > MaxSerialNumber:
		return "", errs.Invalid(errs.FieldViolation{Description: fmt.Sprintf("must be at most %d characters", MaxSerialNumber)})
	case s[0] == '-' || s[len(s)-1] == '-':
		return "", errs.Invalid(errs.FieldViolation{Description: "must not begin or end with a dash"})
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isSerialChar(c) {
			return "", errs.Invalid(errs.FieldViolation{Description: fmt.Sprintf("character %d must be a letter, a digit or a dash", i+1)})
		}
	}
	return s, nil
}

func isSerialChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '-'
}

// CheckDigitScheme is how the last character of a serial number checks
// the others, when a manufacturer uses one.
type CheckDigitScheme string

// Check digit schemes.
const (
	CheckDigitNone CheckDigitScheme = ""
	// CheckDigitLuhn: an all-digit serial whose last digit is the Luhn
	// (mod 10) check digit of the others.
	CheckDigitLuhn CheckDigitScheme = "luhn"
	// CheckDigitMod37_36: ISO/IEC 7064 MOD 37,36 over letters and digits
	// (dashes ignored); it catches every single substitution and every
	// transposition of adjacent characters.
	CheckDigitMod37_36 CheckDigitScheme = "iso7064_mod37_36"
)

// SerialFormat is a manufacturer's or an item's serial number rule, as
// configured: a pattern the normalized serial must match in full, and an
// optional check digit scheme.
type SerialFormat struct {
	Pattern    string
	CheckDigit CheckDigitScheme
}

// SerialRule is a checked SerialFormat, ready to validate serials.
type SerialRule struct {
	format SerialFormat
	re     *regexp.Regexp
}

// maxPattern bounds a configured pattern; Go's regexp runs in linear time,
// so the bound is about keeping configuration readable, not about safety.
const maxPattern = 200

// CompileSerialFormat checks a configured format: the pattern compiles, is
// at most maxPattern characters and is matched against the whole serial
// (anchors are added), and the scheme is known. Violations name
// "pattern" and "checkDigit".
func CompileSerialFormat(f SerialFormat) (*SerialRule, error) {
	var v errs.Violations
	var re *regexp.Regexp
	switch {
	case f.Pattern == "":
	case len(f.Pattern) > maxPattern:
		v.Addf("pattern", "must be at most %d characters", maxPattern)
	default:
		var err error
		if re, err = regexp.Compile(`^(?:` + f.Pattern + `)$`); err != nil {
			v.Addf("pattern", "is not a regular expression: %v", err)
		}
	}
	switch f.CheckDigit {
	case CheckDigitNone, CheckDigitLuhn, CheckDigitMod37_36:
	default:
		v.Addf("checkDigit", "must be one of luhn, iso7064_mod37_36 or empty")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &SerialRule{format: f, re: re}, nil
}

// Reasons a serial number breaks its item's rule.
const (
	ReasonSerialPattern    = "SERIAL_FORMAT"
	ReasonSerialCheckDigit = "SERIAL_CHECK_DIGIT"
)

// Check normalizes raw and checks it against the rule, returning the
// normalized serial. A serial that breaks the rule is INVALID_ARGUMENT on
// the serial itself (field "") with reason SERIAL_FORMAT or
// SERIAL_CHECK_DIGIT.
func (r *SerialRule) Check(raw string) (string, error) {
	s, err := NormalizeSerial(raw)
	if err != nil {
		return "", err
	}
	if r.re != nil && !r.re.MatchString(s) {
		return "", invalidSerial(ReasonSerialPattern, "does not match the item's serial number format "+r.format.Pattern)
	}
	switch r.format.CheckDigit {
	case CheckDigitLuhn:
		if !validLuhn(s) {
			return "", invalidSerial(ReasonSerialCheckDigit, "is not all digits with a valid Luhn check digit")
		}
	case CheckDigitMod37_36:
		if !validMod37_36(s) {
			return "", invalidSerial(ReasonSerialCheckDigit, "has a wrong ISO 7064 MOD 37,36 check character")
		}
	}
	return s, nil
}

func invalidSerial(reason, description string) error {
	e := errs.Invalid(errs.FieldViolation{Description: description})
	e.Reason = reason
	return e
}

// validLuhn reports whether s is two or more digits whose last is the
// Luhn check digit of the rest.
func validLuhn(s string) bool {
	if len(s) < 2 {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// mod37_36Value is a character's value in ISO/IEC 7064 MOD 37,36: digits
// 0-9, letters 10-35; -1 for anything else.
func mod37_36Value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// Mod37_36CheckChar returns the ISO/IEC 7064 MOD 37,36 check character of
// payload (letters and digits; dashes are skipped), or false when payload
// holds anything else or no character at all.
func Mod37_36CheckChar(payload string) (byte, bool) {
	const m = 36
	p, n := m, 0
	for i := 0; i < len(payload); i++ {
		if payload[i] == '-' {
			continue
		}
		v := mod37_36Value(payload[i])
		if v < 0 {
			return 0, false
		}
		s := (p + v) % m
		if s == 0 {
			s = m
		}
		p = (2 * s) % (m + 1)
		n++
	}
	if n == 0 {
		return 0, false
	}
	c := (m + 1 - p) % m
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	return alphabet[c], true
}

// validMod37_36 reports whether the last character of s is the MOD 37,36
// check character of the rest.
func validMod37_36(s string) bool {
	if len(s) < 2 {
		return false
	}
	c, ok := Mod37_36CheckChar(s[:len(s)-1])
	return ok && c == s[len(s)-1]
}
