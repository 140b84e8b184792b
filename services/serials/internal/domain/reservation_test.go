package domain

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

func TestCheckReservable(t *testing.T) {
	today := civil.Date{Year: 2026, Month: time.March, Day: 2}
	tests := []struct {
		name string
		u    *Unit
		want []ValidationReason // the precondition violations, in order; the first is the reason
	}{
		{"on hand in the warehouse", equipmentWith(func(*Unit) {}), nil},
		{"maintenance due today, lot expiring today", equipmentWith(func(u *Unit) { u.NextMaintenanceDue, u.LotExpiry = today, today }), nil},
		{"in another warehouse", equipmentWith(func(u *Unit) { u.WarehouseID = wh2 }), []ValidationReason{ReasonWrongWarehouse}},
		{"reserved already", equipmentWith(func(u *Unit) { u.Status = StatusReserved }), []ValidationReason{ReasonStatusDisallows}},
		{"recalled", equipmentWith(func(u *Unit) { u.Recalled = true }), []ValidationReason{ReasonRecalled}},
		{"maintenance overdue", equipmentWith(func(u *Unit) { u.NextMaintenanceDue = today.AddDays(-1) }), []ValidationReason{ReasonMaintenanceOverdue}},
		{"lot expired", equipmentWith(func(u *Unit) { u.LotExpiry = today.AddDays(-1) }), []ValidationReason{ReasonLotExpired}},
		{"every reason at once", equipmentWith(func(u *Unit) {
			u.WarehouseID, u.Status, u.Recalled, u.NextMaintenanceDue, u.LotExpiry = wh2, StatusRented, true, today.AddDays(-1), today.AddDays(-1)
		}), []ValidationReason{ReasonWrongWarehouse, ReasonStatusDisallows, ReasonRecalled, ReasonMaintenanceOverdue, ReasonLotExpired}},
	}
	for _, tt := range tests {
		err := CheckReservable(tt.u, wh1, today)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: %v, want reservable", tt.name, err)
			}
			continue
		}
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.KindFailedPrecondition || e.Reason != string(tt.want[0]) {
			t.Errorf("%s: %v, want FAILED_PRECONDITION %s", tt.name, err, tt.want[0])
			continue
		}
		var got []ValidationReason
		for _, p := range e.Preconditions {
			got = append(got, ValidationReason(p.Type))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: violations %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFulfillmentRefusal(t *testing.T) {
	rented := received(ClassEquipment)
	rented.Status, rented.CurrentPatientID = StatusRented, pat2
	_, _, heldElsewhere := rented.Apply(UnitTransaction{Kind: TxReturn, PatientID: pat1, OrderLineID: line1})
	_, _, notAllowed := received(ClassEquipment).Apply(UnitTransaction{Kind: TxReturn, OrderLineID: line1})
	recalled := received(ClassEquipment)
	recalled.Recalled = true
	_, _, recall := recalled.Apply(UnitTransaction{Kind: TxRent, PatientID: pat1, OrderLineID: line1})
	tests := []struct {
		name   string
		err    error
		status UnitStatus
		want   string
		ok     bool
	}{
		{"unknown unit", errs.NotFound("unit", "u-9"), "", ReasonUnitNotFound, true},
		{"recalled", recall, StatusOnHand, ReasonUnitRecalled, true},
		{"not allowed from its status", notAllowed, StatusOnHand, "UNIT_STATUS_ON_HAND", true},
		{"rented to another patient", heldElsewhere, StatusRented, "UNIT_STATUS_RENTED", true},
		{"lost", errs.Unmet(ReasonTransitionNotAllowed, "x"), StatusLost, "UNIT_STATUS_LOST", true},
		{"a database failure", errors.New("connection reset"), StatusOnHand, "", false},
		{"unavailable", errs.Unavailable("company", nil), StatusOnHand, "", false},
	}
	for _, tt := range tests {
		got, ok := FulfillmentRefusal(tt.err, tt.status)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: FulfillmentRefusal(%v, %s) = %q, %v; want %q, %v", tt.name, tt.err, tt.status, got, ok, tt.want, tt.ok)
		}
	}
}
