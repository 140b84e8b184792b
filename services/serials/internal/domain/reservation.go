package domain

import (
	"fmt"
	"slices"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// Reasons a reservation for an order line is refused, besides the
// unit's own (CheckReservable).
const (
	// ReasonNoUnitAvailable: no unit of the item on hand in the warehouse
	// may be held.
	ReasonNoUnitAvailable = "NO_UNIT_AVAILABLE"
	// ReasonOrderLineHoldsAnotherItem: the line holds a unit of another
	// item, to release before reserving one of this item.
	ReasonOrderLineHoldsAnotherItem = "ORDER_LINE_HOLDS_ANOTHER_ITEM"
)

// reservationRefusals describe each reason a unit may not be held for an
// order, as a precondition violation of the unit.
var reservationRefusals = map[ValidationReason]string{
	ReasonWrongWarehouse:     "is in another warehouse",
	ReasonStatusDisallows:    "is not on hand",
	ReasonRecalled:           "is under recall",
	ReasonMaintenanceOverdue: "is overdue for maintenance",
	ReasonLotExpired:         "belongs to an expired lot",
}

// CheckReservable refuses to hold u for an order out of warehouseID on
// today, naming every reason: ValidateSerial's rules for RESERVE (the
// warehouse, the status, maintenance overdue, lot expired), and a recall,
// since a recalled unit could not be delivered. The error's reason is the
// first, in Validate's order (WRONG_WAREHOUSE, STATUS_DOES_NOT_ALLOW,
// RECALLED, MAINTENANCE_OVERDUE, LOT_EXPIRED).
//
// The store's choice of a free unit (ReserveUnit without a serial) selects
// exactly the units this accepts.
func CheckReservable(u *Unit, warehouseID string, today civil.Date) error {
	reasons := Validate(u, "", warehouseID, TxReserve, today)
	if u.Recalled {
		at := 0
		for at < len(reasons) && (reasons[at] == ReasonWrongWarehouse || reasons[at] == ReasonStatusDisallows) {
			at++
		}
		reasons = slices.Insert(reasons, at, ReasonRecalled)
	}
	if len(reasons) == 0 {
		return nil
	}
	violations := make([]errs.PreconditionViolation, len(reasons))
	for i, r := range reasons {
		violations[i] = errs.PreconditionViolation{Type: string(r), Subject: "units/" + u.ID, Description: reservationRefusals[r]}
	}
	return errs.Unmet(string(reasons[0]), fmt.Sprintf("%s cannot be reserved for an order: it %s", u, reservationRefusals[reasons[0]]),
		violations...).With("status", string(u.Status))
}
