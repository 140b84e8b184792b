package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
)

// Receiver relationships: who signed for the equipment when not the
// patient (42 CFR 424.57(c)(12) asks for the relationship).
const (
	RelationshipSelf      = "self"
	RelationshipSpouse    = "spouse"
	RelationshipChild     = "child"
	RelationshipParent    = "parent"
	RelationshipCaregiver = "caregiver"
	RelationshipFacility  = "facility_staff"
	RelationshipOther     = "other"
)

// Relationships lists every receiver relationship.
var Relationships = []string{RelationshipSelf, RelationshipSpouse, RelationshipChild, RelationshipParent,
	RelationshipCaregiver, RelationshipFacility, RelationshipOther}

// DateInvalid is the violation of a date that is missing or not a day of
// the calendar.
const DateInvalid = "must be a valid date"

// MaxReceiverName bounds the name of who signed for a delivery.
const MaxReceiverName = 200

// DeliveredLine is what one order line handed over: its quantity and, for
// a serialized item, the unit's serial number.
type DeliveredLine struct {
	// LineID is the order line; Line its 0-based index in the order.
	LineID       string
	Line         int
	Quantity     int32
	SerialNumber string
}

// ProofOfDelivery is what the supplier must keep for seven years: who
// received the equipment, their relationship to the patient, the signature
// date (which is the date of service), the address and, per line, what was
// delivered. It is never changed; a correction is a new proof naming the
// one it corrects.
type ProofOfDelivery struct {
	ReceiverName string
	Relationship string
	// SignatureDate is the date of service.
	SignatureDate civil.Date
	Address       contact.Address
	Lines         []DeliveredLine
	// Corrects is the id of the proof this one corrects; empty for the
	// first.
	Corrects string
}

// Field violation descriptions of a proof of delivery.
const (
	DeliveryRelationshipUnknown = "must be one of the receiver relationships"
	DeliverySignatureFuture     = "must not be after today: it is the date the receiver signed"
	DeliverySignatureEarly      = "must not be before the order date"
	DeliveryLinesRequired       = "must name every line of the order once"
	DeliveryLineUnknown         = "must be the position (from 0) of one of the order's %d lines"
	DeliveryLineRepeated        = "repeats an earlier line"
	DeliveryQuantityDiffers     = "must be the line's quantity, %d"
	DeliverySerialRequired      = "must be the serial number of the unit delivered"
	DeliverySerialNotAllowed    = "must be empty: the item is not serialized"
)

// SerialSwap is a delivered unit other than the one the line reserved: the
// reservation moves to the unit that was actually delivered, in the same
// step.
type SerialSwap struct {
	Line     int
	Reserved string
	Delivers string
}

// CheckDelivery checks p against the order's lines and dates (orderDate,
// today) and returns it with its address normalized, and the lines whose
// delivered serial differs from the reserved one. Violations name
// "receiverName", "relationship", "signatureDate", "address.<part>",
// "lines" and "lines[i].lineId|quantity|serialNumber". Every line of the
// order is delivered, once, whole.
func CheckDelivery(p ProofOfDelivery, lines []Line, orderDate, today civil.Date) (ProofOfDelivery, []SerialSwap, error) {
	var v errs.Violations
	p.ReceiverName = strings.TrimSpace(p.ReceiverName)
	v.CheckLine("receiverName", p.ReceiverName, true, MaxReceiverName)
	if !slices.Contains(Relationships, p.Relationship) {
		v.Add("relationship", DeliveryRelationshipUnknown)
	}
	switch {
	case !p.SignatureDate.IsValid():
		v.Add("signatureDate", DateInvalid)
	case p.SignatureDate.After(today):
		v.Add("signatureDate", DeliverySignatureFuture)
	case p.SignatureDate.Before(orderDate):
		v.Add("signatureDate", DeliverySignatureEarly)
	}
	addr, err := contact.NormalizeAddress(p.Address, true)
	v.Merge("address", err)
	p.Address = addr
	if len(p.Lines) != len(lines) {
		v.Add("lines", DeliveryLinesRequired)
	}
	var swaps []SerialSwap
	seen := map[int]bool{}
	for i, d := range p.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if d.Line < 0 || d.Line >= len(lines) {
			v.Add(field+".lineId", fmt.Sprintf(DeliveryLineUnknown, len(lines)))
			continue
		}
		if seen[d.Line] {
			v.Add(field+".lineId", DeliveryLineRepeated)
			continue
		}
		seen[d.Line] = true
		d.SerialNumber = strings.ToUpper(strings.TrimSpace(d.SerialNumber))
		p.Lines[i].SerialNumber = d.SerialNumber
		ordered := lines[d.Line]
		if d.Quantity != ordered.Quantity {
			v.Add(field+".quantity", fmt.Sprintf(DeliveryQuantityDiffers, ordered.Quantity))
		}
		switch {
		case ordered.Serialized && d.SerialNumber == "":
			v.Add(field+".serialNumber", DeliverySerialRequired)
		case !ordered.Serialized && d.SerialNumber != "":
			v.Add(field+".serialNumber", DeliverySerialNotAllowed)
		case ordered.Serialized && d.SerialNumber != ordered.SerialNumber:
			swaps = append(swaps, SerialSwap{Line: d.Line, Reserved: ordered.SerialNumber, Delivers: d.SerialNumber})
		}
	}
	if err := v.Err(); err != nil {
		return ProofOfDelivery{}, nil, err
	}
	return p, swaps, nil
}

// PickupReason says why rented equipment came back.
type PickupReason string

// Pickup reasons.
const (
	PickupEndOfNeed        PickupReason = "end_of_need"
	PickupDeath            PickupReason = "death"
	PickupHospice          PickupReason = "hospice"
	PickupSwitchedSupplier PickupReason = "switched_supplier"
	PickupUnpaid           PickupReason = "unpaid"
	PickupExchange         PickupReason = "exchange"
	PickupOther            PickupReason = "other"
)

// PickupReasons lists every pickup reason.
var PickupReasons = []PickupReason{PickupEndOfNeed, PickupDeath, PickupHospice, PickupSwitchedSupplier,
	PickupUnpaid, PickupExchange, PickupOther}

// Pickup ends rental lines: on Date, for Reason (told more in Note), each
// line's unit returned.
type Pickup struct {
	Date   civil.Date
	Reason PickupReason
	Note   string
	Lines  []DeliveredLine
}

// MaxPickupNote bounds a pickup's note.
const MaxPickupNote = 500

// PickupNoteRequired is the violation of a pickup for another reason that
// does not say which.
const PickupNoteRequired = "must say why when the reason is other"

// Field violation descriptions of a pickup.
const (
	PickupReasonUnknown  = "must be one of the pickup reasons"
	PickupBeforeDelivery = "must not be before the date of service"
	PickupNotRental      = "must be a rental line: sold equipment is not picked up"
	PickupAlreadyEnded   = "must be a rental line still out: it was picked up already"
	PickupSerialDiffers  = "must be the serial number of the unit delivered on this line"
	PickupLinesRequired  = "must name at least one rental line"
	PickupDateAfterToday = "must not be after today"
)

// CheckPickup checks p against the order's lines (which are out: ended[i]
// says line i was picked up before), the date of service and today.
// Violations name "pickupDate", "reason", "note", "lines" and
// "lines[i].lineId|serialNumber".
func CheckPickup(p Pickup, lines []Line, ended []bool, dateOfService, today civil.Date) error {
	var v errs.Violations
	switch {
	case !p.Date.IsValid():
		v.Add("pickupDate", DateInvalid)
	case p.Date.Before(dateOfService):
		v.Add("pickupDate", PickupBeforeDelivery)
	case p.Date.After(today):
		v.Add("pickupDate", PickupDateAfterToday)
	}
	if !slices.Contains(PickupReasons, p.Reason) {
		v.Add("reason", PickupReasonUnknown)
	}
	v.CheckText("note", p.Note, false, MaxPickupNote)
	if p.Reason == PickupOther && strings.TrimSpace(p.Note) == "" {
		v.Add("note", PickupNoteRequired)
	}
	if len(p.Lines) == 0 {
		v.Add("lines", PickupLinesRequired)
	}
	seen := map[int]bool{}
	for i, d := range p.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case d.Line < 0 || d.Line >= len(lines):
			v.Add(field+".lineId", fmt.Sprintf(DeliveryLineUnknown, len(lines)))
		case seen[d.Line]:
			v.Add(field+".lineId", DeliveryLineRepeated)
		case !lines[d.Line].Type.Rental():
			v.Add(field+".lineId", PickupNotRental)
		case d.Line < len(ended) && ended[d.Line]:
			v.Add(field+".lineId", PickupAlreadyEnded)
		case lines[d.Line].Serialized && d.SerialNumber != lines[d.Line].SerialNumber:
			v.Add(field+".serialNumber", PickupSerialDiffers)
		}
		if d.Line >= 0 {
			seen[d.Line] = true
		}
	}
	return v.Err()
}

// Delivery is a recorded proof of delivery of an order.
type Delivery struct {
	ID, CompanyID, OrderID string
	ProofOfDelivery
	ActorID    string
	CreateTime time.Time
}

// PickupRecord is a recorded pickup of an order's rental lines.
type PickupRecord struct {
	ID, CompanyID, OrderID string
	Pickup
	ActorID    string
	CreateTime time.Time
}
