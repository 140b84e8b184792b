package domain

import (
	"fmt"

	"github.com/ariesone/ariesone/platform/errs"
)

// OrderStatus is where an equipment order stands in its workflow.
type OrderStatus string

// Order statuses.
const (
	// StatusDraft: being written; its lines may change.
	StatusDraft OrderStatus = "draft"
	// StatusSubmitted: checked for readiness (or the gaps overridden with
	// a reason) and waiting for billing's approval.
	StatusSubmitted OrderStatus = "submitted"
	// StatusApproved: priced and approved; every serialized line holds a
	// reserved unit.
	StatusApproved OrderStatus = "approved"
	// StatusDelivered: delivered with proof; rental lines bill until their
	// pickup.
	StatusDelivered OrderStatus = "delivered"
	// StatusClosed: nothing more happens on it; the end of a delivered
	// order.
	StatusClosed OrderStatus = "closed"
	// StatusCancelled: stopped before delivery; what it reserved was
	// released.
	StatusCancelled OrderStatus = "cancelled"
)

// OrderStatuses lists every status.
var OrderStatuses = []OrderStatus{StatusDraft, StatusSubmitted, StatusApproved, StatusDelivered, StatusClosed, StatusCancelled}

// OrderCommand is one named step of the workflow (an AIP-136 custom method,
// or an update of a draft).
type OrderCommand string

// Order commands.
const (
	CmdUpdate         OrderCommand = "update"
	CmdSubmit         OrderCommand = "submit"
	CmdApprove        OrderCommand = "approve"
	CmdRecordDelivery OrderCommand = "record_delivery"
	// CmdCorrectDelivery records a corrected proof of delivery; it moves
	// no unit.
	CmdCorrectDelivery OrderCommand = "correct_delivery"
	CmdRecordPickup    OrderCommand = "record_pickup"
	CmdClose           OrderCommand = "close"
	CmdCancel          OrderCommand = "cancel"
)

// OrderCommands lists every command.
var OrderCommands = []OrderCommand{CmdUpdate, CmdSubmit, CmdApprove, CmdRecordDelivery, CmdCorrectDelivery, CmdRecordPickup, CmdClose, CmdCancel}

// orderMove is one allowed step.
type orderMove struct {
	from OrderStatus
	cmd  OrderCommand
}

// OrderWorkflow is the order state machine as data: for each status and
// command allowed from it, the status that results. Anything missing is
// refused. The use cases and the tests read this one table.
//
// Cancel is allowed from every open status (draft, submitted, approved): a
// delivered order has equipment with the patient and ends by pickup and
// close instead. A pickup leaves the order delivered (other rental lines
// may still be out); Close ends it.
var OrderWorkflow = map[orderMove]OrderStatus{
	{StatusDraft, CmdUpdate}:              StatusDraft,
	{StatusDraft, CmdSubmit}:              StatusSubmitted,
	{StatusDraft, CmdCancel}:              StatusCancelled,
	{StatusSubmitted, CmdApprove}:         StatusApproved,
	{StatusSubmitted, CmdCancel}:          StatusCancelled,
	{StatusApproved, CmdRecordDelivery}:   StatusDelivered,
	{StatusApproved, CmdCancel}:           StatusCancelled,
	{StatusDelivered, CmdCorrectDelivery}: StatusDelivered,
	{StatusDelivered, CmdRecordPickup}:    StatusDelivered,
	{StatusDelivered, CmdClose}:           StatusClosed,
}

// ReasonOrderTransitionNotAllowed is the reason of a refused command.
const ReasonOrderTransitionNotAllowed = "ORDER_TRANSITION_NOT_ALLOWED"

// NextOrderStatus returns the status an order in from reaches by cmd, or
// FAILED_PRECONDITION naming the status and the command when the workflow
// has no such step.
func NextOrderStatus(from OrderStatus, cmd OrderCommand) (OrderStatus, error) {
	if to, ok := OrderWorkflow[orderMove{from, cmd}]; ok {
		return to, nil
	}
	return "", errs.Unmet(ReasonOrderTransitionNotAllowed,
		fmt.Sprintf("an order that is %s cannot %s", from, cmd),
		errs.PreconditionViolation{Type: "STATUS", Subject: string(from),
			Description: fmt.Sprintf("%s is not allowed from %s", cmd, from)}).
		With("status", string(from)).With("command", string(cmd))
}

// Open reports whether an order in s may still be cancelled.
func (s OrderStatus) Open() bool {
	_, ok := OrderWorkflow[orderMove{s, CmdCancel}]
	return ok
}
