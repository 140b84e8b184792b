package domain

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

// fakeSealer "encrypts" reversibly and records the associated data, so tests
// can see what was sealed and how it was bound.
type fakeSealer struct {
	aad  []string
	fail bool
}

func (f *fakeSealer) EncryptString(plain string, aad ...string) ([]byte, error) {
	if f.fail {
		return nil, errors.New("sealer down")
	}
	f.aad = aad
	return []byte("sealed:" + plain), nil
}

func TestNewCompany(t *testing.T) {
	tests := []struct {
		name       string
		code       string
		legalName  string
		wantCode   string
		wantFields []string
	}{
		{name: "valid", code: " Acme-Medical ", legalName: " Acme Medical Supply, LLC ", wantCode: "acme-medical"},
		{name: "two characters", code: "a1", legalName: "A", wantCode: "a1"},
		{name: "leading dash", code: "-acme", legalName: "A", wantFields: []string{"code"}},
		{name: "too short", code: "a", legalName: "A", wantFields: []string{"code"}},
		{name: "too long", code: strings.Repeat("a", 41), legalName: "A", wantFields: []string{"code"}},
		{name: "underscore", code: "acme_med", legalName: "", wantFields: []string{"code", "legalName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCompany("id", tt.code, tt.legalName, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if c.Code != tt.wantCode || c.Status != CompanyActive || c.TaxonomyCode != DefaultTaxonomyCode || c.Version != 1 {
				t.Errorf("company = %+v", c)
			}
		})
	}
}

func TestCompanyUpdate(t *testing.T) {
	base := func() *Company {
		c, err := NewCompany("0195f3a2-0000-7000-8000-0000000000c1", "acme", "Acme", now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	good := CompanyValues{
		LegalName:    "Acme Medical Supply, LLC",
		DisplayName:  "Acme",
		NPI:          "1234567893",
		TaxID:        "12-3456789",
		TaxonomyCode: "332b00000x",
		Address:      contact.Address{Line1: "1200 Main St", City: "Atlanta", State: "ga", PostalCode: "303011234"},
		Phone:        contact.Phone{Number: "(404) 555-0123", Kind: contact.PhoneKindWork},
	}
	tests := []struct {
		name       string
		fields     []CompanyField
		values     CompanyValues
		closed     bool
		wantFields []string
		kind       errs.Kind
		check      func(t *testing.T, c *Company, s *fakeSealer)
	}{
		{name: "every field", fields: CompanyFields, values: good, check: func(t *testing.T, c *Company, s *fakeSealer) {
			want := contact.Address{Line1: "1200 Main St", City: "Atlanta", State: "GA", PostalCode: "30301-1234"}
			if diff := cmp.Diff(want, c.Address); diff != "" {
				t.Errorf("address (-want +got):\n%s", diff)
			}
			if c.Phone.Number != "+14045550123" || c.TaxonomyCode != "332B00000X" || c.NPI != "1234567893" {
				t.Errorf("company = %+v", c)
			}
			if c.TaxIDLast4 != "6789" || string(c.TaxIDCiphertext) != "sealed:123456789" {
				t.Errorf("tax id = %q / %q", c.TaxIDLast4, c.TaxIDCiphertext)
			}
			if diff := cmp.Diff([]string{c.ID, "tax_id"}, s.aad); diff != "" {
				t.Errorf("associated data (-want +got):\n%s", diff)
			}
		}},
		{name: "only the named field changes", fields: []CompanyField{CompanyDisplayName}, values: good, check: func(t *testing.T, c *Company, _ *fakeSealer) {
			if c.DisplayName != "Acme" || c.LegalName != "Acme" || c.NPI != "" || c.TaxIDCiphertext != nil {
				t.Errorf("company = %+v", c)
			}
		}},
		{name: "clear tax id", fields: []CompanyField{CompanyTaxID}, values: CompanyValues{}, check: func(t *testing.T, c *Company, _ *fakeSealer) {
			if c.TaxIDCiphertext != nil || c.TaxIDLast4 != "" {
				t.Errorf("tax id not cleared: %+v", c)
			}
		}},
		{name: "empty taxonomy means the default", fields: []CompanyField{CompanyTaxonomyCode}, values: CompanyValues{}, check: func(t *testing.T, c *Company, _ *fakeSealer) {
			if c.TaxonomyCode != DefaultTaxonomyCode {
				t.Errorf("taxonomy = %q", c.TaxonomyCode)
			}
		}},
		{name: "every field wrong", fields: CompanyFields, values: CompanyValues{
			LegalName: " ", NPI: "1234567890", TaxID: "07-1234567", TaxonomyCode: "332B0000X",
			Address: contact.Address{Line1: "x", City: "y", State: "ZZ", PostalCode: "3030"},
			Phone:   contact.Phone{Number: "555-0123", Extension: "12a"},
		}, kind: errs.KindInvalid, wantFields: []string{"legalName", "npi", "taxId", "taxonomyCode", "address.state", "address.postalCode", "phone.number", "phone.extension"}},
		{name: "closed company", fields: []CompanyField{CompanyDisplayName}, values: good, closed: true, kind: errs.KindFailedPrecondition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			if tt.closed {
				c.Status = CompanyClosed
			}
			before := *c
			s := &fakeSealer{}
			err := c.Update(tt.fields, tt.values, s)
			if tt.kind != 0 {
				errstest.Check(t, err, false, tt.kind, "")
				if tt.wantFields != nil {
					if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
						t.Errorf("violations (-want +got):\n%s", diff)
					}
				}
				if diff := cmp.Diff(before, *c); diff != "" {
					t.Errorf("refused update changed the company (-before +after):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			tt.check(t, c, s)
		})
	}
}

func TestCompanyUpdateSealerFailureIsNotTheClientsFault(t *testing.T) {
	c, _ := NewCompany("id", "acme", "Acme", now)
	err := c.Update([]CompanyField{CompanyTaxID}, CompanyValues{TaxID: "123456789"}, &fakeSealer{fail: true})
	if err == nil || errs.KindOf(err) != errs.KindInternal {
		t.Errorf("err = %v, want an internal error", err)
	}
}

func FuzzNormalizeCompanyCode(f *testing.F) {
	for _, s := range []string{"acme", "Acme-Medical", "-x", "a", "ä-b", strings.Repeat("z", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizeCompanyCode(in)
		if err != nil {
			return
		}
		if !companyCodePattern.MatchString(got) {
			t.Fatalf("NormalizeCompanyCode(%q) = %q, which the pattern refuses", in, got)
		}
		if again, err := NormalizeCompanyCode(got); err != nil || again != got {
			t.Fatalf("not idempotent on %q", got)
		}
	})
}
