package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func validLocation() LocationValues {
	return LocationValues{
		Code:     "atl-01",
		Name:     " Atlanta Branch ",
		Type:     LocationBranch,
		Address:  contact.Address{Line1: "1200 Main St", City: "Atlanta", State: "GA", PostalCode: "30301"},
		Phone:    contact.Phone{Number: "404-555-0123"},
		NPI:      "1234567893",
		TimeZone: "America/New_York",
	}
}

func TestNewLocation(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(v *LocationValues)
		wantFields []string
	}{
		{name: "valid", edit: func(*LocationValues) {}},
		{name: "no npi, no phone", edit: func(v *LocationValues) { v.NPI, v.Phone = "", contact.Phone{} }},
		{name: "type required", edit: func(v *LocationValues) { v.Type = "" }, wantFields: []string{"type"}},
		{name: "unknown type", edit: func(v *LocationValues) { v.Type = "store" }, wantFields: []string{"type"}},
		{name: "address required", edit: func(v *LocationValues) { v.Address = contact.Address{} }, wantFields: []string{"address"}},
		{name: "bad state", edit: func(v *LocationValues) { v.Address.State = "XX" }, wantFields: []string{"address.state"}},
		{name: "bad npi check digit", edit: func(v *LocationValues) { v.NPI = "1234567890" }, wantFields: []string{"npi"}},
		{name: "bad phone", edit: func(v *LocationValues) { v.Phone.Number = "000-555-0123" }, wantFields: []string{"phone.number"}},
		{name: "bad time zone", edit: func(v *LocationValues) { v.TimeZone = "Mars/Olympus" }, wantFields: []string{"timeZone"}},
		{name: "UTC is not a location's zone", edit: func(v *LocationValues) { v.TimeZone = "UTC" }, wantFields: []string{"timeZone"}},
		{name: "code too long", edit: func(v *LocationValues) { v.Code = strings.Repeat("A", 21) }, wantFields: []string{"code"}},
		{name: "code with a space", edit: func(v *LocationValues) { v.Code = "ATL 1" }, wantFields: []string{"code"}},
		{name: "name blank", edit: func(v *LocationValues) { v.Name = "  " }, wantFields: []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validLocation()
			tt.edit(&v)
			l, err := NewLocation("l1", "c1", v, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil || tt.name != "valid" {
				return
			}
			want := &Location{ID: "l1", CompanyID: "c1", Code: "ATL-01", Name: "Atlanta Branch", Type: LocationBranch,
				Address: v.Address, Phone: contact.Phone{Number: "+14045550123"}, NPI: "1234567893", TimeZone: "America/New_York",
				Version: 1, CreateTime: now, UpdateTime: now}
			if diff := cmp.Diff(want, l); diff != "" {
				t.Errorf("location (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocationLifecycle(t *testing.T) {
	l, err := NewLocation("l1", "c1", validLocation(), now)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	if err := l.Update([]LocationField{LocationName}, LocationValues{Name: "Renamed", Code: "IGNORED"}, later); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if l.Name != "Renamed" || l.Code != "ATL-01" || !l.UpdateTime.Equal(later) {
		t.Errorf("after update: %+v", l)
	}
	errstest.Check(t, l.Undelete(later), false, errs.KindAlreadyExists, "")
	if err := l.Delete(later); err != nil || !l.Deleted() {
		t.Fatalf("Delete: %v, deleted %v", err, l.Deleted())
	}
	errstest.Check(t, l.Delete(later), false, errs.KindFailedPrecondition, ReasonLocationDeleted)
	errstest.Check(t, l.Update([]LocationField{LocationName}, LocationValues{Name: "x"}, later), false, errs.KindFailedPrecondition, ReasonLocationDeleted)
	if err := l.Undelete(later); err != nil || l.Deleted() {
		t.Fatalf("Undelete: %v, deleted %v", err, l.Deleted())
	}
}

func TestLocationUpdateIsAllOrNothing(t *testing.T) {
	l, _ := NewLocation("l1", "c1", validLocation(), now)
	before := *l
	err := l.Update([]LocationField{LocationName, LocationTimeZone}, LocationValues{Name: "New", TimeZone: "Nowhere"}, now)
	if diff := cmp.Diff([]string{"timeZone"}, errstest.Fields(t, err)); diff != "" {
		t.Fatalf("violations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, *l); diff != "" {
		t.Errorf("refused update changed the location (-before +after):\n%s", diff)
	}
}

func TestLocationUpdateAddressParts(t *testing.T) {
	l, _ := NewLocation("l1", "c1", validLocation(), now)
	err := l.Update([]LocationField{"address.city", "address.postal_code", "phone.extension"},
		LocationValues{Address: contact.Address{City: "Decatur", PostalCode: "300309999", Line1: "ignored"}, Phone: contact.Phone{Extension: "42"}}, now)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := contact.Address{Line1: "1200 Main St", City: "Decatur", State: "GA", PostalCode: "30030-9999"}
	if diff := cmp.Diff(want, l.Address); diff != "" {
		t.Errorf("address (-want +got):\n%s", diff)
	}
	if l.Phone != (contact.Phone{Number: "+14045550123", Extension: "42"}) {
		t.Errorf("phone = %+v", l.Phone)
	}
	err = l.Update([]LocationField{"address.line1", "address.country"}, LocationValues{}, now)
	if diff := cmp.Diff([]string{"address.country", "address.line1"}, errstest.Fields(t, err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}
