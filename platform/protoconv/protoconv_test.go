package protoconv

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/type/date"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
)

// TestPhoneKindsAreComplete walks every API phone kind: each one but
// UNSPECIFIED maps to a domain kind and back.
func TestPhoneKindsAreComplete(t *testing.T) {
	for n, name := range commonv1.PhoneKind_name {
		kind := commonv1.PhoneKind(n)
		if kind == commonv1.PhoneKind_PHONE_KIND_UNSPECIFIED {
			continue
		}
		d, ok := phoneKindToDomain[kind]
		if !ok {
			t.Errorf("%s has no domain kind", name)
			continue
		}
		if phoneKindToProto[d] != kind {
			t.Errorf("%s does not round-trip through %q", name, d)
		}
	}
}

func TestPhoneKeepsAnUndefinedKindRefusable(t *testing.T) {
	p := Phone(&commonv1.PhoneNumber{Number: "404-555-0123", Kind: 42})
	if p.Kind == "" || p.Kind == contact.PhoneKindHome {
		t.Errorf("undefined kind became %q; want a name the domain refuses", p.Kind)
	}
	if _, err := contact.NormalizePhone(p); err == nil {
		t.Error("NormalizePhone accepted an undefined kind")
	}
}

func TestZeroValuesAreUnset(t *testing.T) {
	if AddressProto(contact.Address{}) != nil || PhoneProto(contact.Phone{}) != nil || DateProto(civil.Date{}) != nil ||
		Time(time.Time{}) != nil || OptionalTime(nil) != nil || OptionalDateProto(nil) != nil || OptionalDate(nil) != nil {
		t.Error("a zero value rendered as set")
	}
	if !Date(nil).IsZero() || !Address(nil).IsZero() || !Phone(nil).IsZero() || Phones(nil) != nil || PhonesProto(nil) != nil {
		t.Error("an unset value converted to a set one")
	}
}

func TestRoundTrips(t *testing.T) {
	a := contact.Address{Line1: "1200 Main St", Line2: "Apt 4", City: "Atlanta", State: "GA", PostalCode: "30301-1234"}
	if got := Address(AddressProto(a)); got != a {
		t.Errorf("address round trip = %+v", got)
	}
	ps := []contact.Phone{{Number: "+14045550123", Kind: contact.PhoneKindMobile}, {Number: "+14045550100", Extension: "12"}}
	if diff := cmp.Diff(ps, Phones(PhonesProto(ps))); diff != "" {
		t.Errorf("phones round trip (-want +got):\n%s", diff)
	}
	d := civil.Date{Year: 1948, Month: time.February, Day: 29}
	if got := Date(DateProto(d)); got != d {
		t.Errorf("date round trip = %v", got)
	}
	if got := OptionalDate(&date.Date{Year: 2026, Month: 2, Day: 30}); got == nil || got.IsValid() {
		t.Errorf("February 30 = %v; want it kept for the domain to refuse", got)
	}
}
