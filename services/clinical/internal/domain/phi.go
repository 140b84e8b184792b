package domain

import "github.com/ariesone/ariesone/platform/keyring"

// PHI is a protected identifier in clear (an MBI, Medicaid id, SSN or
// policy member id) as the domain checks it and the store seals it. It
// prints as "****" with every fmt verb that consults String or GoString
// (%v, %+v, %#v, %s, %q), so an entity logged by mistake does not leak it;
// Reveal returns the value for the code that seals it, indexes it, or
// answers a caller entitled to see it, and Mask the form everyone else sees.
type PHI string

// String hides the value.
func (p PHI) String() string { return maskAll }

// GoString hides the value from %#v.
func (p PHI) GoString() string { return maskAll }

// Reveal returns the value in clear.
func (p PHI) Reveal() string { return string(p) }

// IsZero reports whether no value is set.
func (p PHI) IsZero() bool { return p == "" }

// Mask returns the value with all but its last visible characters hidden,
// as responses show it to callers without the patients.phi permission;
// "" stays "" (nothing on file is not a secret).
func (p PHI) Mask(visible int) string {
	if p == "" {
		return ""
	}
	return keyring.Mask(string(p), visible)
}

// maskAll is what a PHI value prints as.
var maskAll = keyring.Mask("", 0)

// How many trailing characters of each PHI value a masked response shows.
const (
	// MBIVisible shows the last seven characters: "****TE5MK73".
	MBIVisible = 7
	// MedicaidIDVisible shows the last four characters.
	MedicaidIDVisible = 4
	// SSNVisible shows the last four digits: "****6789".
	SSNVisible = 4
	// MemberIDVisible shows the last four characters of a policy member id.
	MemberIDVisible = 4
)

// Column parts of the associated data each PHI value is sealed with; the
// row id is the other part (EncryptString(v, id, column)), so a ciphertext
// copied to another row or column no longer opens.
const (
	PHIColumnMBI        = "mbi"
	PHIColumnMedicaidID = "medicaid_id"
	PHIColumnSSN        = "ssn"
	PHIColumnMemberID   = "member_id"
)
