// Package supplydelivery maps a delivered order line and its latest proof
// of delivery to FHIR SupplyDelivery and serves read and search by patient
// over OrderService.
package supplydelivery

import (
	"context"
	"strings"

	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/location"
	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
)

// SupplyDelivery is FHIR R4 SupplyDelivery: what one order line handed
// over, by its proof of delivery.
type SupplyDelivery struct {
	r4.Base
	Contained          []r4.Object         `json:"contained,omitempty"`
	Identifier         []r4.Identifier     `json:"identifier,omitempty"`
	Status             string              `json:"status"`
	Patient            *r4.Reference       `json:"patient,omitempty"`
	Type               *r4.CodeableConcept `json:"type,omitempty"`
	SuppliedItem       *SuppliedItem       `json:"suppliedItem,omitempty"`
	OccurrenceDateTime string              `json:"occurrenceDateTime,omitempty"`
	Destination        *r4.Reference       `json:"destination,omitempty"`
}

// SuppliedItem is what was supplied and how much.
type SuppliedItem struct {
	Quantity            *r4.Quantity        `json:"quantity,omitempty"`
	ItemCodeableConcept *r4.CodeableConcept `json:"itemCodeableConcept,omitempty"`
	ItemReference       *r4.Reference       `json:"itemReference,omitempty"`
}

// systemSupplyItemType is FHIR's supply item type; DME is a device.
const systemSupplyItemType = "http://terminology.hl7.org/CodeSystem/supply-item-type"

// destinationID is the local id of the contained Location holding the
// delivery address.
const destinationID = "destination"

// FromProto maps what line l of order o handed over, by
// proof d and its delivered line dl.
//
//   - The id is the line's DeviceRequest id (order and line, see
//     compositeID): one SupplyDelivery per delivered line, because R4's
//     suppliedItem holds one item and a proof names every line. A line
//     shows its latest proof, so a corrected proof replaces the first.
//   - status is completed: a proof exists only once handed over.
//   - The order is not basedOn: R4 admits only SupplyRequest there. The
//     identifiers link it instead: the order (SystemOrderID, the
//     DeviceRequest's groupIdentifier), the order line (SystemOrderLineID,
//     the DeviceRequest's identifier) and the proof (SystemDeliveryID).
//   - suppliedItem is the unit handed over (Device/<unit id>, displayed as
//     HCPCS and serial) for a serialized line, so recalls can follow it,
//     and the HCPCS code otherwise; its quantity the quantity delivered.
//   - occurrenceDateTime is the signature date, the date of service.
//   - destination is the delivery address, as a contained Location: the
//     address is the patient's, with no Location of its own.
//
// Not mapped: the receiver's name and relationship (receiver admits only
// a Practitioner or PractitionerRole, and whoever signs is the patient or a
// caregiver), who recorded it.
func FromProto(o *ordersv1.Order, l *ordersv1.OrderLine, d *ordersv1.Delivery, dl *ordersv1.DeliveredLine) *SupplyDelivery {
	out := &SupplyDelivery{
		Base:               r4.Base{ResourceType: "SupplyDelivery", ID: devicerequest.ID(o.GetId(), l.GetId()), Meta: r4.NewMeta("", nil, d.GetCreateTime())},
		Status:             "completed",
		Patient:            r4.Ref("Patient", o.GetPatientId()),
		Type:               &r4.CodeableConcept{Coding: []r4.Coding{{System: systemSupplyItemType, Code: "device", Display: "Device"}}},
		OccurrenceDateTime: r4.Date(d.GetSignatureDate()),
	}
	for _, id := range []r4.Identifier{
		{System: r4.SystemOrderID, Value: o.GetId()},
		{System: r4.SystemOrderLineID, Value: l.GetId()},
		{System: r4.SystemDeliveryID, Value: d.GetId()},
	} {
		if id.Value != "" {
			out.Identifier = append(out.Identifier, id)
		}
	}
	item := &SuppliedItem{}
	if n := dl.GetQuantity(); n > 0 {
		item.Quantity = &r4.Quantity{Value: int64(n)}
	}
	hcpcs := strings.ToUpper(l.GetHcpcs())
	if unit := l.GetUnitId(); unit != "" && l.GetSerialized() {
		item.ItemReference = &r4.Reference{Reference: "Device/" + unit, Display: r4.JoinNonEmpty(hcpcs, serialDisplay(dl.GetSerialNumber()))}
	} else if hcpcs != "" {
		item.ItemCodeableConcept = &r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemHCPCS, Code: hcpcs}}}
	}
	if *item != (SuppliedItem{}) {
		out.SuppliedItem = item
	}
	if a := r4.NewAddress(d.GetAddress(), "", "physical"); a != nil {
		out.Contained = []r4.Object{&location.Location{Base: r4.Base{ResourceType: "Location", ID: destinationID}, Address: a}}
		out.Destination = &r4.Reference{Reference: "#" + destinationID}
	}
	return out
}

func serialDisplay(serial string) string {
	if serial == "" {
		return ""
	}
	return "serial " + serial
}

// deliveredLines returns, for each line of o a proof names, the latest
// proof naming it with what it handed over; lines in the order's order.
func deliveredLines(o *ordersv1.Order, deliveries []*ordersv1.Delivery) []r4.Object {
	type latest struct {
		d  *ordersv1.Delivery
		dl *ordersv1.DeliveredLine
	}
	byLine := map[string]latest{}
	for _, d := range deliveries { // oldest first: later proofs win
		for _, dl := range d.GetLines() {
			byLine[dl.GetLineId()] = latest{d, dl}
		}
	}
	var out []r4.Object
	for _, l := range o.GetLines() {
		if x, ok := byLine[l.GetId()]; ok && l.GetId() != "" {
			out = append(out, FromProto(o, l, x.d, x.dl))
		}
	}
	return out
}

// delivered reports whether an order can have proofs of delivery.
func delivered(s ordersv1.OrderStatus) bool {
	return s == ordersv1.OrderStatus_ORDER_STATUS_DELIVERED || s == ordersv1.OrderStatus_ORDER_STATUS_CLOSED
}

var supplyDeliveryParams = []restful.SearchParam{
	{Name: "patient", Type: "reference", Documentation: "The order's patient (id or Patient/id); required, since deliveries are listed per order and orders per patient."},
}

// Resource serves SupplyDelivery from orders' OrderService:
// GetOrder and ListDeliveries for a read; for a search, the patient's
// orders, and the proofs of those delivered or closed. _count counts
// delivered lines.
func Resource(c ordersv1.OrderServiceClient) restful.Resource {
	list := func(ctx context.Context, o *ordersv1.Order) ([]r4.Object, error) {
		resp, err := c.ListDeliveries(ctx, &ordersv1.ListDeliveriesRequest{OrderId: o.GetId()}, restful.Header(ctx))
		if err != nil {
			return nil, err
		}
		return deliveredLines(o, resp.GetDeliveries()), nil
	}
	return restful.Resource{
		Type: "SupplyDelivery",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			orderID, lineID, ok := r4.SplitID(id)
			if !ok {
				return nil, restful.NotFound("SupplyDelivery/" + id + " not found")
			}
			o, err := c.GetOrder(ctx, &ordersv1.GetOrderRequest{Id: orderID}, restful.Header(ctx))
			if err != nil {
				return nil, err
			}
			if devicerequest.FindLine(o, lineID) == nil {
				return nil, restful.NotFound("SupplyDelivery/" + id + " not found")
			}
			all, err := list(ctx, o)
			if err != nil {
				return nil, err
			}
			for _, sd := range all {
				if sd.Common().ID == id {
					return sd, nil
				}
			}
			return nil, restful.NotFound("SupplyDelivery/" + id + " not found: the line has no proof of delivery")
		},
		Search: &restful.Search{
			Params: supplyDeliveryParams,
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				patientID, err := restful.RequirePatient(q, "")
				if err != nil {
					return restful.Page{}, err
				}
				return restful.ChildPage(ctx, q, devicerequest.ListOrders(c, &ordersv1.ListOrdersRequest{PatientId: patientID}),
					func(ctx context.Context, o *ordersv1.Order) ([]r4.Object, error) {
						if !delivered(o.GetStatus()) {
							return nil, nil
						}
						return list(ctx, o)
					})
			},
		},
	}
}
