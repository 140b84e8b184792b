package domain

import (
	"strings"
	"unicode/utf8"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Address is a United States postal address, as companies and locations
// store it: trimmed, the state an upper-case USPS code, the ZIP "30301" or
// "30301-1234".
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
	maxAddressLine = 100
	maxCity        = 60
)

// NormalizeAddress returns a in stored form. An all-empty address is valid
// (and stays empty) unless required. Violations name the parts relative to
// the address: "line1", "city", "state", "postalCode".
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
	checkText(&v, "line1", a.Line1, true, maxAddressLine)
	checkText(&v, "line2", a.Line2, false, maxAddressLine)
	checkText(&v, "city", a.City, true, maxCity)
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

// PhoneKind tells a caller which number to dial for what.
type PhoneKind string

// Phone kinds; the empty kind means not specified.
const (
	PhoneKindUnspecified PhoneKind = ""
	PhoneKindHome        PhoneKind = "home"
	PhoneKindMobile      PhoneKind = "mobile"
	PhoneKindWork        PhoneKind = "work"
	PhoneKindFax         PhoneKind = "fax"
)

// Phone is a North American number stored in E.164 ("+14045550123").
type Phone struct {
	// Number is E.164 once normalized; clients may send any common
	// formatting.
	Number    string
	Extension string
	Kind      PhoneKind
}

// IsZero reports whether no phone is set.
func (p Phone) IsZero() bool { return p == Phone{} }

// maxExtension is the longest extension, in digits.
const maxExtension = 6

// NormalizePhone returns p with its number in E.164. An all-empty phone is
// valid and stays empty. Violations name "number" and "extension".
func NormalizePhone(p Phone) (Phone, error) {
	p.Number = strings.TrimSpace(p.Number)
	p.Extension = strings.TrimSpace(p.Extension)
	if p.Number == "" && p.Extension == "" {
		return Phone{}, nil
	}
	var v errs.Violations
	if e164, ok := usformat.NormalizePhone(p.Number); ok {
		p.Number = e164
	} else {
		v.Add("number", "must be a 10-digit US phone number whose area code and exchange start with 2-9")
	}
	if len(p.Extension) > maxExtension || strings.Trim(p.Extension, "0123456789") != "" {
		v.Addf("extension", "must be at most %d digits", maxExtension)
	}
	switch p.Kind {
	case PhoneKindUnspecified, PhoneKindHome, PhoneKindMobile, PhoneKindWork, PhoneKindFax:
	default:
		v.Add("kind", "is not a phone kind")
	}
	return p, v.Err()
}

// checkText records a violation of field when a required value is empty,
// or a value is longer than max characters or not valid UTF-8.
func checkText(v *errs.Violations, field, value string, required bool, max int) {
	switch {
	case value == "" && required:
		v.Add(field, "is required")
	case !utf8.ValidString(value):
		v.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(value) > max:
		v.Addf(field, "must be at most %d characters", max)
	}
}

// normalizeNPI checks an optional NPI (10 digits, Luhn check digit over
// "80840" + the NPI), recording a violation of field.
func normalizeNPI(v *errs.Violations, field, npi string) string {
	npi = strings.TrimSpace(npi)
	if npi != "" && !usformat.ValidNPI(npi) {
		v.Add(field, "must be a 10-digit NPI starting with 1 or 2 with a valid check digit")
	}
	return npi
}

// contactEdit gathers the address and phone paths of one update ("address"
// for the whole address, "address.city" for one part, likewise "phone" and
// "phone.number"), so the parts are written first and the result is checked
// once, as a whole.
type contactEdit struct {
	address, phone bool
}

// set writes the part of in named by path into a or p, and reports whether
// path was an address or phone path at all.
func (e *contactEdit) set(path string, a *Address, p *Phone, inAddress Address, inPhone Phone) bool {
	switch path {
	case "address":
		*a, e.address = inAddress, true
		return true
	case "phone":
		*p, e.phone = inPhone, true
		return true
	}
	if part, ok := strings.CutPrefix(path, "address."); ok {
		e.address = true
		switch part {
		case "line1":
			a.Line1 = inAddress.Line1
		case "line2":
			a.Line2 = inAddress.Line2
		case "city":
			a.City = inAddress.City
		case "state":
			a.State = inAddress.State
		case "postal_code":
			a.PostalCode = inAddress.PostalCode
		default:
			return false
		}
		return true
	}
	if part, ok := strings.CutPrefix(path, "phone."); ok {
		e.phone = true
		switch part {
		case "number":
			p.Number = inPhone.Number
		case "extension":
			p.Extension = inPhone.Extension
		case "kind":
			p.Kind = inPhone.Kind
		default:
			return false
		}
		return true
	}
	return false
}

// check normalizes what the edit touched, recording violations under
// "address" and "phone".
func (e contactEdit) check(v *errs.Violations, a *Address, p *Phone, addressRequired bool) {
	if e.address {
		normalized, err := NormalizeAddress(*a, addressRequired)
		v.Merge("address", err)
		*a = normalized
	}
	if e.phone {
		normalized, err := NormalizePhone(*p)
		v.Merge("phone", err)
		*p = normalized
	}
}
