package usformat

import "strings"

// stateCodes are the USPS codes accepted as a state: the 50 states, the
// District of Columbia, the inhabited territories and freely associated
// states (AS FM GU MH MP PR PW VI), and the military "states" (AA armed
// forces Americas, AE Europe and elsewhere, AP Pacific).
var stateCodes = map[string]bool{
	"AL": true, "AK": true, "AZ": true, "AR": true, "CA": true, "CO": true, "CT": true,
	"DE": true, "FL": true, "GA": true, "HI": true, "ID": true, "IL": true, "IN": true,
	"IA": true, "KS": true, "KY": true, "LA": true, "ME": true, "MD": true, "MA": true,
	"MI": true, "MN": true, "MS": true, "MO": true, "MT": true, "NE": true, "NV": true,
	"NH": true, "NJ": true, "NM": true, "NY": true, "NC": true, "ND": true, "OH": true,
	"OK": true, "OR": true, "PA": true, "RI": true, "SC": true, "SD": true, "TN": true,
	"TX": true, "UT": true, "VT": true, "VA": true, "WA": true, "WV": true, "WI": true,
	"WY": true,
	"DC": true,
	"AS": true, "FM": true, "GU": true, "MH": true, "MP": true, "PR": true, "PW": true, "VI": true,
	"AA": true, "AE": true, "AP": true,
}

// NormalizeState trims s and upper-cases it, and returns the two-letter
// code when it is one of the 50 states, DC, a territory or freely
// associated state (AS FM GU MH MP PR PW VI) or a military code (AA AE AP).
// Only ASCII letters are upper-cased, so look-alikes such as "ſc" (long s)
// do not become "SC".
func NormalizeState(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return "", false
	}
	code := string([]byte{asciiUpper(s[0]), asciiUpper(s[1])})
	if !stateCodes[code] {
		return "", false
	}
	return code, true
}

func asciiUpper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
