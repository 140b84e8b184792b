package contact

import (
	"strings"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Address is a United States postal address as it is stored: trimmed, the
// state an upper-case USPS code, the ZIP "30301" or "30301-1234".
type Address struct {
	Line1      string
	Line2      string
	City       string
	State      string
	PostalCode string
}

// IsZero reports whether no part of the address is set.
func (a Address) IsZero() bool { return a == Address{} }

// Address part limits, matching the API's.
const (
	MaxAddressLine = 100
	MaxCity        = 60
)

// NormalizeAddress returns a in stored form. An all-empty address is valid
// (and stays empty) unless required. Violations name the parts relative to
// the address: "line1", "city", "state", "postalCode"; a required address
// that is missing is a violation of "" (the address itself).
func NormalizeAddress(a Address, required bool) (Address, error) {
	a = Address{
		Line1:      strings.TrimSpace(a.Line1),
		Line2:      strings.TrimSpace(a.Line2),
		City:       strings.TrimSpace(a.City),
		State:      strings.TrimSpace(a.State),
		PostalCode: strings.TrimSpace(a.PostalCode),
	}
	if a.IsZero() {
		if required {
			return a, errs.Invalid(errs.FieldViolation{Description: "is required"})
		}
		return a, nil
	}
	var v errs.Violations
	v.CheckText("line1", a.Line1, true, MaxAddressLine)
	v.CheckText("line2", a.Line2, false, MaxAddressLine)
	v.CheckText("city", a.City, true, MaxCity)
	if state, ok := usformat.NormalizeState(a.State); ok {
		a.State = state
	} else {
		v.Add("state", "must be a USPS state, territory or military code, such as GA")
	}
	if zip, ok := usformat.NormalizeZIP(a.PostalCode); ok {
		a.PostalCode = zip
	} else {
		v.Add("postalCode", "must be a ZIP code: 5 digits, or ZIP+4 such as 30301-1234")
	}
	return a, v.Err()
}

// CopyPart copies one part of from into a, the part named as an update
// mask names it after the address field (the proto name): "line1",
// "line2", "city", "state" or "postal_code". It reports false, changing
// nothing, for any other name.
func (a *Address) CopyPart(from Address, part string) bool {
	switch part {
	case "line1":
		a.Line1 = from.Line1
	case "line2":
		a.Line2 = from.Line2
	case "city":
		a.City = from.City
	case "state":
		a.State = from.State
	case "postal_code":
		a.PostalCode = from.PostalCode
	default:
		return false
	}
	return true
}
