package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

const (
	monthlyRental = ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL
	oneTimeSale   = ordersv1.LineType_LINE_TYPE_ONE_TIME_SALE

	kindRent    = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RENT
	kindSell    = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_SELL
	kindReturn  = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RETURN
	kindReserve = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RESERVE
	kindCancel  = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_CANCEL_RESERVATION
	kindReceive = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RECEIVE
	kindLost    = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_LOST
)

// world is a booted serials service, a tenant with an item, and the orders
// consumer as production wires it: the inbox's handler around
// ApplyOrderEvent, on the service's database.
type world struct {
	e       *serialstest.Env
	a       serialstest.Tenant
	item    *serialsv1.Item
	billing context.Context
	handle  bus.Handler
	serials int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := serialstest.New(t, serialstest.Options{})
	w := &world{e: e, a: e.NewTenant()}
	w.billing = e.As(w.a.CompanyID, uuid.NewString(), auth.RoleBilling)
	var err error
	w.item, err = e.Items.CreateItem(w.a.Warehouse, &serialsv1.CreateItemRequest{Item: &serialsv1.Item{
		Code: "E0601-AS11", Name: "AirSense 11 CPAP", Hcpcs: "E0601", Manufacturer: "ResMed", Serialized: true}})
	if err != nil {
		t.Fatal(err)
	}
	w.handle = inbox.Handler(e.DB.App, app.OrdersConsumer, e.App.Fulfillment.ApplyOrderEvent)
	return w
}

// receive receives a unit of the item into WH1.
func (w *world) receive(t *testing.T) *serialsv1.Unit {
	t.Helper()
	return w.receiveLot(t, "LOT-9")
}

// reserve reserves unit for line as orders' approval does.
func (w *world) reserve(t *testing.T, line string, unit *serialsv1.Unit) {
	t.Helper()
	if _, err := w.e.Units.ReserveUnit(w.billing, &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: w.item.GetId(),
		WarehouseId: w.a.WH1, SerialNumber: unit.GetSerialNumber()}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) unit(t *testing.T, id string) *serialsv1.Unit {
	t.Helper()
	u, err := w.e.Units.GetUnit(w.a.Auditor, &serialsv1.GetUnitRequest{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// history lists a unit's transactions, oldest first.
func (w *world) history(t *testing.T, id string) []*serialsv1.UnitTransaction {
	t.Helper()
	resp, err := w.e.Units.ListUnitTransactions(w.a.Auditor, &serialsv1.ListUnitTransactionsRequest{UnitId: id, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetTransactions()
}

func kinds(txs []*serialsv1.UnitTransaction) []serialsv1.UnitTransactionKind {
	var out []serialsv1.UnitTransactionKind
	for _, tx := range txs {
		out = append(out, tx.GetKind())
	}
	return out
}

// event is an orders event of the world's company as orders' outbox
// builds it.
func (w *world) event(t *testing.T, eventType string, payload proto.Message) bus.Delivery {
	t.Helper()
	msg, err := outbox.NewMessage(context.Background(), "orders", eventType, w.a.CompanyID, payload, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return bus.Delivery{Message: msg}
}

func (w *world) delivered(t *testing.T, lines ...*ordersv1.OrderLineUnit) bus.Delivery {
	return w.event(t, app.EventOrderDelivered, &ordersv1.OrderDelivered{CompanyId: w.a.CompanyID, OrderId: uuid.NewString(),
		PatientId: w.a.Patient, DeliveryId: uuid.NewString(), Lines: lines})
}

func (w *world) apply(t *testing.T, batch ...bus.Delivery) {
	t.Helper()
	if err := w.handle(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

// refusals returns the UnitFulfillmentRefused events recorded so far.
func (w *world) refusals(t *testing.T) []*serialsv1.UnitFulfillmentRefused {
	t.Helper()
	var out []*serialsv1.UnitFulfillmentRefused
	for _, e := range w.e.Events.Events() {
		if e.Type == app.EventUnitFulfillmentRefused {
			out = append(out, e.Payload.(*serialsv1.UnitFulfillmentRefused))
		}
	}
	return out
}

// TestDeliveryRentsOnce: a delivery applied twice (the broker redelivers)
// moves the unit once: one RENT under the line, one event.
func TestDeliveryRentsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.receive(t)
	line := uuid.NewString()
	w.reserve(t, line, u)
	d := w.delivered(t, &ordersv1.OrderLineUnit{LineId: line, ItemId: w.item.GetId(), Type: monthlyRental, UnitId: u.GetId(),
		ReservedUnitId: u.GetId()})
	w.apply(t, d)
	w.apply(t, d)

	got := w.unit(t, u.GetId())
	if got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_RENTED || got.GetCurrentPatientId() != w.a.Patient || got.GetOrderLineId() != line {
		t.Errorf("unit after delivery: %v; want rented to the patient under the line", got)
	}
	history := w.history(t, u.GetId())
	if diff := cmp.Diff([]serialsv1.UnitTransactionKind{kindReceive, kindReserve, kindRent}, kinds(history)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if rent := history[len(history)-1]; rent.GetOrderLineId() != line || rent.GetActorId() != "serials" || rent.GetPatientId() != w.a.Patient {
		t.Errorf("RENT transaction %v; want the line, actor serials and the patient", rent)
	}
	var transitioned []*serialsv1.UnitTransitioned
	for _, e := range w.e.Events.Events() {
		if p, ok := e.Payload.(*serialsv1.UnitTransitioned); ok && p.GetKind() == kindRent {
			transitioned = append(transitioned, p)
		}
	}
	if len(transitioned) != 1 || transitioned[0].GetOrderLineId() != line {
		t.Errorf("RENT events %v; want one, naming the line", transitioned)
	}
}

// TestDeliveryByLineType: a rental line rents its unit, a sale line sells
// it; a unit delivered in place of the one reserved moves the reservation:
// the reserved unit is back on hand; lines without a unit move nothing; a
// correction of a delivery moves nothing at all.
func TestDeliveryByLineType(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rented, sold, reserved, handed := w.receive(t), w.receive(t), w.receive(t), w.receive(t)
	rentLine, saleLine, swapLine := uuid.NewString(), uuid.NewString(), uuid.NewString()
	w.reserve(t, swapLine, reserved)

	correction := w.event(t, app.EventOrderDelivered, &ordersv1.OrderDelivered{CompanyId: w.a.CompanyID, OrderId: uuid.NewString(),
		PatientId: w.a.Patient, DeliveryId: uuid.NewString(), CorrectsDeliveryId: uuid.NewString(),
		Lines: []*ordersv1.OrderLineUnit{{LineId: rentLine, Type: monthlyRental, UnitId: rented.GetId()}}})
	w.apply(t, correction)
	if got := w.unit(t, rented.GetId()).GetStatus(); got != serialsv1.UnitStatus_UNIT_STATUS_ON_HAND {
		t.Fatalf("a correction moved a unit to %v", got)
	}

	w.apply(t, w.delivered(t,
		&ordersv1.OrderLineUnit{LineId: rentLine, Type: ordersv1.LineType_LINE_TYPE_OXYGEN_RENTAL, UnitId: rented.GetId()},
		&ordersv1.OrderLineUnit{LineId: saleLine, Type: oneTimeSale, UnitId: sold.GetId()},
		&ordersv1.OrderLineUnit{LineId: swapLine, Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, UnitId: handed.GetId(),
			ReservedUnitId: reserved.GetId()},
		&ordersv1.OrderLineUnit{LineId: uuid.NewString(), Type: ordersv1.LineType_LINE_TYPE_RECURRING_SALE}))

	for _, tc := range []struct {
		unit   *serialsv1.Unit
		status serialsv1.UnitStatus
		line   string
		last   serialsv1.UnitTransactionKind
	}{
		{rented, serialsv1.UnitStatus_UNIT_STATUS_RENTED, rentLine, kindRent},
		{sold, serialsv1.UnitStatus_UNIT_STATUS_SOLD, saleLine, kindSell},
		{reserved, serialsv1.UnitStatus_UNIT_STATUS_ON_HAND, "", kindCancel},
		{handed, serialsv1.UnitStatus_UNIT_STATUS_RENTED, swapLine, kindRent},
	} {
		got := w.unit(t, tc.unit.GetId())
		h := w.history(t, tc.unit.GetId())
		if got.GetStatus() != tc.status || got.GetOrderLineId() != tc.line || h[len(h)-1].GetKind() != tc.last {
			t.Errorf("unit %s: %v under line %q after %v; want %v under %q after %v", got.GetSerialNumber(), got.GetStatus(),
				got.GetOrderLineId(), h[len(h)-1].GetKind(), tc.status, tc.line, tc.last)
		}
	}
	if r := w.refusals(t); len(r) != 0 {
		t.Errorf("refusals %v, want none", r)
	}
}

// TestUnitsThatCannotMoveAreRefused: a unit that cannot make the move an
// order asks is never skipped silently: exactly one UnitFulfillmentRefused
// says why, no transaction is logged for it, and the other lines of the
// event still move.
func TestUnitsThatCannotMoveAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		arrange func(t *testing.T, w *world, u *serialsv1.Unit) // makes u unable to move
		unitID  func(u *serialsv1.Unit) string
		reason  string
	}{
		{name: "recalled", reason: "UNIT_RECALLED", arrange: func(t *testing.T, w *world, u *serialsv1.Unit) {
			if _, err := w.e.Recalls.RecallUnits(w.a.Admin, &serialsv1.RecallUnitsRequest{
				Scope: &serialsv1.RecallScope{Lot: u.GetLot()}, Recalled: true}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "lost", reason: "UNIT_STATUS_LOST", arrange: func(t *testing.T, w *world, u *serialsv1.Unit) {
			if _, err := w.e.Units.TransitionUnit(w.a.Admin, &serialsv1.TransitionUnitRequest{Id: u.GetId(), Kind: kindLost}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "reserved for another order line", reason: "UNIT_STATUS_RESERVED", arrange: func(t *testing.T, w *world, u *serialsv1.Unit) {
			w.reserve(t, uuid.NewString(), u)
		}},
		{name: "unknown", reason: "UNIT_NOT_FOUND", unitID: func(*serialsv1.Unit) string { return uuid.NewString() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			// Two lots: a recall of the stuck unit's lot leaves the other.
			stuck, other := w.receiveLot(t, "LOT-STUCK"), w.receiveLot(t, "LOT-OK")
			if tt.arrange != nil {
				tt.arrange(t, w, stuck)
			}
			before := kinds(w.history(t, stuck.GetId()))
			unitID := stuck.GetId()
			if tt.unitID != nil {
				unitID = tt.unitID(stuck)
			}
			stuckLine, otherLine := uuid.NewString(), uuid.NewString()
			d := w.delivered(t,
				&ordersv1.OrderLineUnit{LineId: stuckLine, Type: monthlyRental, UnitId: unitID},
				&ordersv1.OrderLineUnit{LineId: otherLine, Type: oneTimeSale, UnitId: other.GetId()})
			w.apply(t, d)
			w.apply(t, d) // redelivered: refused once too

			refusals := w.refusals(t)
			want := []*serialsv1.UnitFulfillmentRefused{{CompanyId: w.a.CompanyID, UnitId: unitID, ActorId: "serials",
				OrderLineId: stuckLine, Kind: kindRent, Reason: tt.reason, SourceEventId: d.ID}}
			if diff := cmp.Diff(want, refusals, cmpRefusal()); diff != "" {
				t.Errorf("refusals (-want +got):\n%s", diff)
			}
			if len(refusals) == 1 && (refusals[0].GetOrderId() == "" || refusals[0].GetOccurTime() == nil) {
				t.Errorf("refusal %v names no order or time", refusals[0])
			}
			if tt.unitID == nil {
				if diff := cmp.Diff(before, kinds(w.history(t, stuck.GetId()))); diff != "" {
					t.Errorf("the refused unit's history changed (-before +after):\n%s", diff)
				}
			}
			if got := w.unit(t, other.GetId()); got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_SOLD || got.GetOrderLineId() != otherLine {
				t.Errorf("the other line's unit: %v; want sold under its line", got)
			}
		})
	}
}

// receiveLot receives a unit of the item into WH1 from lot.
func (w *world) receiveLot(t *testing.T, lot string) *serialsv1.Unit {
	t.Helper()
	w.serials++
	u, err := w.e.Units.ReceiveUnit(w.a.Warehouse, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
		ItemId: w.item.GetId(), SerialNumber: fmt.Sprintf("FUL%05d", w.serials), WarehouseId: w.a.WH1, Lot: lot}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestPickupReturnsToMaintenance: a pickup returns the rented unit to
// maintenance under its line, noting why, and the unit leaves the line and
// the patient.
func TestPickupReturnsToMaintenance(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.receive(t)
	line := uuid.NewString()
	w.apply(t, w.delivered(t, &ordersv1.OrderLineUnit{LineId: line, Type: monthlyRental, UnitId: u.GetId()}))
	pickup := w.event(t, app.EventOrderPickedUp, &ordersv1.OrderPickedUp{CompanyId: w.a.CompanyID, OrderId: uuid.NewString(),
		PatientId: w.a.Patient, PickupId: uuid.NewString(), Reason: ordersv1.PickupReason_PICKUP_REASON_END_OF_NEED,
		Lines: []*ordersv1.OrderLineUnit{{LineId: line, Type: monthlyRental, UnitId: u.GetId()}}})
	w.apply(t, pickup)
	w.apply(t, pickup)

	got := w.unit(t, u.GetId())
	if got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_MAINTENANCE || got.GetOrderLineId() != "" ||
		got.GetCurrentPatientId() != "" || got.GetLastPatientId() != w.a.Patient {
		t.Errorf("unit after pickup: %v; want in maintenance, last held by the patient, without a line", got)
	}
	history := w.history(t, u.GetId())
	if diff := cmp.Diff([]serialsv1.UnitTransactionKind{kindReceive, kindRent, kindReturn}, kinds(history)); diff != "" {
		t.Fatalf("history (-want +got):\n%s", diff)
	}
	if ret := history[2]; ret.GetNote() != "pickup: end of need" || ret.GetOrderLineId() != line {
		t.Errorf("RETURN transaction: note %q, line %q; want %q under %s", ret.GetNote(), ret.GetOrderLineId(), "pickup: end of need", line)
	}
	// A pickup of a unit the patient does not hold moves nothing.
	again := w.event(t, app.EventOrderPickedUp, &ordersv1.OrderPickedUp{CompanyId: w.a.CompanyID, OrderId: uuid.NewString(),
		PatientId: w.a.Patient, Reason: ordersv1.PickupReason_PICKUP_REASON_DEATH,
		Lines: []*ordersv1.OrderLineUnit{{LineId: line, UnitId: u.GetId()}}})
	w.apply(t, again)
	if r := w.refusals(t); len(r) != 1 || r[0].GetReason() != "UNIT_STATUS_MAINTENANCE" || r[0].GetKind() != kindReturn {
		t.Errorf("refusals %v; want one UNIT_STATUS_MAINTENANCE of the RETURN", r)
	}
}

// TestTitlePassesOnRentalClose: a capped rental closed with title to the
// patient sells the unit to its renter, once however often the event
// comes; a rental closed without title (oxygen's lifetime over) moves
// nothing.
func TestTitlePassesOnRentalClose(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.receive(t)
	line := uuid.NewString()
	w.apply(t, w.delivered(t, &ordersv1.OrderLineUnit{LineId: line, Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, UnitId: u.GetId()}))
	closed := func(title bool, reason ordersv1.RentalCloseReason) bus.Delivery {
		return w.event(t, app.EventRentalClosed, &ordersv1.RentalClosed{CompanyId: w.a.CompanyID, OrderId: uuid.NewString(),
			PatientId: w.a.Patient, OrderLineId: line, UnitId: u.GetId(), BillingMonth: 14, Reason: reason, TitleToPatient: title})
	}
	w.apply(t, closed(false, ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_USEFUL_LIFETIME_ENDED))
	if got := w.unit(t, u.GetId()); got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_RENTED {
		t.Fatalf("after a close without title: %v; want still rented", got.GetStatus())
	}
	paid := closed(true, ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_CAPPED_RENTAL_PAID)
	w.apply(t, paid)
	w.apply(t, paid)
	got := w.unit(t, u.GetId())
	if got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_SOLD || got.GetCurrentPatientId() != w.a.Patient || got.GetOrderLineId() != line {
		t.Errorf("unit after title passed: %v; want sold to the patient, under the rental's line", got)
	}
	history := w.history(t, u.GetId())
	if diff := cmp.Diff([]serialsv1.UnitTransactionKind{kindReceive, kindRent, kindSell}, kinds(history)); diff != "" {
		t.Fatalf("history (-want +got):\n%s", diff)
	}
	if sell := history[2]; sell.GetNote() != "title passed: capped rental paid" || sell.GetPatientId() != w.a.Patient {
		t.Errorf("SELL transaction: note %q, patient %q", sell.GetNote(), sell.GetPatientId())
	}
	if r := w.refusals(t); len(r) != 0 {
		t.Errorf("refusals %v; want none", r)
	}
}

// TestCancellationReleases: a cancelled order releases each line's
// reservation; a line holding none, or a delivered one, moves nothing.
func TestCancellationReleases(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b, delivered := w.receive(t), w.receive(t), w.receive(t)
	lineA, lineB, lineNone, lineDelivered := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	w.reserve(t, lineA, a)
	w.reserve(t, lineB, b)
	w.apply(t, w.delivered(t, &ordersv1.OrderLineUnit{LineId: lineDelivered, Type: monthlyRental, UnitId: delivered.GetId()}))
	cancelled := w.event(t, app.EventOrderCancelled, &ordersv1.OrderChanged{CompanyId: w.a.CompanyID, OrderId: uuid.NewString(),
		Status: ordersv1.OrderStatus_ORDER_STATUS_CANCELLED, Lines: []*ordersv1.OrderLineUnit{
			{LineId: lineA, UnitId: a.GetId()}, {LineId: lineB}, {LineId: lineNone}, {LineId: lineDelivered, UnitId: delivered.GetId()}}})
	w.apply(t, cancelled)
	w.apply(t, cancelled)
	for _, u := range []*serialsv1.Unit{a, b} {
		got := w.unit(t, u.GetId())
		if got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_ON_HAND || got.GetOrderLineId() != "" {
			t.Errorf("unit %s after the cancellation: %v; want on hand without a line", u.GetSerialNumber(), got)
		}
		if diff := cmp.Diff([]serialsv1.UnitTransactionKind{kindReceive, kindReserve, kindCancel}, kinds(w.history(t, u.GetId()))); diff != "" {
			t.Errorf("unit %s history (-want +got):\n%s", u.GetSerialNumber(), diff)
		}
	}
	if got := w.unit(t, delivered.GetId()).GetStatus(); got != serialsv1.UnitStatus_UNIT_STATUS_RENTED {
		t.Errorf("the delivered unit is %v after the cancellation, want still rented", got)
	}
	if r := w.refusals(t); len(r) != 0 {
		t.Errorf("refusals %v, want none", r)
	}
}

// TestEventsThatAreNotWhatTheySay: a payload that does not decode, is of
// another type or tenant, or names a line or unit that is not a UUID
// fails its batch and changes nothing (the bus retries, then
// dead-letters it); the same event made good is then applied.
func TestEventsThatAreNotWhatTheySay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.receive(t)
	line := uuid.NewString()
	good := func() bus.Delivery {
		return w.delivered(t, &ordersv1.OrderLineUnit{LineId: line, Type: monthlyRental, UnitId: u.GetId()})
	}
	tests := []struct {
		name  string
		spoil func(d *bus.Delivery)
	}{
		{"undecodable", func(d *bus.Delivery) { d.Payload = []byte{0xff, 0xff} }},
		{"another payload type", func(d *bus.Delivery) { d.PayloadType = "ariesone.orders.v1.OrderPickedUp" }},
		{"another tenant's payload", func(d *bus.Delivery) {
			d.Payload = mustMarshal(t, &ordersv1.OrderDelivered{CompanyId: uuid.NewString(), PatientId: w.a.Patient,
				Lines: []*ordersv1.OrderLineUnit{{LineId: line, Type: monthlyRental, UnitId: u.GetId()}}})
		}},
		{"a line that is not a UUID", func(d *bus.Delivery) {
			d.Payload = mustMarshal(t, &ordersv1.OrderDelivered{CompanyId: w.a.CompanyID, PatientId: w.a.Patient,
				Lines: []*ordersv1.OrderLineUnit{{LineId: "line-1", Type: monthlyRental, UnitId: u.GetId()}}})
		}},
		{"a unit without a line type", func(d *bus.Delivery) {
			d.Payload = mustMarshal(t, &ordersv1.OrderDelivered{CompanyId: w.a.CompanyID, PatientId: w.a.Patient,
				Lines: []*ordersv1.OrderLineUnit{{LineId: line, UnitId: u.GetId()}}})
		}},
	}
	for _, tt := range tests {
		bad := good()
		tt.spoil(&bad)
		if err := w.handle(context.Background(), []bus.Delivery{good(), bad}); err == nil {
			t.Errorf("%s: applied", tt.name)
		}
		if got := w.unit(t, u.GetId()).GetStatus(); got != serialsv1.UnitStatus_UNIT_STATUS_ON_HAND {
			t.Fatalf("%s: the batch moved the unit to %v", tt.name, got)
		}
	}
	// Events serials does not act on are acknowledged as they are.
	w.apply(t, w.event(t, "orders.order.approved.v1", &ordersv1.OrderChanged{CompanyId: w.a.CompanyID}))
	w.apply(t, good())
	if got := w.unit(t, u.GetId()).GetStatus(); got != serialsv1.UnitStatus_UNIT_STATUS_RENTED {
		t.Errorf("the good event left the unit %v, want rented", got)
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cmpRefusal compares refusals on what the test controls: not the order
// (random) nor the time.
func cmpRefusal() cmp.Option {
	return cmp.Options{protocmp.Transform(),
		protocmp.IgnoreFields(&serialsv1.UnitFulfillmentRefused{}, "order_id", "occur_time")}
}
