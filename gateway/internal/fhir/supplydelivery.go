package fhir

import (
	"context"
	"strings"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
)

// SupplyDelivery is FHIR R4 SupplyDelivery: what one order line handed
// over, by its proof of delivery.
type SupplyDelivery struct {
	Base
	Contained          []Object         `json:"contained,omitempty"`
	Identifier         []Identifier     `json:"identifier,omitempty"`
	Status             string           `json:"status"`
	Patient            *Reference       `json:"patient,omitempty"`
	Type               *CodeableConcept `json:"type,omitempty"`
	SuppliedItem       *SuppliedItem    `json:"suppliedItem,omitempty"`
	OccurrenceDateTime string           `json:"occurrenceDateTime,omitempty"`
	Destination        *Reference       `json:"destination,omitempty"`
}

// SuppliedItem is what was supplied and how much.
type SuppliedItem struct {
	Quantity            *Quantity        `json:"quantity,omitempty"`
	ItemCodeableConcept *CodeableConcept `json:"itemCodeableConcept,omitempty"`
	ItemReference       *Reference       `json:"itemReference,omitempty"`
}

// systemSupplyItemType is FHIR's supply item type; DME is a device.
const systemSupplyItemType = "http://terminology.hl7.org/CodeSystem/supply-item-type"

// destinationID is the local id of the contained Location holding the
// delivery address.
const destinationID = "destination"

// SupplyDeliveryFromProto maps what line l of order o handed over, by
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
func SupplyDeliveryFromProto(o *ordersv1.Order, l *ordersv1.OrderLine, d *ordersv1.Delivery, dl *ordersv1.DeliveredLine) *SupplyDelivery {
	out := &SupplyDelivery{
		Base:               Base{ResourceType: "SupplyDelivery", ID: DeviceRequestID(o.GetId(), l.GetId()), Meta: meta("", nil, d.GetCreateTime())},
		Status:             "completed",
		Patient:            reference("Patient", o.GetPatientId()),
		Type:               &CodeableConcept{Coding: []Coding{{System: systemSupplyItemType, Code: "device", Display: "Device"}}},
		OccurrenceDateTime: fhirDate(d.GetSignatureDate()),
	}
	for _, id := range []Identifier{
		{System: SystemOrderID, Value: o.GetId()},
		{System: SystemOrderLineID, Value: l.GetId()},
		{System: SystemDeliveryID, Value: d.GetId()},
	} {
		if id.Value != "" {
			out.Identifier = append(out.Identifier, id)
		}
	}
	item := &SuppliedItem{}
	if n := dl.GetQuantity(); n > 0 {
		item.Quantity = &Quantity{Value: int64(n)}
	}
	hcpcs := strings.ToUpper(l.GetHcpcs())
	if unit := l.GetUnitId(); unit != "" && l.GetSerialized() {
		item.ItemReference = &Reference{Reference: "Device/" + unit, Display: joinNonEmpty(hcpcs, serialDisplay(dl.GetSerialNumber()))}
	} else if hcpcs != "" {
		item.ItemCodeableConcept = &CodeableConcept{Coding: []Coding{{System: SystemHCPCS, Code: hcpcs}}}
	}
	if *item != (SuppliedItem{}) {
		out.SuppliedItem = item
	}
	if a := address(d.GetAddress(), "", "physical"); a != nil {
		out.Contained = []Object{&Location{Base: Base{ResourceType: "Location", ID: destinationID}, Address: a}}
		out.Destination = &Reference{Reference: "#" + destinationID}
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
func deliveredLines(o *ordersv1.Order, deliveries []*ordersv1.Delivery) []Object {
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
	var out []Object
	for _, l := range o.GetLines() {
		if x, ok := byLine[l.GetId()]; ok && l.GetId() != "" {
			out = append(out, SupplyDeliveryFromProto(o, l, x.d, x.dl))
		}
	}
	return out
}

// delivered reports whether an order can have proofs of delivery.
func delivered(s ordersv1.OrderStatus) bool {
	return s == ordersv1.OrderStatus_ORDER_STATUS_DELIVERED || s == ordersv1.OrderStatus_ORDER_STATUS_CLOSED
}

var supplyDeliveryParams = []SearchParam{
	{Name: "patient", Type: "reference", Documentation: "The order's patient (id or Patient/id); required, since deliveries are listed per order and orders per patient."},
}

// supplyDeliveryResource serves SupplyDelivery from orders' OrderService:
// GetOrder and ListDeliveries for a read; for a search, the patient's
// orders, and the proofs of those delivered or closed. _count counts
// delivered lines.
func supplyDeliveryResource(c ordersv1.OrderServiceClient) Resource {
	list := func(ctx context.Context, o *ordersv1.Order) ([]Object, error) {
		resp, err := c.ListDeliveries(ctx, &ordersv1.ListDeliveriesRequest{OrderId: o.GetId()}, header(ctx))
		if err != nil {
			return nil, err
		}
		return deliveredLines(o, resp.GetDeliveries()), nil
	}
	return Resource{
		Type: "SupplyDelivery",
		Read: func(ctx context.Context, id string) (Object, error) {
			orderID, lineID, ok := splitID(id)
			if !ok {
				return nil, notFound("SupplyDelivery/" + id + " not found")
			}
			o, err := c.GetOrder(ctx, &ordersv1.GetOrderRequest{Id: orderID}, header(ctx))
			if err != nil {
				return nil, err
			}
			if findLine(o, lineID) == nil {
				return nil, notFound("SupplyDelivery/" + id + " not found")
			}
			all, err := list(ctx, o)
			if err != nil {
				return nil, err
			}
			for _, sd := range all {
				if sd.base().ID == id {
					return sd, nil
				}
			}
			return nil, notFound("SupplyDelivery/" + id + " not found: the line has no proof of delivery")
		},
		Search: &Search{
			Params: supplyDeliveryParams,
			Run: func(ctx context.Context, q Query) (Page, error) {
				patientID, err := requirePatient(q, "")
				if err != nil {
					return Page{}, err
				}
				return childPage(ctx, q, listOrders(c, &ordersv1.ListOrdersRequest{PatientId: patientID}),
					func(ctx context.Context, o *ordersv1.Order) ([]Object, error) {
						if !delivered(o.GetStatus()) {
							return nil, nil
						}
						return list(ctx, o)
					})
			},
		},
	}
}
