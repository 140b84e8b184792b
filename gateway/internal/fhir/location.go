package fhir

import (
	"context"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

// Location is FHIR R4 Location: a branch or warehouse of the supplier.
type Location struct {
	Base
	Extension            []Extension       `json:"extension,omitempty"`
	Identifier           []Identifier      `json:"identifier,omitempty"`
	Status               string            `json:"status,omitempty"`
	Name                 string            `json:"name,omitempty"`
	Mode                 string            `json:"mode,omitempty"`
	Type                 []CodeableConcept `json:"type,omitempty"`
	Telecom              []ContactPoint    `json:"telecom,omitempty"`
	Address              *Address          `json:"address,omitempty"`
	ManagingOrganization *Reference        `json:"managingOrganization,omitempty"`
}

// extensionTimezone is the core extension (FHIR R5, usable in R4) naming a
// location's IANA time zone.
const extensionTimezone = "http://hl7.org/fhir/StructureDefinition/timezone"

// Location types, in AriesOne's own code system: HL7's role codes have no
// plain "branch" or "warehouse".
const (
	locationTypeBranch    = "branch"
	locationTypeWarehouse = "warehouse"
)

// LocationFromProto maps a company Location. A deleted location is
// inactive (FHIR keeps retired locations readable too); companyID becomes
// managingOrganization.
//
// Not mapped: create time.
func LocationFromProto(l *companyv1.Location, companyID string) *Location {
	out := &Location{
		Base:                 Base{ResourceType: "Location", ID: l.GetId(), Meta: meta(l.GetEtag(), l.GetUpdateTime(), l.GetCreateTime())},
		Status:               "active",
		Name:                 l.GetName(),
		Mode:                 "instance",
		Telecom:              contactPoints(phone(l.GetPhone())),
		Address:              address(l.GetAddress(), "work", "physical"),
		ManagingOrganization: reference("Organization", companyID),
	}
	if l.GetDeleteTime() != nil {
		out.Status = "inactive"
	}
	if tz := l.GetTimeZone(); tz != "" {
		out.Extension = []Extension{{URL: extensionTimezone, ValueCode: tz}}
	}
	if v := l.GetCode(); v != "" {
		out.Identifier = append(out.Identifier, Identifier{Use: "usual", System: SystemLocationCode, Value: v})
	}
	if v := l.GetNpi(); v != "" {
		out.Identifier = append(out.Identifier, Identifier{System: SystemNPI, Value: v})
	}
	switch l.GetType() {
	case companyv1.LocationType_LOCATION_TYPE_BRANCH:
		out.Type = []CodeableConcept{{Coding: []Coding{{System: SystemLocationType, Code: locationTypeBranch, Display: "Branch"}}}}
	case companyv1.LocationType_LOCATION_TYPE_WAREHOUSE:
		out.Type = []CodeableConcept{{Coding: []Coding{{System: SystemLocationType, Code: locationTypeWarehouse, Display: "Warehouse"}}}}
	}
	return out
}

var locationParams = []SearchParam{
	{Name: "type", Type: "token", Documentation: "branch or warehouse (system " + SystemLocationType + ", or no system)."},
}

// locationResource serves Location from company's LocationService.
// Searches include deleted locations (status inactive). LocationService
// cannot filter by name, so name is not a search parameter: filtering
// pages here would return short or empty pages with a next link.
func locationResource(c companyv1.LocationServiceClient) Resource {
	return Resource{
		Type: "Location",
		Read: func(ctx context.Context, id string) (Object, error) {
			l, err := c.GetLocation(ctx, &companyv1.GetLocationRequest{Id: id}, header(ctx))
			if err != nil {
				return nil, err
			}
			return LocationFromProto(l, CompanyID(ctx)), nil
		},
		Search: &Search{
			Params: locationParams,
			Run: func(ctx context.Context, q Query) (Page, error) {
				req := &companyv1.ListLocationsRequest{PageSize: int32(q.Count), PageToken: q.PageToken, ShowDeleted: true}
				if v, ok := q.Get("type"); ok {
					system, code := splitToken(v)
					if system != "" && system != SystemLocationType {
						return Page{}, invalid("type system " + system + " is not searchable; use " + SystemLocationType)
					}
					switch code {
					case locationTypeBranch:
						req.Type = companyv1.LocationType_LOCATION_TYPE_BRANCH
					case locationTypeWarehouse:
						req.Type = companyv1.LocationType_LOCATION_TYPE_WAREHOUSE
					default:
						return Page{}, invalid("type must be " + locationTypeBranch + " or " + locationTypeWarehouse)
					}
				}
				resp, err := c.ListLocations(ctx, req, header(ctx))
				if err != nil {
					return Page{}, err
				}
				company := CompanyID(ctx)
				page := Page{NextPageToken: resp.GetNextPageToken()}
				for _, l := range resp.GetLocations() {
					page.Resources = append(page.Resources, LocationFromProto(l, company))
				}
				return page, nil
			},
		},
	}
}
