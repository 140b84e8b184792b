// Package organization serves the caller's own company as a FHIR
// Organization over CompanyService.
package organization

import (
	"context"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

// Organization is FHIR R4 Organization: the supplier itself.
type Organization struct {
	r4.Base
	Identifier []r4.Identifier      `json:"identifier,omitempty"`
	Active     *bool                `json:"active,omitempty"`
	Type       []r4.CodeableConcept `json:"type,omitempty"`
	Name       string               `json:"name,omitempty"`
	Alias      []string             `json:"alias,omitempty"`
	Telecom    []r4.ContactPoint    `json:"telecom,omitempty"`
	Address    []r4.Address         `json:"address,omitempty"`
}

// systemOrganizationType is FHIR's organization-type code system; a DME
// supplier is a healthcare provider ("prov").
const systemOrganizationType = "http://terminology.hl7.org/CodeSystem/organization-type"

// FromProto maps the caller's Company. It is active while the
// company is; a display name differing from the legal name is an alias.
//
// Not mapped: tax id (only its last four digits are ever returned, which
// identify nothing), taxonomy code (no element in R4 Organization), code
// (the sign-in code, not an identifier partners use).
func FromProto(c *companyv1.Company) *Organization {
	out := &Organization{
		Base:    r4.Base{ResourceType: "Organization", ID: c.GetId(), Meta: r4.NewMeta(c.GetEtag(), c.GetUpdateTime(), c.GetCreateTime())},
		Type:    []r4.CodeableConcept{{Coding: []r4.Coding{{System: systemOrganizationType, Code: "prov", Display: "Healthcare Provider"}}}},
		Name:    c.GetLegalName(),
		Telecom: r4.ContactPoints(r4.Phone(c.GetPhone())),
		Address: r4.Addresses(r4.NewAddress(c.GetAddress(), "work", "")),
	}
	if v := c.GetNpi(); v != "" {
		out.Identifier = []r4.Identifier{{System: r4.SystemNPI, Value: v}}
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

// Resource serves the caller's own company as an Organization.
// A caller sees exactly one company, its own (GetCompany takes no id), so
// any other id is 404, as another tenant's resources are everywhere else.
// Search takes no parameters and returns that one Organization, which is how
// a client learns the id.
func Resource(c companyv1.CompanyServiceClient) restful.Resource {
	get := func(ctx context.Context) (*Organization, error) {
		co, err := c.GetCompany(ctx, &companyv1.GetCompanyRequest{}, restful.Header(ctx))
		if err != nil {
			return nil, err
		}
		return FromProto(co), nil
	}
	return restful.Resource{
		Type: "Organization",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			o, err := get(ctx)
			if err != nil {
				return nil, err
			}
			if o.ID != id {
				return nil, restful.NotFound("Organization/" + id + " not found")
			}
			return o, nil
		},
		Search: &restful.Search{
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				if q.PageToken != "" {
					// The only page has no next.
					return restful.Page{}, nil
				}
				o, err := get(ctx)
				if err != nil {
					return restful.Page{}, err
				}
				return restful.Page{Resources: []r4.Object{o}}, nil
			},
		},
	}
}
