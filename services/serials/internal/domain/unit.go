package domain

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// Unit is one serial-numbered piece of equipment. Its status, warehouse
// and patients are the projection of its transactions (Apply); the rest is
// what was received with it.
type Unit struct {
	ID           string
	CompanyID    string
	ItemID       string
	Class        UnitClass
	SerialNumber string
	// ManufacturerSerial is the maker's own serial when it differs.
	ManufacturerSerial string
	Lot                string
	LotExpiry          civil.Date
	Status             UnitStatus
	// WarehouseID is where the unit is stocked; during a transfer, the
	// warehouse it is on its way to.
	WarehouseID string
	// CurrentPatientID holds the unit (rented or sold to); LastPatientID
	// held it before, kept for recalls and infection control.
	CurrentPatientID string
	LastPatientID    string
	// OrderLineID is the order line (orders' line id) the unit is reserved
	// for, rented or sold under; empty otherwise.
	OrderLineID string
	// Recalled blocks rent and sell until cleared.
	Recalled           bool
	NextMaintenanceDue civil.Date
	// What came with it when it was received.
	PurchaseDate      civil.Date
	PurchaseCostCents int64
	WarrantyEnd       civil.Date
	Version           int64
	CreateTime        time.Time
	UpdateTime        time.Time
}

// UnitTransaction is one append-only change of a unit.
type UnitTransaction struct {
	Kind TransactionKind
	// PatientID: the patient a rent or sell is for.
	PatientID string
	// WarehouseID: the destination of a transfer out.
	WarehouseID string
	// OrderLineID: the order line the move is made for (a reservation, a
	// delivery, a pickup); empty for a move of the warehouse's own.
	OrderLineID string
	// Note: why, as whoever moved the unit told it (a pickup's reason); at
	// most MaxNoteLength characters.
	Note string
	Time time.Time
}

// MaxNoteLength bounds a transaction's note, in characters.
const MaxNoteLength = 500

// Reasons of unit refusals besides ReasonTransitionNotAllowed.
const (
	ReasonUnitRecalled = "UNIT_RECALLED"
	// ReasonUnitHeldElsewhere refuses an order line's move of a unit held
	// for something else: reserved for another line (or by hand), or
	// rented to another patient.
	ReasonUnitHeldElsewhere = "UNIT_HELD_ELSEWHERE"
)

// Apply projects t onto u: the status per Transitions, the warehouse of a
// transfer, the patient of a rent or sell (and the last patient once the
// unit comes back), the order line of a reserve, rent or sell (cleared by
// every other move; a rental converting to a sale keeps its line unless
// the sale names one). The returned delta is how the stock counters move:
// out of the source warehouse's bucket, into the destination's. Nothing in
// u changes when the transaction is refused.
//
// A move made for an order line (t.OrderLineID) takes only a unit that is
// free or the line's own: not one reserved for something else, nor one
// rented to another patient than t.PatientID.
func (u *Unit) Apply(t UnitTransaction) (from, to StockMove, err error) {
	next, err := Next(u.Class, u.Status, t.Kind)
	if err != nil {
		return StockMove{}, StockMove{}, err
	}
	if u.Recalled && (t.Kind == TxRent || t.Kind == TxSell) {
		return StockMove{}, StockMove{}, errs.Unmet(ReasonUnitRecalled, "the unit is under recall and cannot go to a patient",
			errs.PreconditionViolation{Type: "RECALLED", Subject: "units/" + u.ID, Description: "is under recall"})
	}
	if t.OrderLineID != "" {
		if err := u.checkOrderLine(t); err != nil {
			return StockMove{}, StockMove{}, err
		}
	}
	var v errs.Violations
	if utf8.RuneCountInString(t.Note) > MaxNoteLength {
		v.Addf("note", "must be at most %d characters", MaxNoteLength)
	}
	switch t.Kind {
	case TxRent, TxSell:
		if t.PatientID == "" && !(t.Kind == TxSell && u.Status == StatusRented) {
			v.Add("patientId", "is required to "+string(t.Kind)+" a unit")
		}
		if t.Kind == TxSell && u.Status == StatusRented && t.PatientID != "" && t.PatientID != u.CurrentPatientID {
			v.Add("patientId", "must be the patient renting the unit: a rental converts to a sale to its renter")
		}
	case TxTransferOut:
		if t.WarehouseID == "" || t.WarehouseID == u.WarehouseID {
			v.Add("warehouseId", "must be another warehouse")
		}
	}
	if err := v.Err(); err != nil {
		return StockMove{}, StockMove{}, err
	}
	from = StockMove{WarehouseID: u.WarehouseID, Bucket: Bucket(u.Status)}
	switch {
	case t.Kind == TxRent || (t.Kind == TxSell && u.Status != StatusRented):
		u.CurrentPatientID = t.PatientID
	case u.Status == StatusRented && next != StatusSold:
		u.LastPatientID, u.CurrentPatientID = u.CurrentPatientID, ""
	}
	switch {
	case t.Kind == TxReserve || t.Kind == TxRent || (t.Kind == TxSell && (t.OrderLineID != "" || u.Status != StatusRented)):
		u.OrderLineID = t.OrderLineID
	case t.Kind == TxSell:
		// A rental converting to a sale stays under the rental's line.
	default:
		u.OrderLineID = ""
	}
	if t.Kind == TxTransferOut {
		u.WarehouseID = t.WarehouseID
	}
	u.Status = next
	u.Version++
	u.UpdateTime = t.Time
	to = StockMove{WarehouseID: u.WarehouseID, Bucket: Bucket(next)}
	return from, to, nil
}

// checkOrderLine refuses an order line's move of a unit held for
// something else.
func (u *Unit) checkOrderLine(t UnitTransaction) error {
	subject := "units/" + u.ID
	switch {
	case u.Status == StatusReserved && u.OrderLineID != t.OrderLineID:
		return errs.Unmet(ReasonUnitHeldElsewhere, "the unit is reserved for something else than this order line",
			errs.PreconditionViolation{Type: "RESERVED", Subject: subject, Description: "is reserved for another order line"}).
			With("status", string(u.Status))
	case u.Status == StatusRented && t.PatientID != "" && u.CurrentPatientID != t.PatientID:
		return errs.Unmet(ReasonUnitHeldElsewhere, "the unit is rented to another patient",
			errs.PreconditionViolation{Type: "RENTED", Subject: subject, Description: "is rented to another patient"}).
			With("status", string(u.Status))
	}
	return nil
}

// Sequenced returns t timed strictly after the unit's last change. Two
// callers read their clocks before they queue on the unit's lock, so the
// one served second may hold the earlier time; a unit's history must read
// in the order it happened, so its transactions' times only move forward.
func (u *Unit) Sequenced(t UnitTransaction) UnitTransaction {
	if !t.Time.After(u.UpdateTime) {
		t.Time = u.UpdateTime.Add(time.Microsecond)
	}
	return t
}

// StockMove is one side of a unit's stock change: a warehouse's bucket
// (BucketNone: no counter).
type StockMove struct {
	WarehouseID string
	Bucket      StockBucket
}

// Operation is what a caller intends to do with a serial it validates.
type Operation = TransactionKind

// ValidationReason is one reason a serial may not be used as intended.
type ValidationReason string

// Validation reasons, in the order Validate reports them.
const (
	ReasonUnknownSerial      ValidationReason = "UNKNOWN_SERIAL"
	ReasonWrongItem          ValidationReason = "WRONG_ITEM"
	ReasonWrongWarehouse     ValidationReason = "WRONG_WAREHOUSE"
	ReasonStatusDisallows    ValidationReason = "STATUS_DOES_NOT_ALLOW"
	ReasonRecalled           ValidationReason = "RECALLED"
	ReasonMaintenanceOverdue ValidationReason = "MAINTENANCE_OVERDUE"
	ReasonLotExpired         ValidationReason = "LOT_EXPIRED"
)

// Validate answers "may this serial be used for op?" for the unit found
// by its serial (nil when none), as the item and warehouse the caller
// expects ("" means any), on today: every reason it may not, or none.
// Maintenance due today is not yet overdue; a lot expiring today is
// still good.
func Validate(u *Unit, itemID, warehouseID string, op Operation, today civil.Date) []ValidationReason {
	if u == nil {
		return []ValidationReason{ReasonUnknownSerial}
	}
	var out []ValidationReason
	if itemID != "" && u.ItemID != itemID {
		out = append(out, ReasonWrongItem)
	}
	if warehouseID != "" && u.WarehouseID != warehouseID {
		out = append(out, ReasonWrongWarehouse)
	}
	if _, err := Next(u.Class, u.Status, op); err != nil {
		out = append(out, ReasonStatusDisallows)
	}
	if u.Recalled && (op == TxRent || op == TxSell) {
		out = append(out, ReasonRecalled)
	}
	if !u.NextMaintenanceDue.IsZero() && u.NextMaintenanceDue.Before(today) && (op == TxRent || op == TxReserve) {
		out = append(out, ReasonMaintenanceOverdue)
	}
	if !u.LotExpiry.IsZero() && u.LotExpiry.Before(today) && (op == TxRent || op == TxSell || op == TxReserve) {
		out = append(out, ReasonLotExpired)
	}
	return out
}

// String names the unit without any patient.
func (u *Unit) String() string {
	return fmt.Sprintf("unit %s (%s %s)", u.ID, u.Status, u.SerialNumber)
}

// Reasons of refusals around units.
const (
	// ReasonItemHasUnits refuses changing how an item's units behave (its
	// serialized and o2_tank flags) once it has some.
	ReasonItemHasUnits = "ITEM_HAS_UNITS"
	// ReasonUnitNotRented refuses usage readings for a unit no patient
	// rents.
	ReasonUnitNotRented = "UNIT_NOT_RENTED"
)
