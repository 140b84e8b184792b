package usformat

import "strings"

// invalidEINPrefixes are the two-digit campus prefixes the IRS has never
// assigned to an Employer Identification Number.
var invalidEINPrefixes = map[string]bool{
	"00": true, "07": true, "08": true, "09": true, "17": true, "18": true,
	"19": true, "28": true, "29": true, "49": true, "69": true, "70": true,
	"78": true, "79": true, "89": true, "96": true, "97": true,
}

// NormalizeEIN accepts an Employer Identification Number, "12-3456789" or
// "123456789" after trimming, and returns its nine digits. It rejects
// prefixes the IRS does not assign (00, 07, 08, 09, 17, 18, 19, 28, 29, 49,
// 69, 70, 78, 79, 89, 96, 97), which also rules out all zeros.
func NormalizeEIN(s string) (digits string, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) == 10 && s[2] == '-' {
		s = s[:2] + s[3:]
	}
	if len(s) != 9 || !allDigits(s) || invalidEINPrefixes[s[:2]] {
		return "", false
	}
	return s, true
}
