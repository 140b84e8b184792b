package usformat

import (
	"strconv"
	"strings"
)

// mbiLength is the length of a stored Medicare Beneficiary Identifier.
const mbiLength = 11

// mbiClasses gives the character class of each MBI position, as CMS
// defines them: C numeric 1-9, N numeric 0-9, A an upper-case letter other
// than S, L, O, I, B and Z, and X (CMS's "AN") either A or N.
const mbiClasses = "CAXNAXNAANN"

// mbiFirstDash and mbiSecondDash are the indexes of the dashes in the
// 13-character form printed on a Medicare card, "1EG4-TE5-MK73", which
// groups the identifier 4-3-4.
const (
	mbiFirstDash  = 4
	mbiSecondDash = 8
)

// mbiLetter reports whether c may stand in an MBI's letter position. CMS
// leaves out S, L, O, I, B and Z because on a card or over the phone they
// are mistaken for 5, 1, 0, 1, 8 and 2.
func mbiLetter(c byte) bool {
	if c < 'A' || c > 'Z' {
		return false
	}
	switch c {
	case 'S', 'L', 'O', 'I', 'B', 'Z':
		return false
	}
	return true
}

// mbiCharOK reports whether the upper-case character c fits class.
func mbiCharOK(class, c byte) bool {
	switch class {
	case 'C':
		return '1' <= c && c <= '9'
	case 'N':
		return isDigit(c)
	case 'A':
		return mbiLetter(c)
	default: // 'X'
		return isDigit(c) || mbiLetter(c)
	}
}

// mbiClassDescription is what a position of class must hold, phrased to
// follow "position N must be".
func mbiClassDescription(class byte) string {
	switch class {
	case 'C':
		return "a digit 1-9"
	case 'N':
		return "a digit 0-9"
	case 'A':
		return "a letter other than S, L, O, I, B or Z"
	default:
		return "a digit or a letter other than S, L, O, I, B or Z"
	}
}

// ValidMBI reports whether s is a Medicare Beneficiary Identifier in the
// form it is stored in: exactly 11 upper-case ASCII characters, no dashes,
// each position of the class CMS assigns (C A AN N A AN N A A N N).
// ValidMBI("1EG4TE5MK73") is true; "1eg4te5mk73" and "1EG4-TE5-MK73"
// are false here and are what NormalizeMBI is for.
func ValidMBI(s string) bool {
	if len(s) != mbiLength {
		return false
	}
	for i := range mbiLength {
		if !mbiCharOK(mbiClasses[i], s[i]) {
			return false
		}
	}
	return true
}

// ParseMBI accepts a Medicare Beneficiary Identifier as a person types or
// reads it from a Medicare card, and returns the 11 upper-case characters
// to store. After trimming surrounding white space it takes either the 11
// characters alone or the printed form with a dash after the 4th and 7th
// ("1EG4-TE5-MK73"); ASCII letters may be lower-case. Any other dash,
// space or character is rejected.
//
// The error is a *FormatError whose Position names the first position
// (1-11, dashes not counted) that does not fit, so a clerk can find the
// mistyped character without the error repeating the identifier. A
// well-formed MBI need not be issued: only an eligibility check proves
// that.
func ParseMBI(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '-') >= 0 {
		if len(s) != mbiLength+2 || s[mbiFirstDash] != '-' || s[mbiSecondDash] != '-' {
			return "", mbiError(0, "may have dashes only as printed on the card, after the 4th and 7th characters: 1EG4-TE5-MK73")
		}
		s = s[:mbiFirstDash] + s[mbiFirstDash+1:mbiSecondDash] + s[mbiSecondDash+1:]
	}
	if len(s) != mbiLength {
		return "", mbiError(0, "must be 11 letters and digits, such as 1EG4TE5MK73")
	}
	mbi := make([]byte, mbiLength)
	for i := range mbiLength {
		mbi[i] = asciiUpper(s[i])
		if class := mbiClasses[i]; !mbiCharOK(class, mbi[i]) {
			return "", mbiError(i+1, "position "+strconv.Itoa(i+1)+" must be "+mbiClassDescription(class))
		}
	}
	return string(mbi), nil
}

// NormalizeMBI is ParseMBI for callers that only need to know whether the
// input is an MBI, not what is wrong with it.
func NormalizeMBI(s string) (string, bool) {
	mbi, err := ParseMBI(s)
	return mbi, err == nil
}

func mbiError(position int, description string) *FormatError {
	return &FormatError{Subject: "MBI", Entry: -1, Position: position, Description: description}
}
