package domain

import (
	"strings"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

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
func (e *contactEdit) set(path string, a *contact.Address, p *contact.Phone, inAddress contact.Address, inPhone contact.Phone) bool {
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
		return a.CopyPart(inAddress, part)
	}
	if part, ok := strings.CutPrefix(path, "phone."); ok {
		e.phone = true
		return p.CopyPart(inPhone, part)
	}
	return false
}

// check normalizes what the edit touched, recording violations under
// "address" and "phone".
func (e contactEdit) check(v *errs.Violations, a *contact.Address, p *contact.Phone, addressRequired bool) {
	if e.address {
		normalized, err := contact.NormalizeAddress(*a, addressRequired)
		v.Merge("address", err)
		*a = normalized
	}
	if e.phone {
		normalized, err := contact.NormalizePhone(*p)
		v.Merge("phone", err)
		*p = normalized
	}
}
