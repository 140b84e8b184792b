// Package usformat checks and normalizes the US identifiers AriesOne stores:
// NPI, state and territory codes, ZIP codes, NANP phone numbers, EINs,
// provider taxonomy codes and IANA time zones. It is pure Go with no
// dependency on gRPC or SQL, so domain packages use it directly.
//
// Valid* functions take a value exactly as stored and answer whether it is
// well formed; they do not trim. Normalize* functions take user input: they
// trim surrounding white space, accept the usual spellings, and return the
// one canonical form to store and compare, with ok false when the input is
// not a valid value. Only ASCII digits count as digits: "１２３４５"
// (full-width) or Arabic-Indic digits are rejected, never converted.
//
// These are format checks. A well-formed NPI need not be issued, nor a ZIP
// delivered to; where existence matters, a service checks a reference list.
package usformat

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

// allDigits reports whether s is non-empty and made only of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
