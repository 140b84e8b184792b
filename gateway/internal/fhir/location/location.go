// Package location maps the company's branches and warehouses to FHIR
// Location and serves read and search over LocationService.
package location

import (
	"context"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

// Location is FHIR R4 Location: a branch or warehouse of the supplier.
type Location struct {
	r4.Base
	Extension            []r4.Extension       `json:"extension,omitempty"`
	Identifier           []r4.Identifier      `json:"identifier,omitempty"`
	Status               string               `json:"status,omitempty"`
	Name                 string               `json:"name,omitempty"`
	Mode                 string               `json:"mode,omitempty"`
	Type                 []r4.CodeableConcept `json:"type,omitempty"`
	Telecom              []r4.ContactPoint    `json:"telecom,omitempty"`
	Address              *r4.Address          `json:"address,omitempty"`
	ManagingOrganization *r4.Reference        `json:"managingOrganization,omitempty"`
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

// FromProto maps a company Location. A deleted location is
// inactive (FHIR keeps retired locations readable too); companyID becomes
// managingOrganization.
//
// Not mapped: create time.
func FromProto(l *companyv1.Location, companyID string) *Location {
	out := &Location{
		Base:                 r4.Base{ResourceType: "Location", ID: l.GetId(), Meta: r4.NewMeta(l.GetEtag(), l.GetUpdateTime(), l.GetCreateTime())},
		Status:               "active",
		Name:                 l.GetName(),
		Mode:                 "instance",
		Telecom:              r4.ContactPoints(r4.Phone(l.GetPhone())),
		Address:              r4.NewAddress(l.GetAddress(), "work", "physical"),
		ManagingOrganization: r4.Ref("Organization", companyID),
	}
	if l.GetDeleteTime() != nil {
		out.Status = "inactive"
	}
	if tz := l.GetTimeZone(); tz != "" {
		out.Extension = []r4.Extension{{URL: extensionTimezone, ValueCode: tz}}
	}
	if v := l.GetCode(); v != "" {
		out.Identifier = append(out.Identifier, r4.Identifier{Use: "usual", System: r4.SystemLocationCode, Value: v})
	}
	if v := l.GetNpi(); v != "" {
		out.Identifier = append(out.Identifier, r4.Identifier{System: r4.SystemNPI, Value: v})
	}
	switch l.GetType() {
	case companyv1.LocationType_LOCATION_TYPE_BRANCH:
		out.Type = []r4.CodeableConcept{{Coding: []r4.Coding{{System: r4.SystemLocationType, Code: locationTypeBranch, Display: "Branch"}}}}
	case companyv1.LocationType_LOCATION_TYPE_WAREHOUSE:
		out.Type = []r4.CodeableConcept{{Coding: []r4.Coding{{System: r4.SystemLocationType, Code: locationTypeWarehouse, Display: "Warehouse"}}}}
	}
	return out
}

var locationParams = []restful.SearchParam{
	{Name: "type", Type: "token", Documentation: "branch or warehouse (system " + r4.SystemLocationType + ", or no system)."},
}

// Resource serves Location from company's LocationService.
// Searches include deleted locations (status inactive). LocationService
// cannot filter by name, so name is not a search parameter: filtering
// pages here would return short or empty pages with a next link.
func Resource(c companyv1.LocationServiceClient) restful.Resource {
	return restful.Resource{
		Type: "Location",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			l, err := c.GetLocation(ctx, &companyv1.GetLocationRequest{Id: id}, restful.Header(ctx))
			if err != nil {
				return nil, err
			}
			return FromProto(l, restful.CompanyID(ctx)), nil
		},
		Search: &restful.Search{
			Params: locationParams,
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				req := &companyv1.ListLocationsRequest{PageSize: int32(q.Count), PageToken: q.PageToken, ShowDeleted: true}
				if v, ok := q.Get("type"); ok {
					system, code := restful.SplitToken(v)
					if system != "" && system != r4.SystemLocationType {
						return restful.Page{}, restful.Invalid("type system " + system + " is not searchable; use " + r4.SystemLocationType)
					}
					switch code {
					case locationTypeBranch:
						req.Type = companyv1.LocationType_LOCATION_TYPE_BRANCH
					case locationTypeWarehouse:
						req.Type = companyv1.LocationType_LOCATION_TYPE_WAREHOUSE
					default:
						return restful.Page{}, restful.Invalid("type must be " + locationTypeBranch + " or " + locationTypeWarehouse)
					}
				}
				resp, err := c.ListLocations(ctx, req, restful.Header(ctx))
				if err != nil {
					return restful.Page{}, err
				}
				company := restful.CompanyID(ctx)
				page := restful.Page{NextPageToken: resp.GetNextPageToken()}
				for _, l := range resp.GetLocations() {
					page.Resources = append(page.Resources, FromProto(l, company))
				}
				return page, nil
			},
		},
	}
}
