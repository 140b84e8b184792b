package usformat

import "strings"

// icd10Category is the length of an ICD-10-CM category, the part before
// the dot: a letter, a digit, and a letter or digit.
const icd10Category = 3

// icd10MaxLength is the longest ICD-10-CM code without its dot: the
// category and up to four more characters.
const icd10MaxLength = icd10Category + 4

// ValidICD10 reports whether s is shaped like an ICD-10-CM diagnosis code
// as stored: upper-case, without the dot, 3 to 7 characters, a letter, a
// digit, then letters and digits ("E119", "J441", "Z9981", "S72001A").
// Codes are stored without the dot because claims (the 837 transaction)
// carry them that way and because "E11.9" and "E119" must compare equal.
// Whether the code is billable and active on the date of service is a
// reference-table question, not a format one.
func ValidICD10(s string) bool {
	if len(s) < icd10Category || len(s) > icd10MaxLength || s[0] < 'A' || s[0] > 'Z' || !isDigit(s[1]) {
		return false
	}
	for i := 2; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// NormalizeICD10 accepts an ICD-10-CM code matching
// ^[A-Z][0-9][A-Z0-9](\.?[A-Z0-9]{1,4})?$ after trimming and upper-casing
// ASCII letters, and returns it without the dot: "e11.9" becomes "E119",
// "Z99.81" becomes "Z9981". The dot is allowed only after the third
// character, where ICD-10-CM prints it, and never at the end.
func NormalizeICD10(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > icd10Category && s[icd10Category] == '.' {
		if len(s) == icd10Category+1 {
			return "", false
		}
		s = s[:icd10Category] + s[icd10Category+1:]
	}
	if len(s) < icd10Category || len(s) > icd10MaxLength {
		return "", false
	}
	code := make([]byte, len(s))
	for i := range len(s) {
		code[i] = asciiUpper(s[i])
	}
	if !ValidICD10(string(code)) {
		return "", false
	}
	return string(code), true
}

// FormatICD10 returns a stored ICD-10-CM code as people read it, with the
// dot after the category: "E119" becomes "E11.9"; a three-character
// category such as "I10" has no dot. A value that ValidICD10 rejects is
// returned unchanged, so a display shows what is stored rather than
// nothing.
func FormatICD10(code string) string {
	if !ValidICD10(code) || len(code) == icd10Category {
		return code
	}
	return code[:icd10Category] + "." + code[icd10Category:]
}

// MaxDiagnoses is how many diagnosis codes an order or claim carries: the
// CMS-1500 form has twelve (box 21, A to L) and so does the 837P.
const MaxDiagnoses = 12

// ParseDiagnoses normalizes a list of ICD-10-CM codes with NormalizeICD10
// and returns them in the order given, which is the order claim lines
// point into. It allows at most MaxDiagnoses, and rejects a code that,
// once normalized, repeats an earlier one ("E11.9" and "e119"): a claim
// lists each diagnosis once, and a repeat is an input mistake that would
// take one of the twelve places. An empty list is
// valid; whether a diagnosis is required is the caller's rule.
//
// The error is a *FormatError; Entry names the code at fault, or is -1
// when there are too many.
func ParseDiagnoses(codes []string) ([]string, error) {
	return parseList("diagnoses", MaxDiagnoses,
		"must be an ICD-10-CM code: a letter, a digit, a letter or digit, then up to 4 more after an optional dot, such as E11.9",
		NormalizeICD10, codes)
}
