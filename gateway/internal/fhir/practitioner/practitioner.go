// Package practitioner maps clinical's prescribers to FHIR Practitioner
// and serves read and search over PrescriberService.
package practitioner

import (
	"context"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// Practitioner is FHIR R4 Practitioner, as far as clinical's Prescriber
// fills it.
type Practitioner struct {
	r4.Base
	Identifier []r4.Identifier   `json:"identifier,omitempty"`
	Active     *bool             `json:"active,omitempty"`
	Name       []r4.HumanName    `json:"name,omitempty"`
	Telecom    []r4.ContactPoint `json:"telecom,omitempty"`
	Address    []r4.Address      `json:"address,omitempty"`
}

// FromProto maps a clinical Prescriber. Credentials ("MD",
// "NP") are the name's suffix, as FHIR's HumanName.suffix holds them.
//
// Not mapped: PECOS enrollment (a Medicare enrollment status FHIR R4 has no
// element for; a future extension).
func FromProto(p *clinicalv1.Prescriber) *Practitioner {
	out := &Practitioner{
		Base:    r4.Base{ResourceType: "Practitioner", ID: p.GetId(), Meta: r4.NewMeta(p.GetEtag(), p.GetUpdateTime(), p.GetCreateTime())},
		Telecom: r4.ContactPoints(r4.Phone(p.GetPhone()), fax(r4.Phone(p.GetFax()))),
		Address: r4.Addresses(r4.NewAddress(p.GetAddress(), "work", "")),
	}
	if v := p.GetNpi(); v != "" {
		out.Identifier = []r4.Identifier{{System: r4.SystemNPI, Value: v}}
	}
	active := p.GetActive()
	out.Active = &active
	if p.GetFirstName() != "" || p.GetLastName() != "" {
		out.Name = []r4.HumanName{{
			Use:    "official",
			Family: p.GetLastName(),
			Given:  r4.NonEmpty(p.GetFirstName()),
			Suffix: r4.NonEmpty(p.GetCredentials()),
		}}
	}
	return out
}

// fax marks a contact point as a fax whatever kind the number was given.
func fax(c *r4.ContactPoint) *r4.ContactPoint {
	if c != nil {
		c.System, c.Use = "fax", ""
	}
	return c
}

var practitionerParams = []restful.SearchParam{
	{Name: "identifier", Type: "token", Documentation: "NPI (system " + r4.SystemNPI + ", or no system), exact."},
	{Name: "name", Type: "string", Documentation: "Start of the family name (other name parts are not searched)."},
	{Name: "family", Type: "string", Documentation: "Start of the family name."},
}

// Resource serves Practitioner from clinical's
// PrescriberService. Searches include inactive prescribers (Practitioner.
// active tells them apart).
func Resource(c clinicalv1.PrescriberServiceClient) restful.Resource {
	return restful.Resource{
		Type: "Practitioner",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			p, err := c.GetPrescriber(ctx, &clinicalv1.GetPrescriberRequest{Id: id}, restful.Header(ctx))
			if err != nil {
				return nil, err
			}
			return FromProto(p), nil
		},
		Search: &restful.Search{
			Params: practitionerParams,
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				req := &clinicalv1.ListPrescribersRequest{PageSize: int32(q.Count), PageToken: q.PageToken, ShowInactive: true}
				if v, ok := q.Get("identifier"); ok {
					system, value := restful.SplitToken(v)
					if system != "" && system != r4.SystemNPI {
						return restful.Page{}, restful.Invalid("identifier system " + system + " is not searchable; use " + r4.SystemNPI)
					}
					req.Npi = value
				}
				name, hasName := q.Get("name")
				family, hasFamily := q.Get("family")
				if hasName && hasFamily {
					return restful.Page{}, restful.Invalid("give name or family, not both: both search the family name")
				}
				if hasName {
					family = name
				}
				req.LastNamePrefix = family
				resp, err := c.ListPrescribers(ctx, req, restful.Header(ctx))
				if err != nil {
					return restful.Page{}, err
				}
				page := restful.Page{NextPageToken: resp.GetNextPageToken()}
				for _, p := range resp.GetPrescribers() {
					page.Resources = append(page.Resources, FromProto(p))
				}
				return page, nil
			},
		},
	}
}
