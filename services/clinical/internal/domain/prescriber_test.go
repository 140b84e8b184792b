package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func validPrescriber() PrescriberValues {
	return PrescriberValues{
		NPI:           " 1234567893 ",
		FirstName:     " Grace ",
		LastName:      "Hopper",
		Credentials:   " MD,  PhD ",
		PECOSEnrolled: true,
		Address:       contact.Address{Line1: "1 Clinic Way", City: "Atlanta", State: "GA", PostalCode: "30303"},
		Phone:         contact.Phone{Number: "404-555-0100", Extension: "12"},
		Fax:           contact.Phone{Number: "404-555-0101"},
	}
}

func TestNewPrescriber(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(v *PrescriberValues)
		wantFields []string
	}{
		{name: "valid", edit: func(*PrescriberValues) {}},
		{name: "only what is required", edit: func(v *PrescriberValues) {
			*v = PrescriberValues{NPI: "1234567893", FirstName: "G", LastName: "H"}
		}},
		{name: "npi required", edit: func(v *PrescriberValues) { v.NPI = "" }, wantFields: []string{"npi"}},
		{name: "npi check digit", edit: func(v *PrescriberValues) { v.NPI = "1234567890" }, wantFields: []string{"npi"}},
		{name: "npi starting with 3", edit: func(v *PrescriberValues) { v.NPI = "3234567893" }, wantFields: []string{"npi"}},
		{name: "npi with a dash", edit: func(v *PrescriberValues) { v.NPI = "123456789-3" }, wantFields: []string{"npi"}},
		{name: "names required", edit: func(v *PrescriberValues) { v.FirstName, v.LastName = "", " " }, wantFields: []string{"firstName", "lastName"}},
		{name: "name too long", edit: func(v *PrescriberValues) { v.LastName = strings.Repeat("h", 51) }, wantFields: []string{"lastName"}},
		{name: "credentials PA-C", edit: func(v *PrescriberValues) { v.Credentials = "PA-C" }},
		{name: "credentials M.D./MPH", edit: func(v *PrescriberValues) { v.Credentials = "M.D./MPH" }},
		{name: "credentials with a symbol", edit: func(v *PrescriberValues) { v.Credentials = "MD*" }, wantFields: []string{"credentials"}},
		{name: "credentials too long", edit: func(v *PrescriberValues) { v.Credentials = "MD PhD MPH FACP FAAFP" }, wantFields: []string{"credentials"}},
		{name: "fax with an extension", edit: func(v *PrescriberValues) { v.Fax.Extension = "3" }, wantFields: []string{"fax.extension"}},
		{name: "contacts checked", edit: func(v *PrescriberValues) {
			v.Address.PostalCode, v.Phone.Number, v.Fax.Number = "303", "000-555-0100", "1"
		}, wantFields: []string{"address.postalCode", "phone.number", "fax.number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validPrescriber()
			tt.edit(&v)
			p, err := NewPrescriber(prescriberID, companyID, v, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil || tt.name != "valid" {
				return
			}
			want := &Prescriber{ID: prescriberID, CompanyID: companyID, NPI: "1234567893", FirstName: "Grace", LastName: "Hopper",
				Credentials: "MD, PhD", PECOSEnrolled: true,
				Address: contact.Address{Line1: "1 Clinic Way", City: "Atlanta", State: "GA", PostalCode: "30303"},
				Phone:   contact.Phone{Number: "+14045550100", Extension: "12"},
				Fax:     contact.Phone{Number: "+14045550101", Kind: contact.PhoneKindFax},
				Active:  true, Version: 1, CreateTime: now, UpdateTime: now}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("prescriber (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrescriberUpdate(t *testing.T) {
	p, err := NewPrescriber(prescriberID, companyID, validPrescriber(), now)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	err = p.Update([]PrescriberField{"fax.number", PrescriberActive, PrescriberPECOSEnrolled}, PrescriberValues{Fax: contact.Phone{Number: "(678) 555-0199"}}, later)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if p.Fax != (contact.Phone{Number: "+16785550199", Kind: contact.PhoneKindFax}) || p.Active || p.PECOSEnrolled || !p.UpdateTime.Equal(later) {
		t.Errorf("after update: %+v", p)
	}
	if err := p.Update([]PrescriberField{PrescriberFax}, PrescriberValues{}, later); err != nil || !p.Fax.IsZero() {
		t.Errorf("clearing the fax: %v, %+v", err, p.Fax)
	}
	before := *p
	err = p.Update([]PrescriberField{PrescriberNPI, "fax.kind", "email"}, PrescriberValues{NPI: "1"}, later)
	if diff := cmp.Diff([]string{"npi", "email"}, errstest.Fields(t, err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, *p); diff != "" {
		t.Errorf("refused update changed the prescriber (-before +after):\n%s", diff)
	}
}

func FuzzNormalizeNPI(f *testing.F) {
	for _, s := range []string{"1234567893", " 1234567893", "1234567890", "2000000008", "12345678931", "１234567893"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		npi, err := NormalizeNPI(in)
		if err != nil {
			return
		}
		if len(npi) != 10 || npi != strings.TrimSpace(in) {
			t.Fatalf("NormalizeNPI(%q) = %q", in, npi)
		}
		if again, err := NormalizeNPI(npi); err != nil || again != npi {
			t.Fatalf("not idempotent on %q", npi)
		}
	})
}
