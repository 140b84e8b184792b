package grpcapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

// daysFromToday is a date relative to today (UTC, the harness's zone).
func daysFromToday(days int) *date.Date {
	d := time.Now().UTC().AddDate(0, 0, days)
	return &date.Date{Year: int32(d.Year()), Month: int32(d.Month()), Day: int32(d.Day())}
}

// tenant is one company's world and callers in the roles orders serves.
type tenant struct {
	company                                  string
	world                                    orderstest.World
	intake, billing, technician, partnerRole context.Context
}

// newTenant arranges a company with prices for the world's CPAP (rented
// at $100/month billed, $80 allowed) and masks (sold at $50, $40).
func newTenant(t testing.TB, e *orderstest.Env) tenant {
	t.Helper()
	company := uuid.NewString()
	w := e.Peers.NewWorld()
	e.SeedPrices(t, company,
		orderstest.SeedPrice{ItemID: w.CPAP.ID, HCPCS: "E0601", Purchase: [2]int64{150000, 120000}, Rental: [2]int64{10000, 8000}},
		orderstest.SeedPrice{ItemID: w.Mask.ID, HCPCS: "A7030", Purchase: [2]int64{5000, 4000}})
	return tenant{
		company: company, world: w,
		intake:      e.As(company, uuid.NewString(), auth.RoleIntake),
		billing:     e.As(company, uuid.NewString(), auth.RoleBilling),
		technician:  e.As(company, uuid.NewString(), auth.RoleTechnician),
		partnerRole: e.As(company, uuid.NewString(), auth.RolePartner),
	}
}

// cpapOrder is a CPAP on capped rental and a mask sold, dated today.
func cpapOrder(w orderstest.World) *ordersv1.Order {
	return &ordersv1.Order{
		PatientId: w.PatientID, BranchId: w.BranchID, WarehouseId: w.WarehouseID, WrittenOrderId: w.WrittenOrderID,
		OrderDate: daysFromToday(0), Diagnoses: []string{"G47.33"},
		Lines: []*ordersv1.OrderLine{
			{ItemId: w.CPAP.ID, Hcpcs: "E0601", Modifiers: []string{"rr"}, Quantity: 1, Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, DiagnosisPointers: []int32{1}},
			{ItemId: w.Mask.ID, Quantity: 2, Type: ordersv1.LineType_LINE_TYPE_ONE_TIME_SALE, DiagnosisPointers: []int32{1}},
		},
	}
}

func create(t *testing.T, e *orderstest.Env, ctx context.Context, o *ordersv1.Order) *ordersv1.Order {
	t.Helper()
	got, err := e.Orders.CreateOrder(ctx, &ordersv1.CreateOrderRequest{Order: o})
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	return got
}

// approved drafts, submits and approves tenant's CPAP order.
func approved(t *testing.T, e *orderstest.Env, tn tenant) *ordersv1.Order {
	t.Helper()
	o := create(t, e, tn.intake, cpapOrder(tn.world))
	if _, err := e.Orders.SubmitOrder(tn.intake, &ordersv1.SubmitOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatalf("SubmitOrder: %v", err)
	}
	o, err := e.Orders.ApproveOrder(tn.billing, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	if err != nil {
		t.Fatalf("ApproveOrder: %v", err)
	}
	return o
}

// proof is a proof of delivery of every line of o as approved.
func proof(o *ordersv1.Order) *ordersv1.Delivery {
	d := &ordersv1.Delivery{
		ReceiverName: "Ruth Ellis", Relationship: "self", SignatureDate: daysFromToday(0),
		Address: &commonv1.PostalAddress{Line1: "1 Main St", City: "Springfield", State: "IL", PostalCode: "62701"},
	}
	for _, l := range o.GetLines() {
		d.Lines = append(d.Lines, &ordersv1.DeliveredLine{LineId: l.GetId(), Quantity: l.GetQuantity(), SerialNumber: l.GetSerialNumber()})
	}
	return d
}

func TestCreateOrderCopiesTheWorldAndPricesTheLines(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	req := &ordersv1.CreateOrderRequest{Order: cpapOrder(tn.world), RequestId: uuid.NewString()}
	o, err := e.Orders.CreateOrder(tn.intake, req)
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	if o.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_DRAFT || o.GetPrescriberId() != tn.world.PrescriberID ||
		len(o.GetCoverages()) != 1 || o.GetCoverages()[0].GetPayerId() != tn.world.PayerID || o.GetPriceListId() == "" {
		t.Errorf("order = %v; want a draft with the written order's prescriber, the coverage and the list", o)
	}
	cpap, mask := o.GetLines()[0], o.GetLines()[1]
	if cpap.GetBillable().GetAmountCents() != 10000 || cpap.GetAllowable().GetAmountCents() != 8000 || !cpap.GetSerialized() ||
		len(cpap.GetModifiers()) != 1 || cpap.GetModifiers()[0] != "RR" {
		t.Errorf("CPAP line = %v; want the monthly rental price, serialized, modifier RR", cpap)
	}
	if mask.GetBillable().GetAmountCents() != 5000 || mask.GetHcpcs() != "A7030" || mask.GetSerialized() {
		t.Errorf("mask line = %v; want the purchase price and the item's HCPCS", mask)
	}
	again, err := e.Orders.CreateOrder(tn.intake, req)
	if err != nil || again.GetId() != o.GetId() {
		t.Errorf("retried CreateOrder = %v, %v; want the first order %s", again.GetId(), err, o.GetId())
	}
	if got := e.Events.Types(); len(got) != 1 || got[0] != app.EventOrderCreated {
		t.Errorf("events = %v; want one %s", got, app.EventOrderCreated)
	}
}

func TestCreateOrderRefusesBadDraftsNamingTheField(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	other := e.Peers.NewWorld()
	tests := []struct {
		name   string
		change func(o *ordersv1.Order)
		fields []string
	}{
		{"unknown item", func(o *ordersv1.Order) { o.Lines[0].ItemId = uuid.NewString() }, []string{"order.lines[0].itemId"}},
		{"malformed HCPCS", func(o *ordersv1.Order) { o.Lines[0].Hcpcs = "E06" }, []string{"order.lines[0].hcpcs"}},
		{"malformed modifier", func(o *ordersv1.Order) { o.Lines[0].Modifiers = []string{"R"} }, []string{"order.lines[0].modifiers[0]"}},
		{"five modifiers", func(o *ordersv1.Order) { o.Lines[0].Modifiers = []string{"RR", "KH", "KX", "NU", "GA"} }, []string{"order.lines[0].modifiers"}},
		{"pointer out of range", func(o *ordersv1.Order) { o.Lines[1].DiagnosisPointers = []int32{2} }, []string{"order.lines[1].diagnosisPointers[0]"}},
		{"quantity 0", func(o *ordersv1.Order) { o.Lines[1].Quantity = 0 }, []string{"order.lines[1].quantity"}},
		{"quantity 10^9", func(o *ordersv1.Order) { o.Lines[1].Quantity = 1_000_000_000 }, []string{"order.lines[1].quantity"}},
		{"two CPAPs on a line", func(o *ordersv1.Order) { o.Lines[0].Quantity = 2 }, []string{"order.lines[0].quantity"}},
		{"serial of supplies", func(o *ordersv1.Order) { o.Lines[1].SerialNumber = "X1" }, []string{"order.lines[1].serialNumber"}},
		{"no diagnosis", func(o *ordersv1.Order) { o.Diagnoses = nil }, []string{"order.diagnoses", "order.lines[0].diagnosisPointers[0]", "order.lines[1].diagnosisPointers[0]"}},
		{"another patient's written order", func(o *ordersv1.Order) { o.WrittenOrderId = other.WrittenOrderID }, []string{"order.writtenOrderId"}},
		{"a branch as warehouse", func(o *ordersv1.Order) { o.WarehouseId = o.BranchId }, []string{"order.warehouseId"}},
		{"unknown patient", func(o *ordersv1.Order) { o.PatientId = uuid.NewString() }, []string{"order.writtenOrderId", "order.patientId"}},
		{"no type", func(o *ordersv1.Order) { o.Lines[1].Type = ordersv1.LineType_LINE_TYPE_UNSPECIFIED }, []string{"order.lines[1].type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := cpapOrder(tn.world)
			tt.change(o)
			_, err := e.Orders.CreateOrder(tn.intake, &ordersv1.CreateOrderRequest{Order: o})
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	if got := e.Events.Types(); len(got) != 0 {
		t.Errorf("events = %v; want none: nothing was written", got)
	}
	var orders int
	if err := e.DB.Super.QueryRow(context.Background(), "select count(*) from orders").Scan(&orders); err != nil || orders != 0 {
		t.Errorf("orders stored = %d, %v; want 0", orders, err)
	}
}

func TestCreateOrderWithoutAPriceNamesTheLine(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := cpapOrder(tn.world)
	o.OrderDate = &date.Date{Year: 2019, Month: 6, Day: 1} // before the prices start
	_, err := e.Orders.CreateOrder(tn.intake, &ordersv1.CreateOrderRequest{Order: o})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, app.ReasonPriceNotFound)
}

// preconditionTypes lists the precondition violations' types of err.
func preconditionTypes(err error) []string {
	var out []string
	for _, d := range status.Convert(err).Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				out = append(out, v.GetType())
			}
		}
	}
	return out
}

func TestSubmitRefusesReadinessGapsUnlessAnApproverOverrides(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := create(t, e, tn.intake, cpapOrder(tn.world))
	e.Peers.SetGaps(tn.world.PatientID, app.Gap{Code: "NO_SIGNED_ORDER", HCPCS: "E0601", Resource: "written_orders/x"},
		app.Gap{Code: "NO_PRIMARY_COVERAGE", Resource: "patients/y"})

	_, err := e.Orders.SubmitOrder(tn.intake, &ordersv1.SubmitOrderRequest{Id: o.GetId()})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, app.ReasonReadinessGaps)
	if got := preconditionTypes(err); len(got) != 2 || got[0] != "NO_SIGNED_ORDER" || got[1] != "NO_PRIMARY_COVERAGE" {
		t.Errorf("violations = %v; want the two gaps", got)
	}
	_, err = e.Orders.SubmitOrder(tn.intake, &ordersv1.SubmitOrderRequest{Id: o.GetId(), OverrideReason: "physician on leave"})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)

	got, err := e.Orders.SubmitOrder(tn.billing, &ordersv1.SubmitOrderRequest{Id: o.GetId(), Etag: o.GetEtag(), OverrideReason: "signed order in the mail"})
	if err != nil {
		t.Fatalf("SubmitOrder with override: %v", err)
	}
	if got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_SUBMITTED || got.GetReadinessOverrideReason() != "signed order in the mail" {
		t.Errorf("order = %v; want submitted keeping the reason", got)
	}
	events := e.Events.Events()
	last := events[len(events)-1].Payload.(*ordersv1.OrderChanged)
	if events[len(events)-1].Type != app.EventOrderSubmitted || last.GetOverrideReason() != "signed order in the mail" || len(last.GetOverriddenGaps()) != 2 {
		t.Errorf("last event = %s %v; want the submission with its override", events[len(events)-1].Type, last)
	}
	_, err = e.Orders.SubmitOrder(tn.intake, &ordersv1.SubmitOrderRequest{Id: o.GetId()})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, "ORDER_TRANSITION_NOT_ALLOWED")
}

func TestApproveReservesEachSerializedLineOnce(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := approved(t, e, tn)
	cpap := o.GetLines()[0]
	held, ok := e.Peers.Held(cpap.GetId())
	if !ok || cpap.GetUnitId() != held.ID || cpap.GetSerialNumber() != held.SerialNumber || o.GetLines()[1].GetUnitId() != "" {
		t.Errorf("lines = %v; want the CPAP holding unit %v and the mask none", o.GetLines(), held)
	}
	_, err := e.Orders.ApproveOrder(tn.billing, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, "ORDER_TRANSITION_NOT_ALLOWED")
	if n := e.Peers.HeldCount(); n != 1 {
		t.Errorf("units held = %d; want 1", n)
	}
	_, err = e.Orders.ApproveOrder(tn.intake, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
}

func TestApprovalThatFailsMidwayLeavesNothingReservedAndARetryApprovesOnce(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	two := cpapOrder(tn.world)
	two.Lines = append(two.Lines, proto.Clone(two.Lines[0]).(*ordersv1.OrderLine))
	o := create(t, e, tn.intake, two)
	if _, err := e.Orders.SubmitOrder(tn.intake, &ordersv1.SubmitOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatalf("SubmitOrder: %v", err)
	}

	e.Peers.SetSerialsDown(true)
	_, err := e.Orders.ApproveOrder(tn.billing, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	grpcerrtest.WantCode(t, err, codes.Unavailable)
	e.Peers.SetSerialsDown(false)

	e.Peers.FailReserveAfter = 1 // serials stops after the first CPAP
	_, err = e.Orders.ApproveOrder(tn.billing, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	grpcerrtest.WantCode(t, err, codes.Unavailable)
	got, _ := e.Orders.GetOrder(tn.billing, &ordersv1.GetOrderRequest{Id: o.GetId()})
	if got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_SUBMITTED || e.Peers.HeldCount() != 0 || len(e.Peers.Released) != 1 {
		t.Errorf("after a failed approval: status %v, %d held, released %v; want submitted, none held", got.GetStatus(), e.Peers.HeldCount(), e.Peers.Released)
	}

	e.Peers.FailReserveAfter = 0
	got, err = e.Orders.ApproveOrder(tn.billing, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	if err != nil || got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_APPROVED {
		t.Fatalf("retried ApproveOrder = %v, %v; want approved", got.GetStatus(), err)
	}
	if n := e.Peers.HeldCount(); n != 2 || got.GetLines()[0].GetUnitId() == got.GetLines()[2].GetUnitId() {
		t.Errorf("held %d, lines %v; want two different units", n, got.GetLines())
	}
	var approvals int
	for _, typ := range e.Events.Types() {
		if typ == app.EventOrderApproved {
			approvals++
		}
	}
	if approvals != 1 {
		t.Errorf("%d approval events; want 1", approvals)
	}
}

func TestDeliveryWithAnotherUnitSwapsItsReservation(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := approved(t, e, tn)
	reserved := o.GetLines()[0].GetUnitId()
	var other string
	for _, u := range tn.world.CPAPUnits {
		if u.ID != reserved {
			other = u.SerialNumber
		}
	}
	d := proof(o)
	d.Lines[0].SerialNumber = other
	req := &ordersv1.RecordDeliveryRequest{OrderId: o.GetId(), Delivery: d, RequestId: uuid.NewString()}
	got, err := e.Orders.RecordDelivery(tn.technician, req)
	if err != nil {
		t.Fatalf("RecordDelivery: %v %v", err, status.Convert(err).Details())
	}
	again, err := e.Orders.RecordDelivery(tn.technician, req)
	if err != nil || again.GetId() != got.GetId() {
		t.Errorf("retried RecordDelivery = %v, %v; want the first delivery", again.GetId(), err)
	}
	after, _ := e.Orders.GetOrder(tn.technician, &ordersv1.GetOrderRequest{Id: o.GetId()})
	line := after.GetLines()[0]
	if after.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_DELIVERED || line.GetSerialNumber() != other || line.GetUnitId() == reserved ||
		line.GetBillingStartDate().GetDay() != d.GetSignatureDate().GetDay() {
		t.Errorf("order after delivery = %v; want delivered with the swapped unit billing from the date of service", after)
	}
	var delivered *ordersv1.OrderDelivered
	for _, ev := range e.Events.Events() {
		if ev.Type == app.EventOrderDelivered {
			if delivered != nil {
				t.Errorf("a second %s: the retry recorded again", ev.Type)
			}
			delivered = ev.Payload.(*ordersv1.OrderDelivered)
		}
	}
	if delivered == nil || delivered.GetLines()[0].GetReservedUnitId() != reserved || delivered.GetLines()[0].GetUnitId() != line.GetUnitId() {
		t.Errorf("delivered event = %v; want the swap from %s", delivered, reserved)
	}

	corrected := proof(after)
	corrected.ReceiverName, corrected.Relationship, corrected.CorrectsDeliveryId = "Sam Ellis", "spouse", got.GetId()
	if _, err := e.Orders.RecordDelivery(tn.technician, &ordersv1.RecordDeliveryRequest{OrderId: o.GetId(), Delivery: corrected}); err != nil {
		t.Fatalf("correcting the delivery: %v", err)
	}
	list, err := e.Orders.ListDeliveries(tn.partnerRole, &ordersv1.ListDeliveriesRequest{OrderId: o.GetId()})
	if err != nil || len(list.GetDeliveries()) != 2 || list.GetDeliveries()[0].GetReceiverName() != "Ruth Ellis" {
		t.Errorf("deliveries = %v, %v; want the first kept unchanged and its correction", list, err)
	}
}

func TestDeliveryRefusesBadProofNamingTheField(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := approved(t, e, tn)
	tests := []struct {
		name   string
		change func(d *ordersv1.Delivery)
		fields []string
	}{
		{"no receiver", func(d *ordersv1.Delivery) { d.ReceiverName = " " }, []string{"delivery.receiverName"}},
		{"unknown relationship", func(d *ordersv1.Delivery) { d.Relationship = "neighbour" }, []string{"delivery.relationship"}},
		{"signed tomorrow", func(d *ordersv1.Delivery) { d.SignatureDate = daysFromToday(1) }, []string{"delivery.signatureDate"}},
		{"a line missing", func(d *ordersv1.Delivery) { d.Lines = d.Lines[:1] }, []string{"delivery.lines"}},
		{"another order's line", func(d *ordersv1.Delivery) { d.Lines[1].LineId = uuid.NewString() }, []string{"delivery.lines[1].lineId"}},
		{"fewer masks", func(d *ordersv1.Delivery) { d.Lines[1].Quantity = 1 }, []string{"delivery.lines[1].quantity"}},
		{"no serial", func(d *ordersv1.Delivery) { d.Lines[0].SerialNumber = "" }, []string{"delivery.lines[0].serialNumber"}},
		{"unknown serial", func(d *ordersv1.Delivery) { d.Lines[0].SerialNumber = "NOPE1" }, []string{"delivery.lines[0].serialNumber"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := proof(o)
			tt.change(d)
			_, err := e.Orders.RecordDelivery(tn.technician, &ordersv1.RecordDeliveryRequest{OrderId: o.GetId(), Delivery: d})
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	got, _ := e.Orders.GetOrder(tn.technician, &ordersv1.GetOrderRequest{Id: o.GetId()})
	if got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_APPROVED {
		t.Errorf("status = %v; want still approved", got.GetStatus())
	}
}

func TestPickupEndsTheRentalAndThenTheOrderCloses(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := approved(t, e, tn)
	if _, err := e.Orders.RecordDelivery(tn.technician, &ordersv1.RecordDeliveryRequest{OrderId: o.GetId(), Delivery: proof(o)}); err != nil {
		t.Fatalf("RecordDelivery: %v %v", err, status.Convert(err).Details())
	}
	_, err := e.Orders.CloseOrder(tn.intake, &ordersv1.CloseOrderRequest{Id: o.GetId()})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, "RENTALS_ACTIVE")

	cpap, mask := o.GetLines()[0], o.GetLines()[1]
	_, err = e.Orders.RecordPickup(tn.technician, &ordersv1.RecordPickupRequest{OrderId: o.GetId(), Pickup: &ordersv1.Pickup{
		PickupDate: daysFromToday(0), Reason: ordersv1.PickupReason_PICKUP_REASON_END_OF_NEED,
		Lines: []*ordersv1.DeliveredLine{{LineId: mask.GetId()}}}})
	grpcerrtest.WantInvalid(t, err, "pickup.lines[0].lineId")

	p, err := e.Orders.RecordPickup(tn.technician, &ordersv1.RecordPickupRequest{OrderId: o.GetId(), Pickup: &ordersv1.Pickup{
		PickupDate: daysFromToday(0), Reason: ordersv1.PickupReason_PICKUP_REASON_END_OF_NEED,
		Lines: []*ordersv1.DeliveredLine{{LineId: cpap.GetId(), SerialNumber: cpap.GetSerialNumber()}}}})
	if err != nil {
		t.Fatalf("RecordPickup: %v", err)
	}
	var picked *ordersv1.OrderPickedUp
	for _, ev := range e.Events.Events() {
		if ev.Type == app.EventOrderPickedUp {
			picked = ev.Payload.(*ordersv1.OrderPickedUp)
		}
	}
	if picked == nil || picked.GetPickupId() != p.GetId() || len(picked.GetLines()) != 1 || picked.GetLines()[0].GetUnitId() != cpap.GetUnitId() ||
		picked.GetReason() != ordersv1.PickupReason_PICKUP_REASON_END_OF_NEED {
		t.Errorf("picked-up event = %v; want the CPAP's unit and the reason", picked)
	}
	closed, err := e.Orders.CloseOrder(tn.intake, &ordersv1.CloseOrderRequest{Id: o.GetId()})
	if err != nil || closed.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_CLOSED || closed.GetLines()[0].GetBillingEndDate() == nil {
		t.Errorf("CloseOrder = %v, %v; want closed with the rental's billing ended", closed, err)
	}
}

func TestCancelListsTheUnitsToRelease(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := approved(t, e, tn)
	_, err := e.Orders.CancelOrder(tn.intake, &ordersv1.CancelOrderRequest{Id: o.GetId()})
	grpcerrtest.WantInvalid(t, err, "reason")
	_, err = e.Orders.CancelOrder(tn.intake, &ordersv1.CancelOrderRequest{Id: o.GetId(), Etag: "W/\"99\"", Reason: "patient declined"})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	got, err := e.Orders.CancelOrder(tn.intake, &ordersv1.CancelOrderRequest{Id: o.GetId(), Etag: o.GetEtag(), Reason: "patient declined"})
	if err != nil || got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_CANCELLED || got.GetCancelReason() != "patient declined" {
		t.Fatalf("CancelOrder = %v, %v", got, err)
	}
	events := e.Events.Events()
	last := events[len(events)-1]
	lines := last.Payload.(*ordersv1.OrderChanged).GetLines()
	if last.Type != app.EventOrderCancelled || len(lines) != 2 || lines[0].GetUnitId() != o.GetLines()[0].GetUnitId() {
		t.Errorf("last event = %s %v; want the cancellation naming the reserved unit", last.Type, lines)
	}
}

func TestAnotherCompanysOrderIsNotFound(t *testing.T) {
	e := orderstest.New(t)
	a, b := newTenant(t, e), newTenant(t, e)
	o := approved(t, e, a)
	_, err := e.Orders.GetOrder(b.intake, &ordersv1.GetOrderRequest{Id: o.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Orders.ListDeliveries(b.intake, &ordersv1.ListDeliveriesRequest{OrderId: o.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Orders.CancelOrder(b.intake, &ordersv1.CancelOrderRequest{Id: o.GetId(), Reason: "x"})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	list, err := e.Orders.ListOrders(b.intake, &ordersv1.ListOrdersRequest{})
	if err != nil || len(list.GetOrders()) != 0 {
		t.Errorf("company B's orders = %v, %v; want none", list.GetOrders(), err)
	}
}

func TestListOrdersFiltersAndPages(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	var ids []string
	for days := range 5 {
		o := cpapOrder(tn.world)
		o.OrderDate = daysFromToday(-days)
		ids = append(ids, create(t, e, tn.intake, o).GetId())
	}
	var seen []string
	token := ""
	for {
		page, err := e.Orders.ListOrders(tn.intake, &ordersv1.ListOrdersRequest{PageSize: 2, PageToken: token, PatientId: tn.world.PatientID})
		if err != nil {
			t.Fatalf("ListOrders: %v", err)
		}
		for _, o := range page.GetOrders() {
			seen = append(seen, o.GetId())
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged %d orders; want 5", len(seen))
	}
	for i := range ids {
		if seen[i] != ids[i] {
			t.Errorf("order %d = %s; want %s (newest order date first)", i, seen[i], ids[i])
		}
	}
	page, err := e.Orders.ListOrders(tn.intake, &ordersv1.ListOrdersRequest{OrderDateFrom: daysFromToday(-1), Status: ordersv1.OrderStatus_ORDER_STATUS_DRAFT})
	if err != nil || len(page.GetOrders()) != 2 {
		t.Errorf("orders of the last two days = %d, %v; want 2", len(page.GetOrders()), err)
	}
	_, err = e.Orders.ListOrders(tn.intake, &ordersv1.ListOrdersRequest{OrderDateFrom: daysFromToday(0), OrderDateTo: daysFromToday(-1)})
	grpcerrtest.WantInvalid(t, err, "orderDateTo")
}

func TestUpdateRewritesADraftKeepingLineIDs(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := create(t, e, tn.intake, cpapOrder(tn.world))
	o.Lines[1].Quantity = 3
	o.Diagnoses = []string{"G47.33", "E11.9"}
	o.Lines[1].DiagnosisPointers = []int32{2, 1}
	got, err := e.Orders.UpdateOrder(tn.intake, &ordersv1.UpdateOrderRequest{Order: o,
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"lines", "diagnoses"}}})
	if err != nil {
		t.Fatalf("UpdateOrder: %v", err)
	}
	if got.GetLines()[1].GetId() != o.GetLines()[1].GetId() || got.GetLines()[1].GetQuantity() != 3 || got.GetDiagnoses()[1] != "E119" {
		t.Errorf("updated = %v", got)
	}
	_, err = e.Orders.UpdateOrder(tn.intake, &ordersv1.UpdateOrderRequest{Order: o, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"lines"}}})
	grpcerrtest.WantCode(t, err, codes.Aborted)
}

func TestSerialsRefusalFlagsTheLineOnce(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	o := approved(t, e, tn)
	cpap := o.GetLines()[0]
	payload, err := proto.Marshal(&serialsv1.UnitFulfillmentRefused{CompanyId: tn.company, UnitId: cpap.GetUnitId(),
		ActorId: "serials", OrderId: o.GetId(), OrderLineId: cpap.GetId(), Reason: "UNIT_RECALLED"})
	if err != nil {
		t.Fatal(err)
	}
	d := bus.Delivery{Message: bus.Message{ID: uuid.NewString(), Type: app.EventUnitFulfillmentRefused,
		PayloadType: "ariesone.serials.v1.UnitFulfillmentRefused", CompanyID: tn.company, Payload: payload}}
	handle := inbox.Handler(e.DB.App, app.FulfilmentConsumer, e.App.Orders.ConsumeFulfilment)
	for range 2 { // a redelivery
		if err := handle(context.Background(), []bus.Delivery{d}); err != nil {
			t.Fatalf("consume: %v", err)
		}
	}
	got, _ := e.Orders.GetOrder(tn.intake, &ordersv1.GetOrderRequest{Id: o.GetId()})
	if got.GetLines()[0].GetFulfillmentProblem() != "UNIT_RECALLED" {
		t.Errorf("line = %v; want flagged UNIT_RECALLED", got.GetLines()[0])
	}
	var flags int
	for _, typ := range e.Events.Types() {
		if typ == app.EventOrderFlagged {
			flags++
		}
	}
	if flags != 1 {
		t.Errorf("%d flag events; want 1", flags)
	}
}
