package domain

import (
	"fmt"

	"github.com/ariesone/ariesone/platform/errs"
)

// UnitStatus is where a serial-numbered unit stands. It is never written
// directly: it is the projection of the unit's append-only transactions
// (Transitions).
type UnitStatus string

// Unit statuses.
const (
	// StatusOnHand: in a warehouse, free to reserve, rent or sell.
	StatusOnHand UnitStatus = "on_hand"
	// StatusReserved: held on hand for an order.
	StatusReserved UnitStatus = "reserved"
	// StatusRented: with a patient on rental.
	StatusRented UnitStatus = "rented"
	// StatusSold: the patient owns it.
	StatusSold UnitStatus = "sold"
	// StatusMaintenance: being cleaned, repaired or serviced; a unit
	// returned from a rental lands here before anyone else gets it.
	StatusMaintenance UnitStatus = "maintenance"
	// StatusInTransit: between warehouses, in none of them.
	StatusInTransit UnitStatus = "in_transit"
	// StatusEmpty: an oxygen tank back from a patient, to be filled.
	StatusEmpty UnitStatus = "empty"
	// StatusSent: an oxygen tank at the fill vendor.
	StatusSent UnitStatus = "sent"
	// StatusLost and StatusJunked end a unit's life.
	StatusLost   UnitStatus = "lost"
	StatusJunked UnitStatus = "junked"
)

// UnitStatuses lists every status.
var UnitStatuses = []UnitStatus{
	StatusOnHand, StatusReserved, StatusRented, StatusSold, StatusMaintenance,
	StatusInTransit, StatusEmpty, StatusSent, StatusLost, StatusJunked,
}

// TransactionKind is one kind of append-only unit transaction.
type TransactionKind string

// Unit transaction kinds. Receive creates a unit (on hand); every other
// kind moves an existing unit per Transitions.
const (
	TxReceive           TransactionKind = "receive"
	TxReserve           TransactionKind = "reserve"
	TxCancelReservation TransactionKind = "cancel_reservation"
	TxRent              TransactionKind = "rent"
	TxSell              TransactionKind = "sell"
	TxReturn            TransactionKind = "return"
	TxMaintenanceOut    TransactionKind = "maintenance_out"
	TxMaintenanceIn     TransactionKind = "maintenance_in"
	TxTransferOut       TransactionKind = "transfer_out"
	TxTransferIn        TransactionKind = "transfer_in"
	TxLost              TransactionKind = "lost"
	TxJunked            TransactionKind = "junked"
	TxSendForFill       TransactionKind = "send_for_fill"
	TxReceiveFilled     TransactionKind = "receive_filled"
)

// TransactionKinds lists every kind that moves an existing unit.
var TransactionKinds = []TransactionKind{
	TxReserve, TxCancelReservation, TxRent, TxSell, TxReturn, TxMaintenanceOut, TxMaintenanceIn,
	TxTransferOut, TxTransferIn, TxLost, TxJunked, TxSendForFill, TxReceiveFilled,
}

// UnitClass separates the units whose life differs: an oxygen tank goes
// round the fill cycle (rented → empty → sent → on hand) where other
// equipment comes back to maintenance.
type UnitClass string

// Unit classes.
const (
	ClassEquipment UnitClass = "equipment"
	ClassO2Tank    UnitClass = "o2_tank"
)

// move is one allowed transition.
type move struct {
	from UnitStatus
	kind TransactionKind
}

// Transitions is the unit state machine as data, per class: for each
// status and transaction kind allowed from it, the status that results.
// Anything missing is refused. The code that applies transactions and the
// tests read this one table.
var Transitions = map[UnitClass]map[move]UnitStatus{
	ClassEquipment: equipmentMoves(),
	ClassO2Tank:    o2TankMoves(),
}

// commonMoves are the moves every unit makes.
func commonMoves() map[move]UnitStatus {
	return map[move]UnitStatus{
		{StatusOnHand, TxReserve}:             StatusReserved,
		{StatusReserved, TxCancelReservation}: StatusOnHand,
		{StatusOnHand, TxRent}:                StatusRented,
		{StatusReserved, TxRent}:              StatusRented,
		{StatusOnHand, TxSell}:                StatusSold,
		{StatusReserved, TxSell}:              StatusSold,
		// A rental converts to a purchase (capped rental items).
		{StatusRented, TxSell}:               StatusSold,
		{StatusOnHand, TxTransferOut}:        StatusInTransit,
		{StatusInTransit, TxTransferIn}:      StatusOnHand,
		{StatusOnHand, TxLost}:               StatusLost,
		{StatusReserved, TxLost}:             StatusLost,
		{StatusRented, TxLost}:               StatusLost,
		{StatusMaintenance, TxLost}:          StatusLost,
		{StatusInTransit, TxLost}:            StatusLost,
		{StatusOnHand, TxJunked}:             StatusJunked,
		{StatusMaintenance, TxJunked}:        StatusJunked,
		{StatusOnHand, TxMaintenanceOut}:     StatusMaintenance,
		{StatusMaintenance, TxMaintenanceIn}: StatusOnHand,
	}
}

func equipmentMoves() map[move]UnitStatus {
	m := commonMoves()
	// Equipment back from a patient is cleaned before anyone else gets it.
	m[move{StatusRented, TxReturn}] = StatusMaintenance
	return m
}

func o2TankMoves() map[move]UnitStatus {
	m := commonMoves()
	m[move{StatusRented, TxReturn}] = StatusEmpty
	m[move{StatusEmpty, TxSendForFill}] = StatusSent
	m[move{StatusSent, TxReceiveFilled}] = StatusOnHand
	m[move{StatusEmpty, TxJunked}] = StatusJunked
	m[move{StatusSent, TxLost}] = StatusLost
	return m
}

// ReasonTransitionNotAllowed is the reason of a refused unit transaction.
const ReasonTransitionNotAllowed = "UNIT_TRANSITION_NOT_ALLOWED"

// Next returns the status a unit of class in status from reaches by a
// transaction of kind, or FAILED_PRECONDITION naming both the status and
// the transaction when the table has no such move.
func Next(class UnitClass, from UnitStatus, kind TransactionKind) (UnitStatus, error) {
	table, ok := Transitions[class]
	if !ok {
		return "", fmt.Errorf("domain: unknown unit class %q", class)
	}
	if to, ok := table[move{from, kind}]; ok {
		return to, nil
	}
	return "", errs.Unmet(ReasonTransitionNotAllowed,
		fmt.Sprintf("a unit that is %s cannot take a %s transaction", from, kind),
		errs.PreconditionViolation{Type: "STATUS", Subject: string(from),
			Description: fmt.Sprintf("%s is not allowed from %s", kind, from)}).
		With("status", string(from)).With("transaction", string(kind))
}

// StockBucket is the stock counter of a warehouse a unit counts in.
type StockBucket string

// Stock buckets. BucketNone: the unit counts in no warehouse's stock (in
// transit between two, lost or junked).
const (
	BucketOnHand      StockBucket = "on_hand"
	BucketCommitted   StockBucket = "committed"
	BucketRented      StockBucket = "rented"
	BucketSold        StockBucket = "sold"
	BucketUnavailable StockBucket = "unavailable"
	BucketNone        StockBucket = ""
)

// Bucket returns the stock counter a unit in status counts in.
func Bucket(status UnitStatus) StockBucket {
	switch status {
	case StatusOnHand:
		return BucketOnHand
	case StatusReserved:
		return BucketCommitted
	case StatusRented:
		return BucketRented
	case StatusSold:
		return BucketSold
	case StatusMaintenance, StatusEmpty, StatusSent:
		return BucketUnavailable
	default:
		return BucketNone
	}
}

// StockDelta is how one transaction changes a warehouse's counters: one
// unit leaves From and enters To (either may be BucketNone). Transfers
// move the unit between warehouses: out of the source's on hand, into the
// destination's on hand when it arrives.
type StockDelta struct {
	From, To StockBucket
}

// Delta returns the stock change of a move from one status to another.
func Delta(from, to UnitStatus) StockDelta {
	return StockDelta{From: Bucket(from), To: Bucket(to)}
}
