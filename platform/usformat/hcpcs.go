package usformat

import "strings"

// ValidHCPCS reports whether s is shaped like a HCPCS Level II code as
// stored, ^[A-V][0-9]{4}$: E0601 (CPAP device), K0001 (standard
// wheelchair). Five-digit CPT codes (HCPCS Level I) are rejected: DME is
// billed with Level II codes. Whether the code is active on the date of
// service is a reference-table question, not a format one.
func ValidHCPCS(s string) bool {
	return len(s) == 5 && 'A' <= s[0] && s[0] <= 'V' && allDigits(s[1:])
}

// NormalizeHCPCS trims s and upper-cases its ASCII letters, and returns
// the code when it is a HCPCS Level II code (see ValidHCPCS): "e0601 "
// becomes "E0601".
func NormalizeHCPCS(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 5 {
		return "", false
	}
	code := string(append([]byte{asciiUpper(s[0])}, s[1:]...))
	if !ValidHCPCS(code) {
		return "", false
	}
	return code, true
}

// MaxHCPCSModifiers is how many modifiers one claim line carries: the
// CMS-1500 form and the 837P transaction have room for four.
const MaxHCPCSModifiers = 4

// The HCPCS modifiers that DME billing depends on. A line's modifiers
// tell the payer how the item was supplied (rented or bought, new or used,
// which month of a rental); a missing or wrong one gets the line denied,
// so code names them rather than spelling out the letters.
const (
	// ModifierRental (RR) marks a rented item; every rental month's line
	// carries it.
	ModifierRental = "RR"
	// ModifierNew (NU) marks a purchase of new equipment.
	ModifierNew = "NU"
	// ModifierUsed (UE) marks a purchase of used equipment, which pays
	// less than new.
	ModifierUsed = "UE"
	// ModifierCappedRentalMonth1 (KH) goes on the first month of a capped
	// rental (and on an initial purchase claim).
	ModifierCappedRentalMonth1 = "KH"
	// ModifierCappedRentalMonths2To3 (KI) goes on the second and third
	// months of a capped rental.
	ModifierCappedRentalMonths2To3 = "KI"
	// ModifierCappedRentalMonths4To13 (KJ) goes on months four to 13 of a
	// capped rental, after which the patient owns the item. The CMS
	// descriptor still says "four to fifteen", from before the cap was
	// cut to 13 months.
	ModifierCappedRentalMonths4To13 = "KJ"
	// ModifierRequirementsMet (KX) attests that the coverage requirements
	// of the item's medical policy are met and documented; without it,
	// items whose policy asks for it are denied.
	ModifierRequirementsMet = "KX"
	// ModifierMaintenance (MS) bills the maintenance and servicing of
	// equipment the patient owns, parts and labour a warranty does not
	// cover.
	ModifierMaintenance = "MS"
	// ModifierReplacement (RA) bills the replacement of an item that was
	// lost, stolen, irreparably damaged or worn out, so the payer does not
	// deny it as a duplicate of the first.
	ModifierReplacement = "RA"
)

// ValidHCPCSModifier reports whether s is shaped like a HCPCS modifier as
// stored, ^[A-Z0-9]{2}$: "RR", "KX", "59". Like codes, modifiers come from
// a published list; this checks the shape only.
func ValidHCPCSModifier(s string) bool {
	return len(s) == 2 && modifierChar(s[0]) && modifierChar(s[1])
}

func modifierChar(c byte) bool {
	return isDigit(c) || ('A' <= c && c <= 'Z')
}

// NormalizeHCPCSModifier trims s and upper-cases its ASCII letters, and
// returns the modifier when it is two letters or digits: " rr" becomes
// "RR".
func NormalizeHCPCSModifier(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return "", false
	}
	mod := string([]byte{asciiUpper(s[0]), asciiUpper(s[1])})
	if !ValidHCPCSModifier(mod) {
		return "", false
	}
	return mod, true
}

// ParseHCPCSModifiers normalizes the modifiers of one claim line with
// NormalizeHCPCSModifier and returns them in the order given. A line has
// at most MaxHCPCSModifiers, and the same modifier twice says nothing more
// to the payer, so a repeat is an input mistake and rejected. No modifiers
// at all is valid; which ones a line needs is the orders service's rule.
//
// The error is a *FormatError; Entry names the modifier at fault, or is -1
// when there are too many.
func ParseHCPCSModifiers(mods []string) ([]string, error) {
	return parseList("HCPCS modifiers", MaxHCPCSModifiers, "must be two letters or digits, such as RR", NormalizeHCPCSModifier, mods)
}
