// Package usformat checks and normalizes the US identifiers and codes
// AriesOne stores: NPI, Medicare Beneficiary Identifier (MBI), HCPCS Level
// II codes and modifiers, ICD-10-CM diagnosis codes, state and territory
// codes, ZIP codes, NANP phone numbers, EINs, provider taxonomy codes and
// IANA time zones. It is pure Go with no dependency on gRPC or SQL, so
// domain packages use it directly.
//
// Valid* functions take a value exactly as stored and answer whether it is
// well formed; they do not trim. Normalize* functions take user input: they
// trim surrounding white space, accept the usual spellings, and return the
// one canonical form to store and compare, with ok false when the input is
// not a valid value. Parse* functions do what Normalize* does where a client
// needs to know what to fix (which position of an MBI, which entry of a
// list of modifiers or diagnoses): they return a *FormatError, which never
// repeats the input. Format* functions turn a stored value into the form
// people read. Only ASCII digits count as digits and only ASCII letters
// are upper-cased: "１２３４５" (full-width) or Arabic-Indic digits are
// rejected, never converted.
//
// These are format checks. A well-formed NPI need not be issued, nor a ZIP
// delivered to, nor a HCPCS or ICD-10-CM code active on the date of
// service; where existence matters, a service checks a reference list.
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
