// Package device maps serials' units to FHIR Device and serves read and
// search by patient over UnitService and ItemService.
package device

import (
	"context"
	"strings"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
)

// Device is FHIR R4 Device: one serial-numbered unit of the supplier's.
type Device struct {
	r4.Base
	Status         string              `json:"status,omitempty"`
	Manufacturer   string              `json:"manufacturer,omitempty"`
	ExpirationDate string              `json:"expirationDate,omitempty"`
	LotNumber      string              `json:"lotNumber,omitempty"`
	SerialNumber   string              `json:"serialNumber,omitempty"`
	DeviceName     []DeviceName        `json:"deviceName,omitempty"`
	ModelNumber    string              `json:"modelNumber,omitempty"`
	Type           *r4.CodeableConcept `json:"type,omitempty"`
	Property       []DeviceProperty    `json:"property,omitempty"`
	Patient        *r4.Reference       `json:"patient,omitempty"`
	Owner          *r4.Reference       `json:"owner,omitempty"`
	Location       *r4.Reference       `json:"location,omitempty"`
}

// DeviceName is a name of a device.
type DeviceName struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// DeviceProperty is a configured or inherent property of a device.
type DeviceProperty struct {
	Type      r4.CodeableConcept   `json:"type"`
	ValueCode []r4.CodeableConcept `json:"valueCode,omitempty"`
}

// Unit statuses in SystemUnitStatus, the service's names lower-cased.
var unitStatusCodes = map[serialsv1.UnitStatus]string{
	serialsv1.UnitStatus_UNIT_STATUS_ON_HAND:     "on-hand",
	serialsv1.UnitStatus_UNIT_STATUS_RESERVED:    "reserved",
	serialsv1.UnitStatus_UNIT_STATUS_RENTED:      "rented",
	serialsv1.UnitStatus_UNIT_STATUS_SOLD:        "sold",
	serialsv1.UnitStatus_UNIT_STATUS_MAINTENANCE: "maintenance",
	serialsv1.UnitStatus_UNIT_STATUS_IN_TRANSIT:  "in-transit",
	serialsv1.UnitStatus_UNIT_STATUS_EMPTY:       "empty",
	serialsv1.UnitStatus_UNIT_STATUS_SENT:        "sent",
	serialsv1.UnitStatus_UNIT_STATUS_LOST:        "lost",
	serialsv1.UnitStatus_UNIT_STATUS_JUNKED:      "junked",
}

// deviceStatus is FHIR's Device.status of a unit status: a unit is active
// while it is part of the fleet (on hand, held, with a patient, being
// serviced, moving, in the oxygen fill cycle) and inactive once lost or
// scrapped. FHIR's code is about the record, not availability; the exact
// unit status is the property unit-status.
func deviceStatus(s serialsv1.UnitStatus) string {
	switch s {
	case serialsv1.UnitStatus_UNIT_STATUS_UNSPECIFIED:
		return "unknown"
	case serialsv1.UnitStatus_UNIT_STATUS_LOST, serialsv1.UnitStatus_UNIT_STATUS_JUNKED:
		return "inactive"
	}
	if _, known := unitStatusCodes[s]; !known {
		return "unknown"
	}
	return "active"
}

// FromProto maps a serials Unit and its Item (nil when unknown).
//
//   - type is the item's HCPCS code (system SystemHCPCS) with the item's
//     name as text: the unit carries only the item id, so the resource
//     fetches the item.
//   - patient is the renter or owner while the unit is rented or sold (the
//     service clears it on return).
//   - location is the warehouse (Location/<id>) while the unit is there:
//     on hand, reserved, in maintenance or an empty tank. In transit the
//     service's warehouse is the destination, and a rented, sold, sent,
//     lost or scrapped unit is elsewhere, so location is left out.
//   - owner is the supplier (companyID), except for a sold unit, which the
//     patient owns (owner admits only an Organization, so none is named).
//
// Not mapped: the manufacturer's own serial, recall flag, maintenance due
// date, purchase and warranty data, the order line it serves.
func FromProto(u *serialsv1.Unit, item *serialsv1.Item, companyID string) *Device {
	out := &Device{
		Base:           r4.Base{ResourceType: "Device", ID: u.GetId(), Meta: r4.NewMeta(u.GetEtag(), u.GetUpdateTime(), u.GetCreateTime())},
		Status:         deviceStatus(u.GetStatus()),
		ExpirationDate: r4.Date(u.GetLotExpiry()),
		LotNumber:      u.GetLot(),
		SerialNumber:   u.GetSerialNumber(),
		Owner:          r4.Ref("Organization", companyID),
	}
	if code, ok := unitStatusCodes[u.GetStatus()]; ok {
		out.Property = []DeviceProperty{{
			Type:      r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemDeviceProp, Code: "unit-status", Display: "Unit status"}}},
			ValueCode: []r4.CodeableConcept{{Coding: []r4.Coding{{System: r4.SystemUnitStatus, Code: code}}}},
		}}
	}
	switch u.GetStatus() {
	case serialsv1.UnitStatus_UNIT_STATUS_RENTED:
		out.Patient = r4.Ref("Patient", u.GetCurrentPatientId())
	case serialsv1.UnitStatus_UNIT_STATUS_SOLD:
		out.Patient = r4.Ref("Patient", u.GetCurrentPatientId())
		out.Owner = nil
	case serialsv1.UnitStatus_UNIT_STATUS_ON_HAND, serialsv1.UnitStatus_UNIT_STATUS_RESERVED,
		serialsv1.UnitStatus_UNIT_STATUS_MAINTENANCE, serialsv1.UnitStatus_UNIT_STATUS_EMPTY:
		out.Location = r4.Ref("Location", u.GetWarehouseId())
	}
	if item != nil {
		out.Manufacturer = item.GetManufacturer()
		out.ModelNumber = item.GetModel()
		if n := item.GetName(); n != "" {
			out.DeviceName = []DeviceName{{Name: n, Type: "user-friendly-name"}}
		}
		if h := item.GetHcpcs(); h != "" || item.GetName() != "" {
			out.Type = &r4.CodeableConcept{Text: item.GetName()}
			if h != "" {
				out.Type.Coding = []r4.Coding{{System: r4.SystemHCPCS, Code: strings.ToUpper(h)}}
			}
		}
	}
	return out
}

var deviceParams = []restful.SearchParam{
	{Name: "patient", Type: "reference", Documentation: "The patient now renting or owning the unit (id or Patient/id), as serials' ListUnits patient filter: units already returned are not found."},
}

// Resource serves Device from serials' UnitService, with the units'
// items from ItemService for their HCPCS codes (every role that reads
// units reads items). A search reads each distinct item of a page once.
func Resource(units serialsv1.UnitServiceClient, items serialsv1.ItemServiceClient) restful.Resource {
	getItem := func(ctx context.Context, cache map[string]*serialsv1.Item, id string) (*serialsv1.Item, error) {
		if id == "" {
			return nil, nil
		}
		if it, ok := cache[id]; ok {
			return it, nil
		}
		it, err := items.GetItem(ctx, &serialsv1.GetItemRequest{Id: id}, restful.Header(ctx))
		if err != nil {
			return nil, err
		}
		cache[id] = it
		return it, nil
	}
	return restful.Resource{
		Type: "Device",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			u, err := units.GetUnit(ctx, &serialsv1.GetUnitRequest{Id: id}, restful.Header(ctx))
			if err != nil {
				return nil, err
			}
			it, err := getItem(ctx, map[string]*serialsv1.Item{}, u.GetItemId())
			if err != nil {
				return nil, err
			}
			return FromProto(u, it, restful.CompanyID(ctx)), nil
		},
		Search: &restful.Search{
			Params: deviceParams,
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				req := &serialsv1.ListUnitsRequest{PageSize: int32(q.Count), PageToken: q.PageToken}
				if v, ok := q.Get("patient"); ok {
					id, err := restful.PatientParam("patient", v)
					if err != nil {
						return restful.Page{}, err
					}
					req.PatientId = id
				}
				resp, err := units.ListUnits(ctx, req, restful.Header(ctx))
				if err != nil {
					return restful.Page{}, err
				}
				company, cache := restful.CompanyID(ctx), map[string]*serialsv1.Item{}
				page := restful.Page{NextPageToken: resp.GetNextPageToken()}
				for _, u := range resp.GetUnits() {
					it, err := getItem(ctx, cache, u.GetItemId())
					if err != nil {
						return restful.Page{}, err
					}
					page.Resources = append(page.Resources, FromProto(u, it, company))
				}
				return page, nil
			},
		},
	}
}
