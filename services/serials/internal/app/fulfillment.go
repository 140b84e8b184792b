package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// The orders events serials moves units for, and the event it records
// when a unit cannot make the move.
const (
	EventOrderDelivered         = "orders.order.delivered.v1"
	EventOrderPickedUp          = "orders.order.picked_up.v1"
	EventOrderCancelled         = "orders.order.cancelled.v1"
	EventRentalClosed           = "orders.rental.closed.v1"
	EventUnitFulfillmentRefused = "serials.unit.fulfillment_refused.v1"
)

// OrdersConsumer names the consumer of orders' events: its durable queue
// and its rows in the inbox.
const OrdersConsumer = "serials.orders"

// OrdersSubscription is what the orders consumer hears: deliveries,
// pickups and cancellations, on one durable queue shared by the replicas.
// A delivery that keeps failing (a payload that does not decode) goes to
// "serials.orders.dlq" after five tries instead of looping.
var OrdersSubscription = bus.Subscription{
	Queue:         OrdersConsumer,
	Bindings:      []string{EventOrderDelivered, EventOrderPickedUp, EventOrderCancelled, EventRentalClosed},
	Prefetch:      32,
	MaxBatch:      16,
	DeliveryLimit: 5,
}

// fulfillmentActor is the actor of the moves serials makes for orders'
// events, in the log and in its events.
const fulfillmentActor = "serials"

// FulfillmentRepository moves units as orders' events tell: it releases
// an order line's reservation and applies the line's transaction.
type FulfillmentRepository interface {
	ReleaseReservation(ctx context.Context, orderLineID string, t domain.UnitTransaction, actorID string) (Transition, error)
	ApplyTransaction(ctx context.Context, id string, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (Transition, error)
}

// Fulfillment moves units as orders' events tell.
type Fulfillment struct{ s *serials }

// orderMove is one move an order's event asks of a unit.
type orderMove struct {
	orderID, lineID string
	// unitID is the unit to move by kind; "" when the move only releases
	// the line's reservation.
	unitID    string
	kind      domain.TransactionKind
	patientID string
	note      string
	// release cancels the line's reservation first.
	release bool
}

// ApplyOrderEvent applies one of orders' events, in the unit of work ctx
// carries (the inbox's, in the event's tenant, so a redelivered event
// moves nothing twice):
//
//   - orders.order.delivered.v1 rents each rental line's unit and sells
//     each sale line's unit to the patient, under the line, first
//     releasing the line's reservation when another unit was handed over;
//     a delivery that corrects another moves nothing;
//   - orders.order.picked_up.v1 returns each line's unit (to maintenance,
//     an oxygen tank empty), noting the pickup's reason;
//   - orders.order.cancelled.v1 releases the reservation of each line;
//   - orders.rental.closed.v1 sells a rented unit to its renter when title
//     passed to them (a capped rental paid, a rental converted to a
//     purchase); a rental closed otherwise moves nothing.
//
// Each move is checked by the rules TransitionUnit applies (the
// transition table, recalls) and those of an order line's move (a unit
// held for another line or patient is not taken). A unit that cannot make
// its move is not skipped silently: UnitFulfillmentRefused is recorded in
// its place and the other lines go on. An event that is not what its type
// says (a payload that does not decode, a line without a UUID, another
// tenant's payload) is an error, so the bus retries and then dead-letters
// it for someone to look at; an event type serials does not act on is
// acknowledged as is.
func (h Fulfillment) ApplyOrderEvent(ctx context.Context, d bus.Delivery) error {
	moves, err := orderMoves(d)
	if err != nil || len(moves) == 0 {
		return err
	}
	caller := identity.Principal{Subject: fulfillmentActor, CompanyID: d.CompanyID, Kind: identity.KindService}
	ctx = identity.NewContext(ctx, caller)
	_, err = usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (struct{}, []usecase.Event, error) {
		var events []usecase.Event
		for _, m := range moves {
			moved, err := h.move(ctx, caller, d.ID, m)
			if err != nil {
				return struct{}{}, nil, err
			}
			events = append(events, moved...)
		}
		return struct{}{}, events, nil
	})
	return err
}

// move makes one move in the unit of work of ctx and returns its events:
// the transitions, or the refusal of a unit that cannot make it.
func (h Fulfillment) move(ctx context.Context, caller identity.Principal, sourceEventID string, m orderMove) ([]usecase.Event, error) {
	var events []usecase.Event
	if m.release {
		t := domain.UnitTransaction{Kind: domain.TxCancelReservation, OrderLineID: m.lineID, Time: h.s.Now.Stamp()}
		tr, err := h.s.Store.ReleaseReservation(ctx, m.lineID, t, fulfillmentActor)
		if err != nil {
			return nil, err
		}
		if tr.Unit != nil {
			events = append(events, transitionEvents(caller, tr, t)...)
		}
	}
	if m.unitID == "" {
		return events, nil
	}
	t := domain.UnitTransaction{Kind: m.kind, PatientID: m.patientID, OrderLineID: m.lineID, Note: m.note, Time: h.s.Now.Stamp()}
	var status domain.UnitStatus
	tr, err := h.s.Store.ApplyTransaction(ctx, m.unitID, t, fulfillmentActor, func(u *domain.Unit) error {
		status = u.Status
		return nil
	})
	if reason, refused := domain.FulfillmentRefusal(err, status); refused {
		return append(events, usecase.Event{Type: EventUnitFulfillmentRefused, CompanyID: caller.CompanyID, ResourceID: m.unitID,
			Payload: &serialsv1.UnitFulfillmentRefused{CompanyId: caller.CompanyID, UnitId: m.unitID, ActorId: fulfillmentActor,
				OccurTime: protoconv.Time(t.Time), OrderId: m.orderID, OrderLineId: m.lineID, Kind: apienum.TransactionKindProto(m.kind),
				Reason: reason, SourceEventId: sourceEventID}}), nil
	}
	if err != nil {
		return nil, err
	}
	return append(events, transitionEvents(caller, tr, t)...), nil
}

// orderMoves reads the moves an order event asks for; see ApplyOrderEvent.
func orderMoves(d bus.Delivery) ([]orderMove, error) {
	switch d.Type {
	case EventOrderDelivered:
		return deliveryMoves(d)
	case EventOrderPickedUp:
		return pickupMoves(d)
	case EventOrderCancelled:
		return cancellationMoves(d)
	case EventRentalClosed:
		return titleMoves(d)
	}
	return nil, nil
}

// titleMoves sells the unit of a rental whose title passed to the patient.
func titleMoves(d bus.Delivery) ([]orderMove, error) {
	var e ordersv1.RentalClosed
	if err := decodeOrderEvent(d, &e); err != nil || !e.GetTitleToPatient() || e.GetUnitId() == "" {
		return nil, err
	}
	if err := errors.Join(checkID(d, "patient_id", e.GetPatientId()), checkID(d, "order_line_id", e.GetOrderLineId()),
		checkID(d, "unit_id", e.GetUnitId())); err != nil {
		return nil, err
	}
	return []orderMove{{orderID: e.GetOrderId(), lineID: e.GetOrderLineId(), unitID: e.GetUnitId(), kind: domain.TxSell,
		patientID: e.GetPatientId(), note: titleNote(e.GetReason())}}, nil
}

// titleNote is why a rental's title passed, the note of the sale.
func titleNote(r ordersv1.RentalCloseReason) string {
	if r == ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_PURCHASED {
		return "title passed: rental converted to a purchase"
	}
	return "title passed: capped rental paid"
}

// deliveryMoves rents or sells each delivered unit to the patient, by its
// line's type, releasing the line's reservation first when the unit is
// not the one reserved; a correction moves nothing.
func deliveryMoves(d bus.Delivery) ([]orderMove, error) {
	var e ordersv1.OrderDelivered
	if err := decodeOrderEvent(d, &e); err != nil || e.GetCorrectsDeliveryId() != "" {
		return nil, err
	}
	if err := checkID(d, "patient_id", e.GetPatientId()); err != nil {
		return nil, err
	}
	lines, err := linesWithUnits(d, e.GetLines())
	if err != nil {
		return nil, err
	}
	moves := make([]orderMove, len(lines))
	for i, l := range lines {
		kind, ok := deliveredKinds[l.GetType()]
		if !ok {
			return nil, fmt.Errorf("order event %s (%s): line %s has unit %s but line type %v, neither a rental nor a sale",
				d.ID, d.Type, l.GetLineId(), l.GetUnitId(), l.GetType())
		}
		reserved := l.GetReservedUnitId()
		moves[i] = orderMove{orderID: e.GetOrderId(), lineID: l.GetLineId(), unitID: l.GetUnitId(), kind: kind,
			patientID: e.GetPatientId(), release: reserved != "" && reserved != l.GetUnitId()}
	}
	return moves, nil
}

// pickupMoves returns each unit picked up, from the patient, noting why.
func pickupMoves(d bus.Delivery) ([]orderMove, error) {
	var e ordersv1.OrderPickedUp
	if err := decodeOrderEvent(d, &e); err != nil {
		return nil, err
	}
	if e.GetPatientId() != "" {
		if err := checkID(d, "patient_id", e.GetPatientId()); err != nil {
			return nil, err
		}
	}
	lines, err := linesWithUnits(d, e.GetLines())
	if err != nil {
		return nil, err
	}
	moves := make([]orderMove, len(lines))
	for i, l := range lines {
		moves[i] = orderMove{orderID: e.GetOrderId(), lineID: l.GetLineId(), unitID: l.GetUnitId(), kind: domain.TxReturn,
			patientID: e.GetPatientId(), note: pickupNote(e.GetReason())}
	}
	return moves, nil
}

// cancellationMoves releases the reservation of every line of a cancelled
// order.
func cancellationMoves(d bus.Delivery) ([]orderMove, error) {
	var e ordersv1.OrderChanged
	if err := decodeOrderEvent(d, &e); err != nil {
		return nil, err
	}
	moves := make([]orderMove, len(e.GetLines()))
	for i, l := range e.GetLines() {
		if err := checkID(d, "line_id", l.GetLineId()); err != nil {
			return nil, err
		}
		moves[i] = orderMove{orderID: e.GetOrderId(), lineID: l.GetLineId(), release: true}
	}
	return moves, nil
}

// linesWithUnits returns the lines that name a unit (a line of an item
// that is not serialized names none), each line and unit named by a UUID.
func linesWithUnits(d bus.Delivery, lines []*ordersv1.OrderLineUnit) ([]*ordersv1.OrderLineUnit, error) {
	var out []*ordersv1.OrderLineUnit
	for _, l := range lines {
		if l.GetUnitId() == "" {
			continue
		}
		if err := errors.Join(checkID(d, "line_id", l.GetLineId()), checkID(d, "unit_id", l.GetUnitId())); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// deliveredKinds is the move a delivery makes of a line's unit, by the
// line's type: a rental rents it, a sale sells it.
var deliveredKinds = map[ordersv1.LineType]domain.TransactionKind{
	ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL:   domain.TxRent,
	ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL:    domain.TxRent,
	ordersv1.LineType_LINE_TYPE_RENT_TO_PURCHASE: domain.TxRent,
	ordersv1.LineType_LINE_TYPE_OXYGEN_RENTAL:    domain.TxRent,
	ordersv1.LineType_LINE_TYPE_ONE_TIME_SALE:    domain.TxSell,
	ordersv1.LineType_LINE_TYPE_RECURRING_SALE:   domain.TxSell,
}

// pickupNote is a pickup's reason in words, the note of the return:
// "pickup: end of need".
func pickupNote(r ordersv1.PickupReason) string {
	words, ok := strings.CutPrefix(r.String(), "PICKUP_REASON_")
	if !ok || r == ordersv1.PickupReason_PICKUP_REASON_UNSPECIFIED {
		return "pickup"
	}
	return "pickup: " + strings.ToLower(strings.ReplaceAll(words, "_", " "))
}

// companyPayload is what every order event's payload has: its tenant.
type companyPayload interface {
	proto.Message
	GetCompanyId() string
}

// decodeOrderEvent reads d's payload as msg, which must be the payload
// type d declares and of d's tenant.
func decodeOrderEvent(d bus.Delivery, msg companyPayload) error {
	if want := string(msg.ProtoReflect().Descriptor().FullName()); d.PayloadType != want {
		return fmt.Errorf("order event %s (%s): payload type %q, want %q", d.ID, d.Type, d.PayloadType, want)
	}
	if err := proto.Unmarshal(d.Payload, msg); err != nil {
		return fmt.Errorf("order event %s (%s): decoding %s: %w", d.ID, d.Type, d.PayloadType, err)
	}
	if d.CompanyID == "" || msg.GetCompanyId() != d.CompanyID {
		return fmt.Errorf("order event %s (%s): payload of company %q in an envelope of tenant %q", d.ID, d.Type, msg.GetCompanyId(), d.CompanyID)
	}
	return nil
}

// checkID refuses an event whose id named field is not a UUID: no unit,
// line or patient could be meant.
func checkID(d bus.Delivery, field, id string) error {
	if usecase.CheckID("", id) != nil {
		return fmt.Errorf("order event %s (%s): %s %q is not a UUID", d.ID, d.Type, field, id)
	}
	return nil
}
