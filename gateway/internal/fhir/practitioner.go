package fhir

import (
	"context"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// Practitioner is FHIR R4 Practitioner, as far as clinical's Prescriber
// fills it.
type Practitioner struct {
	Base
	Identifier []Identifier   `json:"identifier,omitempty"`
	Active     *bool          `json:"active,omitempty"`
	Name       []HumanName    `json:"name,omitempty"`
	Telecom    []ContactPoint `json:"telecom,omitempty"`
	Address    []Address      `json:"address,omitempty"`
}

// PractitionerFromProto maps a clinical Prescriber. Credentials ("MD",
// "NP") are the name's suffix, as FHIR's HumanName.suffix holds them.
//
// Not mapped: PECOS enrollment (a Medicare enrollment status FHIR R4 has no
// element for; a future extension).
func PractitionerFromProto(p *clinicalv1.Prescriber) *Practitioner {
	out := &Practitioner{
		Base:    Base{ResourceType: "Practitioner", ID: p.GetId(), Meta: meta(p.GetEtag(), p.GetUpdateTime(), p.GetCreateTime())},
		Telecom: contactPoints(phone(p.GetPhone()), fax(phone(p.GetFax()))),
		Address: addresses(address(p.GetAddress(), "work", "")),
	}
	if v := p.GetNpi(); v != "" {
		out.Identifier = []Identifier{{System: SystemNPI, Value: v}}
	}
	active := p.GetActive()
	out.Active = &active
	if p.GetFirstName() != "" || p.GetLastName() != "" {
		out.Name = []HumanName{{
			Use:    "official",
			Family: p.GetLastName(),
			Given:  nonEmpty(p.GetFirstName()),
			Suffix: nonEmpty(p.GetCredentials()),
		}}
	}
	return out
}

// fax marks a contact point as a fax whatever kind the number was given.
func fax(c *ContactPoint) *ContactPoint {
	if c != nil {
		c.System, c.Use = "fax", ""
	}
	return c
}

var practitionerParams = []SearchParam{
	{Name: "identifier", Type: "token", Documentation: "NPI (system " + SystemNPI + ", or no system), exact."},
	{Name: "name", Type: "string", Documentation: "Start of the family name (other name parts are not searched)."},
	{Name: "family", Type: "string", Documentation: "Start of the family name."},
}

// practitionerResource serves Practitioner from clinical's
// PrescriberService. Searches include inactive prescribers (Practitioner.
// active tells them apart).
func practitionerResource(c clinicalv1.PrescriberServiceClient) Resource {
	return Resource{
		Type: "Practitioner",
		Read: func(ctx context.Context, id string) (Object, error) {
			p, err := c.GetPrescriber(ctx, &clinicalv1.GetPrescriberRequest{Id: id}, header(ctx))
			if err != nil {
				return nil, err
			}
			return PractitionerFromProto(p), nil
		},
		Search: &Search{
			Params: practitionerParams,
			Run: func(ctx context.Context, q Query) (Page, error) {
				req := &clinicalv1.ListPrescribersRequest{PageSize: int32(q.Count), PageToken: q.PageToken, ShowInactive: true}
				if v, ok := q.Get("identifier"); ok {
					system, value := splitToken(v)
					if system != "" && system != SystemNPI {
						return Page{}, invalid("identifier system " + system + " is not searchable; use " + SystemNPI)
					}
					req.Npi = value
				}
				name, hasName := q.Get("name")
				family, hasFamily := q.Get("family")
				if hasName && hasFamily {
					return Page{}, invalid("give name or family, not both: both search the family name")
				}
				if hasName {
					family = name
				}
				req.LastNamePrefix = family
				resp, err := c.ListPrescribers(ctx, req, header(ctx))
				if err != nil {
					return Page{}, err
				}
				page := Page{NextPageToken: resp.GetNextPageToken()}
				for _, p := range resp.GetPrescribers() {
					page.Resources = append(page.Resources, PractitionerFromProto(p))
				}
				return page, nil
			},
		},
	}
}
