package fhir

import (
	"context"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

// Organization is FHIR R4 Organization: the supplier itself.
type Organization struct {
	Base
	Identifier []Identifier      `json:"identifier,omitempty"`
	Active     *bool             `json:"active,omitempty"`
	Type       []CodeableConcept `json:"type,omitempty"`
	Name       string            `json:"name,omitempty"`
	Alias      []string          `json:"alias,omitempty"`
	Telecom    []ContactPoint    `json:"telecom,omitempty"`
	Address    []Address         `json:"address,omitempty"`
}

// systemOrganizationType is FHIR's organization-type code system; a DME
// supplier is a healthcare provider ("prov").
const systemOrganizationType = "http://terminology.hl7.org/CodeSystem/organization-type"

// OrganizationFromProto maps the caller's Company. It is active while the
// company is; a display name differing from the legal name is an alias.
//
// Not mapped: tax id (only its last four digits are ever returned, which
// identify nothing), taxonomy code (no element in R4 Organization), code
// (the sign-in code, not an identifier partners use).
func OrganizationFromProto(c *companyv1.Company) *Organization {
	out := &Organization{
		Base:    Base{ResourceType: "Organization", ID: c.GetId(), Meta: meta(c.GetEtag(), c.GetUpdateTime(), c.GetCreateTime())},
		Type:    []CodeableConcept{{Coding: []Coding{{System: systemOrganizationType, Code: "prov", Display: "Healthcare Provider"}}}},
		Name:    c.GetLegalName(),
		Telecom: contactPoints(phone(c.GetPhone())),
		Address: addresses(address(c.GetAddress(), "work", "")),
	}
	if v := c.GetNpi(); v != "" {
		out.Identifier = []Identifier{{System: SystemNPI, Value: v}}
	}
	if d := c.GetDisplayName(); d != "" && d != c.GetLegalName() {
		out.Alias = []string{d}
	}
	if c.GetStatus() != companyv1.CompanyStatus_COMPANY_STATUS_UNSPECIFIED {
		active := c.GetStatus() == companyv1.CompanyStatus_COMPANY_STATUS_ACTIVE
		out.Active = &active
	}
	return out
}

// organizationResource serves the caller's own company as an Organization.
// A caller sees exactly one company, its own (GetCompany takes no id), so
// any other id is 404, as another tenant's resources are everywhere else.
// Search takes no parameters and returns that one Organization, which is how
// a client learns the id.
func organizationResource(c companyv1.CompanyServiceClient) Resource {
	get := func(ctx context.Context) (*Organization, error) {
		co, err := c.GetCompany(ctx, &companyv1.GetCompanyRequest{}, header(ctx))
		if err != nil {
			return nil, err
		}
		return OrganizationFromProto(co), nil
	}
	return Resource{
		Type: "Organization",
		Read: func(ctx context.Context, id string) (Object, error) {
			o, err := get(ctx)
			if err != nil {
				return nil, err
			}
			if o.ID != id {
				return nil, notFound("Organization/" + id + " not found")
			}
			return o, nil
		},
		Search: &Search{
			Run: func(ctx context.Context, q Query) (Page, error) {
				if q.PageToken != "" {
					// The only page has no next.
					return Page{}, nil
				}
				o, err := get(ctx)
				if err != nil {
					return Page{}, err
				}
				return Page{Resources: []Object{o}}, nil
			},
		},
	}
}
