package protoconv

import (
	"fmt"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	"github.com/ariesone/ariesone/platform/contact"
)

var (
	phoneKindToDomain = map[commonv1.PhoneKind]contact.PhoneKind{
		commonv1.PhoneKind_PHONE_KIND_HOME:   contact.PhoneKindHome,
		commonv1.PhoneKind_PHONE_KIND_MOBILE: contact.PhoneKindMobile,
		commonv1.PhoneKind_PHONE_KIND_WORK:   contact.PhoneKindWork,
		commonv1.PhoneKind_PHONE_KIND_FAX:    contact.PhoneKindFax,
	}
	phoneKindToProto = Invert(phoneKindToDomain)
)

// Invert returns the reverse of a one-to-one enum table.
func Invert[K, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// Address converts an API address; nil is the zero address.
func Address(a *commonv1.PostalAddress) contact.Address {
	return contact.Address{
		Line1:      a.GetLine1(),
		Line2:      a.GetLine2(),
		City:       a.GetCity(),
		State:      a.GetState(),
		PostalCode: a.GetPostalCode(),
	}
}

// AddressProto renders an address; the zero address is unset (nil).
func AddressProto(a contact.Address) *commonv1.PostalAddress {
	if a.IsZero() {
		return nil
	}
	return &commonv1.PostalAddress{Line1: a.Line1, Line2: a.Line2, City: a.City, State: a.State, PostalCode: a.PostalCode}
}

// Phone converts an API phone; an undefined kind keeps a name the
// domain refuses, so the client hears about it.
func Phone(p *commonv1.PhoneNumber) contact.Phone {
	kind, ok := phoneKindToDomain[p.GetKind()]
	if !ok && p.GetKind() != commonv1.PhoneKind_PHONE_KIND_UNSPECIFIED {
		kind = contact.PhoneKind(fmt.Sprintf("kind %d", int32(p.GetKind())))
	}
	return contact.Phone{Number: p.GetNumber(), Extension: p.GetExtension(), Kind: kind}
}

// PhoneProto renders a phone; the zero phone is unset (nil).
func PhoneProto(p contact.Phone) *commonv1.PhoneNumber {
	if p.IsZero() {
		return nil
	}
	return &commonv1.PhoneNumber{Number: p.Number, Extension: p.Extension, Kind: phoneKindToProto[p.Kind]}
}

// Phones converts a list of API phones.
func Phones(ps []*commonv1.PhoneNumber) []contact.Phone {
	if len(ps) == 0 {
		return nil
	}
	out := make([]contact.Phone, len(ps))
	for i, p := range ps {
		out[i] = Phone(p)
	}
	return out
}

// PhonesProto renders a list of phones.
func PhonesProto(ps []contact.Phone) []*commonv1.PhoneNumber {
	if len(ps) == 0 {
		return nil
	}
	out := make([]*commonv1.PhoneNumber, len(ps))
	for i, p := range ps {
		out[i] = PhoneProto(p)
	}
	return out
}
