package usformat

import "strings"

// NormalizeZIP accepts a ZIP code matching ^\d{5}(-?\d{4})?$ after
// trimming, and returns it as "30301" or, with the ZIP+4 extension,
// "30301-1234" (the dash inserted when the input had none).
func NormalizeZIP(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 5 && allDigits(s):
		return s, true
	case len(s) == 9 && allDigits(s):
		return s[:5] + "-" + s[5:], true
	case len(s) == 10 && s[5] == '-' && allDigits(s[:5]) && allDigits(s[6:]):
		return s, true
	}
	return "", false
}
