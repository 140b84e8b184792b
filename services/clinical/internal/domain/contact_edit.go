package domain

import (
	"strings"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
)

// contactEdit writes the address and phone fields an update names, whole
// ("home_address") or by part ("home_address.city", "fax.number"), and then
// checks each field it touched once, as a whole, so a part is judged
// together with the parts already stored.
type contactEdit struct {
	addresses []*addressSlot
	phones    []*phoneSlot
}

// addressSlot is one address field of an entity: its API (proto) name, its
// name in violations (JSON), where it is written, and what the client sent.
type addressSlot struct {
	name, json string
	dst        *contact.Address
	src        contact.Address
	required   bool
	touched    bool
}

// phoneSlot is one phone field of an entity, as addressSlot.
type phoneSlot struct {
	name, json string
	dst        *contact.Phone
	src        contact.Phone
	touched    bool
}

// address declares an address field of the entity under edit.
func (e *contactEdit) address(name, json string, dst *contact.Address, src contact.Address, required bool) {
	e.addresses = append(e.addresses, &addressSlot{name: name, json: json, dst: dst, src: src, required: required})
}

// phone declares a phone field of the entity under edit.
func (e *contactEdit) phone(name, json string, dst *contact.Phone, src contact.Phone) {
	e.phones = append(e.phones, &phoneSlot{name: name, json: json, dst: dst, src: src})
}

// set writes what path names and reports whether it named a declared
// field or one of its parts.
func (e *contactEdit) set(path string) bool {
	field, part, hasPart := strings.Cut(path, ".")
	for _, a := range e.addresses {
		if a.name != field {
			continue
		}
		if !hasPart {
			*a.dst, a.touched = a.src, true
			return true
		}
		if a.dst.CopyPart(a.src, part) {
			a.touched = true
			return true
		}
		return false
	}
	for _, p := range e.phones {
		if p.name != field {
			continue
		}
		if !hasPart {
			*p.dst, p.touched = p.src, true
			return true
		}
		if p.dst.CopyPart(p.src, part) {
			p.touched = true
			return true
		}
		return false
	}
	return false
}

// check normalizes every touched field, recording violations under its
// JSON name ("homeAddress.postalCode").
func (e *contactEdit) check(v *errs.Violations) {
	for _, a := range e.addresses {
		if a.touched {
			normalized, err := contact.NormalizeAddress(*a.dst, a.required)
			v.Merge(a.json, err)
			*a.dst = normalized
		}
	}
	for _, p := range e.phones {
		if p.touched {
			normalized, err := contact.NormalizePhone(*p.dst)
			v.Merge(p.json, err)
			*p.dst = normalized
		}
	}
}
