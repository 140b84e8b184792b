package grpcapi

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// TestEnumTablesAreComplete walks every value of each API enum: each one
// but UNSPECIFIED maps to a domain value and back, and the API name is the
// domain name in upper case (the convention the event payloads rely on).
func TestEnumTablesAreComplete(t *testing.T) {
	for n, name := range companyv1.Role_name {
		r := companyv1.Role(n)
		if r == companyv1.Role_ROLE_UNSPECIFIED {
			continue
		}
		d, ok := roleToDomain[r]
		if !ok {
			t.Errorf("%s has no domain role", name)
			continue
		}
		if roleToProto[d] != r || "ROLE_"+strings.ToUpper(string(d)) != name {
			t.Errorf("%s <-> %q does not round-trip by name", name, d)
		}
		if _, ok := auth.RolePermissions[string(d)]; !ok {
			t.Errorf("%s maps to %q, which the platform's role table lacks", name, d)
		}
	}
	if len(roleToDomain) != len(domain.Roles) {
		t.Errorf("%d API roles for %d domain roles", len(roleToDomain), len(domain.Roles))
	}
	for n, name := range companyv1.LocationType_name {
		typ := companyv1.LocationType(n)
		if d, ok := locationTypeToDomain[typ]; ok && "LOCATION_TYPE_"+strings.ToUpper(string(d)) != name {
			t.Errorf("%s maps to %q", name, d)
		} else if !ok && typ != companyv1.LocationType_LOCATION_TYPE_UNSPECIFIED {
			t.Errorf("%s has no domain type", name)
		}
	}
	for _, s := range []domain.UserStatus{domain.UserActive, domain.UserDeactivated, domain.UserLocked} {
		if p := userStatusToProto[s]; "USER_STATUS_"+strings.ToUpper(string(s)) != p.String() {
			t.Errorf("user status %q maps to %s", s, p)
		}
	}
	for _, s := range []domain.CompanyStatus{domain.CompanyActive, domain.CompanySuspended, domain.CompanyClosed} {
		if p := companyStatusToProto[s]; "COMPANY_STATUS_"+strings.ToUpper(string(s)) != p.String() {
			t.Errorf("company status %q maps to %s", s, p)
		}
	}
}

func TestRolesToDomainKeepsBadValuesRefusable(t *testing.T) {
	got := rolesToDomain([]companyv1.Role{companyv1.Role_ROLE_AUDITOR, companyv1.Role_ROLE_UNSPECIFIED, 42})
	if got[0] != domain.RoleAuditor || got[1].Valid() || got[2].Valid() {
		t.Errorf("rolesToDomain = %q", got)
	}
	if _, err := domain.ParseRoles(domain.RoleNames(got)); err == nil {
		t.Error("ParseRoles accepted UNSPECIFIED and an undefined role")
	}
}

func TestCompanyToProtoNeverShowsTheTaxID(t *testing.T) {
	c := &domain.Company{ID: "c", TaxIDCiphertext: []byte("sealed"), TaxIDLast4: "6789", Status: domain.CompanyActive, Version: 3}
	got := companyToProto(c)
	if got.GetTaxId() != "" || got.GetTaxIdLast4() != "6789" || got.GetEtag() != `"3"` {
		t.Errorf("companyToProto = %v", got)
	}
}

func TestAddressAndPhoneRoundTrip(t *testing.T) {
	a := contact.Address{Line1: "1 Main", Line2: "Ste 2", City: "Atlanta", State: "GA", PostalCode: "30301"}
	if diff := cmp.Diff(a, protoconv.Address(protoconv.AddressProto(a))); diff != "" {
		t.Errorf("address (-want +got):\n%s", diff)
	}
	p := contact.Phone{Number: "+14045550123", Extension: "12", Kind: contact.PhoneKindFax}
	if diff := cmp.Diff(p, protoconv.Phone(protoconv.PhoneProto(p))); diff != "" {
		t.Errorf("phone (-want +got):\n%s", diff)
	}
	if protoconv.AddressProto(contact.Address{}) != nil || protoconv.PhoneProto(contact.Phone{}) != nil {
		t.Error("an empty address or phone is rendered as a message")
	}
}
