package usformat

import "strings"

// NormalizePhone accepts a North American Numbering Plan number and returns
// it in E.164 form, "+14045550123", the form phones are stored in.
//
// After trimming, the formatting characters ( ) - . and space are removed
// wherever they appear, then one leading "+1" or "1" (the country code) is
// dropped. What remains must be exactly 10 ASCII digits whose area code and
// exchange (first and fourth digits) are 2-9. Anything else, including an
// extension, a letter or another country code, is rejected.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	digits := make([]byte, 0, 12)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '(', ')', '-', '.', ' ':
		default:
			digits = append(digits, c)
		}
	}
	national := string(digits)
	if rest, ok := strings.CutPrefix(national, "+1"); ok {
		national = rest
	} else if len(national) == 11 && national[0] == '1' {
		national = national[1:]
	}
	if len(national) != 10 || !allDigits(national) || national[0] < '2' || national[3] < '2' {
		return "", false
	}
	return "+1" + national, true
}
