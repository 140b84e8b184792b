package grpcapi_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

func cday(y int, m time.Month, d int) civil.Date { return civil.Date{Year: y, Month: m, Day: d} }

// TestResupplyDueConfirmShip: a schedule of a cushion and filters whose
// supply runs out on April 30 takes the usual quantities; it joins the
// branch's due list on March 31 (30 days before), not March 30; a shipment
// without a confirmation is refused naming the rule, as is one 11 days
// before the supply runs out; 10 days before, with the patient's
// confirmation, it ships, once however often it is retried, and the
// supplies move a month on.
func TestResupplyDueConfirmShip(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	setDay(e, cday(2026, time.March, 1))
	runsOut := protoconv.DateProto(cday(2026, time.April, 30))
	sc, err := e.Resupplies.CreateResupplySchedule(tn.intake, &ordersv1.CreateResupplyScheduleRequest{
		Schedule: &ordersv1.ResupplySchedule{PatientId: tn.world.PatientID, BranchId: tn.world.BranchID, PayerId: tn.world.PayerID,
			Items: []*ordersv1.ResupplyItem{{Hcpcs: "a7031", SuppliedThrough: runsOut}, {Hcpcs: "A7038", SuppliedThrough: runsOut}}},
		RequestId: uuid.NewString()})
	if err != nil {
		t.Fatalf("CreateResupplySchedule: %v", err)
	}
	if it := sc.GetItems(); it[0].GetHcpcs() != "A7031" || it[0].GetQuantity() != 1 || it[1].GetQuantity() != 2 || it[1].GetIntervalMonths() != 1 ||
		protoconv.Date(it[0].GetContactFrom()) != cday(2026, time.March, 31) || protoconv.Date(it[0].GetShipFrom()) != cday(2026, time.April, 20) {
		t.Fatalf("schedule %v; want usual quantities, contact from March 31, ship from April 20", sc)
	}
	due := func(d civil.Date) []string {
		resp, err := e.Resupplies.ListDueResupplies(tn.intake, &ordersv1.ListDueResuppliesRequest{BranchId: tn.world.BranchID, AsOf: protoconv.DateProto(d)})
		if err != nil {
			t.Fatalf("ListDueResupplies: %v", err)
		}
		var ids []string
		for _, s := range resp.GetSchedules() {
			ids = append(ids, s.GetId())
		}
		return ids
	}
	if got := due(cday(2026, time.March, 30)); len(got) != 0 {
		t.Errorf("due on March 30: %v, want none", got)
	}
	if got := due(cday(2026, time.March, 31)); !cmp.Equal(got, []string{sc.GetId()}) {
		t.Errorf("due on March 31: %v, want the schedule", got)
	}

	ship := func(d civil.Date, codes ...string) (*ordersv1.ResupplyShipment, error) {
		setDay(e, d)
		req := &ordersv1.RecordResupplyShipmentRequest{ScheduleId: sc.GetId(), RequestId: uuid.NewString(),
			Shipment: &ordersv1.ResupplyShipment{ShipDate: protoconv.DateProto(d)}}
		for _, c := range codes {
			req.Shipment.Items = append(req.Shipment.Items, &ordersv1.ShippedItem{Hcpcs: c, Quantity: 1})
		}
		return e.Resupplies.RecordResupplyShipment(tn.billing, req)
	}
	_, err = ship(cday(2026, time.April, 20), "A7031")
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonResupplyNotConfirmed)

	setDay(e, cday(2026, time.April, 15))
	c, err := e.Resupplies.RecordResupplyConfirmation(tn.intake, &ordersv1.RecordResupplyConfirmationRequest{ScheduleId: sc.GetId(),
		Confirmation: &ordersv1.ResupplyConfirmation{Channel: "phone", ConfirmDate: protoconv.DateProto(cday(2026, time.April, 15)),
			Items: []*ordersv1.ConfirmedItem{{Hcpcs: "A7031", Quantity: 1, RemainingDays: 15}}}})
	if err != nil || c.GetChannel() != "phone" || c.GetActorId() == "" {
		t.Fatalf("RecordResupplyConfirmation: %v, %v", c, err)
	}
	_, err = ship(cday(2026, time.April, 19), "A7031")
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonResupplyTooEarly)
	if subjects := preconditionSubjects(err); !cmp.Equal(subjects, []string{"supplies/A7031"}) {
		t.Errorf("the early shipment names %v", subjects)
	}
	_, err = ship(cday(2026, time.April, 20), "A7038")
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonResupplyNotConfirmed)

	setDay(e, cday(2026, time.April, 20))
	req := &ordersv1.RecordResupplyShipmentRequest{ScheduleId: sc.GetId(), RequestId: uuid.NewString(),
		Shipment: &ordersv1.ResupplyShipment{ShipDate: protoconv.DateProto(cday(2026, time.April, 20)),
			Items: []*ordersv1.ShippedItem{{Hcpcs: "A7031", Quantity: 1}}}}
	shipped, err := e.Resupplies.RecordResupplyShipment(tn.billing, req)
	if err != nil || shipped.GetConfirmationId() != c.GetId() {
		t.Fatalf("shipment 10 days before: %v, %v; want it, naming the confirmation", shipped, err)
	}
	again, err := e.Resupplies.RecordResupplyShipment(tn.billing, req)
	if err != nil || again.GetId() != shipped.GetId() {
		t.Fatalf("the same shipment retried: %v, %v; want the first", again, err)
	}
	got, err := e.Resupplies.GetResupplySchedule(tn.intake, &ordersv1.GetResupplyScheduleRequest{Id: sc.GetId()})
	if err != nil || protoconv.Date(got.GetItems()[0].GetSuppliedThrough()) != cday(2026, time.May, 30) ||
		protoconv.Date(got.GetItems()[1].GetSuppliedThrough()) != cday(2026, time.April, 30) {
		t.Fatalf("schedule after the shipment: %v, %v; want the cushion through May 30, the filters unchanged", got, err)
	}
	var shippedEvents int
	for _, ev := range e.Events.Events() {
		if p, ok := ev.Payload.(*ordersv1.ResupplyShipped); ok && p.GetShipmentId() == shipped.GetId() {
			shippedEvents++
		}
	}
	if shippedEvents != 1 {
		t.Errorf("%d ResupplyShipped events, want 1", shippedEvents)
	}
}

// TestResupplyRefusesBadInputNamingTheField, and another company's
// schedule is NOT_FOUND.
func TestResupplyRefusesBadInputNamingTheField(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	_, err := e.Resupplies.CreateResupplySchedule(tn.intake, &ordersv1.CreateResupplyScheduleRequest{
		Schedule: &ordersv1.ResupplySchedule{PatientId: tn.world.PatientID, BranchId: tn.world.BranchID,
			Items: []*ordersv1.ResupplyItem{{Hcpcs: "Z0000"}, {Hcpcs: "A7031", Quantity: 500, SuppliedThrough: protoconv.DateProto(cday(2026, 4, 30))}}}})
	grpcerrtest.WantInvalid(t, err, "schedule.items[0].hcpcs", "schedule.items[0].quantity", "schedule.items[0].intervalMonths",
		"schedule.items[0].suppliedThrough", "schedule.items[1].quantity")
	_, err = e.Resupplies.SetResupplyWindow(tn.billing, &ordersv1.SetResupplyWindowRequest{PayerId: tn.world.PayerID, ContactDays: 5, ShipLeadDays: 10})
	grpcerrtest.WantInvalid(t, err, "shipLeadDays")
	w, err := e.Resupplies.SetResupplyWindow(tn.billing, &ordersv1.SetResupplyWindowRequest{PayerId: tn.world.PayerID, ContactDays: 20, ShipLeadDays: 5})
	if err != nil || w.GetContactDays() != 20 {
		t.Fatalf("SetResupplyWindow: %v, %v", w, err)
	}
	sc, err := e.Resupplies.CreateResupplySchedule(tn.intake, &ordersv1.CreateResupplyScheduleRequest{
		Schedule: &ordersv1.ResupplySchedule{PatientId: tn.world.PatientID, BranchId: tn.world.BranchID, PayerId: tn.world.PayerID,
			Items: []*ordersv1.ResupplyItem{{Hcpcs: "A7037", SuppliedThrough: protoconv.DateProto(cday(2026, 4, 30))}}}})
	if err != nil || protoconv.Date(sc.GetNextContactDate()) != cday(2026, 4, 10) || protoconv.Date(sc.GetItems()[0].GetShipFrom()) != cday(2026, 4, 25) {
		t.Fatalf("a schedule under the payer's windows: %v, %v; want contact from April 10, ship from April 25", sc, err)
	}
	other := newTenant(t, e)
	if _, err := e.Resupplies.GetResupplySchedule(other.intake, &ordersv1.GetResupplyScheduleRequest{Id: sc.GetId()}); status.Code(err) != codes.NotFound {
		t.Errorf("another company's schedule: %v, want NotFound", err)
	}
	if _, err := e.Resupplies.ListDueResupplies(tn.partnerRole, &ordersv1.ListDueResuppliesRequest{BranchId: tn.world.BranchID}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("a partner's due list: %v, want PermissionDenied", err)
	}
}

// TestResupplyBilledFromAnOrderCreatesClaimLines: a schedule of the mask
// that a delivered order supplies on a recurring line bills each shipment:
// one claim line per supply shipped, the line's amounts times the
// quantity, the period it supplies, billing month 0 and the shipment
// named. A schedule naming an order that is not delivered, or a code the
// order does not supply, is refused naming the field.
func TestResupplyBilledFromAnOrderCreatesClaimLines(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	dos := cday(2026, time.January, 10)
	setDay(e, dos)
	draft := cpapOrder(tn.world)
	draft.OrderDate = protoconv.DateProto(dos)
	draft.Lines = []*ordersv1.OrderLine{{ItemId: tn.world.Mask.ID, Quantity: 1, Type: ordersv1.LineType_LINE_TYPE_RECURRING_SALE,
		DiagnosisPointers: []int32{1}, Modifiers: []string{"KX"}}}
	o := create(t, e, tn.intake, draft)
	schedule := func(orderID, code string) (*ordersv1.ResupplySchedule, error) {
		return e.Resupplies.CreateResupplySchedule(tn.intake, &ordersv1.CreateResupplyScheduleRequest{
			Schedule: &ordersv1.ResupplySchedule{PatientId: tn.world.PatientID, BranchId: tn.world.BranchID, OrderId: orderID,
				Items: []*ordersv1.ResupplyItem{{Hcpcs: code, SuppliedThrough: protoconv.DateProto(cday(2026, time.April, 10))}}}})
	}
	_, err := schedule(o.GetId(), "A7031")
	grpcerrtest.WantInvalid(t, err, "schedule.orderId", "schedule.items[0].hcpcs")
	if _, err := e.Orders.SubmitOrder(tn.intake, &ordersv1.SubmitOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatal(err)
	}
	approved, err := e.Orders.ApproveOrder(tn.billing, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	p := proof(approved)
	p.SignatureDate = protoconv.DateProto(dos)
	if _, err := e.Orders.RecordDelivery(tn.technician, &ordersv1.RecordDeliveryRequest{OrderId: o.GetId(), Delivery: p}); err != nil {
		t.Fatal(err)
	}
	_, err = schedule(uuid.NewString(), "A7030")
	grpcerrtest.WantInvalid(t, err, "schedule.orderId")
	sc, err := schedule(o.GetId(), "a7030")
	if err != nil || sc.GetOrderId() != o.GetId() || sc.GetItems()[0].GetIntervalMonths() != 3 {
		t.Fatalf("a schedule billed from the order: %v, %v; want it, the mask every 3 months", sc, err)
	}
	setDay(e, cday(2026, time.April, 1))
	if _, err := e.Resupplies.RecordResupplyConfirmation(tn.intake, &ordersv1.RecordResupplyConfirmationRequest{ScheduleId: sc.GetId(),
		Confirmation: &ordersv1.ResupplyConfirmation{Channel: "sms", ConfirmDate: protoconv.DateProto(cday(2026, time.April, 1)),
			Items: []*ordersv1.ConfirmedItem{{Hcpcs: "A7030", Quantity: 1, RemainingDays: 9}}}}); err != nil {
		t.Fatal(err)
	}
	shipped, err := e.Resupplies.RecordResupplyShipment(tn.billing, &ordersv1.RecordResupplyShipmentRequest{ScheduleId: sc.GetId(),
		Shipment: &ordersv1.ResupplyShipment{ShipDate: protoconv.DateProto(cday(2026, time.April, 1)),
			Items: []*ordersv1.ShippedItem{{Hcpcs: "A7030", Quantity: 1}}}})
	if err != nil {
		t.Fatalf("RecordResupplyShipment: %v", err)
	}
	lines := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{})
	if len(lines) != 1 {
		t.Fatalf("claim lines %v, want the shipment's one", lines)
	}
	c := lines[0]
	if c.GetShipmentId() != shipped.GetId() || c.GetOrderLineId() != approved.GetLines()[0].GetId() || c.GetBillingMonth() != 0 ||
		c.GetHcpcs() != "A7030" || !cmp.Equal(c.GetModifiers(), []string{"KX"}) || c.GetUnits() != 1 ||
		c.GetCharge().GetAmountCents() != 5000 || c.GetExpected().GetAmountCents() != 4000 ||
		dateString(c.GetPeriodFrom()) != "2026-04-01" || dateString(c.GetPeriodThrough()) != "2026-07-09" ||
		c.GetPayerId() != tn.world.PayerID || c.GetOrderingNpi() != orderstest.PrescriberNPI {
		t.Errorf("the shipment's claim line %v", c)
	}
}
