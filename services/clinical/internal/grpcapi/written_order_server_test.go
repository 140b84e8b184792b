package grpcapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// daysFromToday is a date relative to today (UTC, the harness's zone).
func daysFromToday(days int) *date.Date {
	d := time.Now().UTC().AddDate(0, 0, days)
	return &date.Date{Year: int32(d.Year()), Month: int32(d.Month()), Day: int32(d.Day())}
}

// orderParties is a patient and an active prescriber of one company.
type orderParties struct {
	patientID, prescriberID string
}

// newOrderParties registers a patient (named last) and a prescriber of
// tenant's company, through the API.
func newOrderParties(t *testing.T, e *clinicaltest.Env, tenant clinicaltest.Tenant, last, npi string) orderParties {
	t.Helper()
	pt := createPatient(t, e, tenant.Intake, patient(tenant, "Ruth", last))
	rx := createPrescriber(t, e, tenant.Intake, prescriber(npi, "Ada", "Lovelace"))
	return orderParties{patientID: pt.GetId(), prescriberID: rx.GetId()}
}

// cpapOrder is a complete CPAP order (E0601 and a mask) dated ten days
// ago, for 12 months; unsigned.
func cpapOrder(p orderParties) *clinicalv1.WrittenOrder {
	return &clinicalv1.WrittenOrder{
		PatientId: p.patientID, PrescriberId: p.prescriberID,
		Items: []*clinicalv1.WrittenOrderItem{
			{Hcpcs: "E0601", Description: "CPAP device", Quantity: 1},
			{Hcpcs: "A7030", Description: "Full face mask", Quantity: 1},
		},
		OrderDate: daysFromToday(-10), LengthOfNeedMonths: 12, Diagnoses: []string{"G47.33"},
	}
}

func createOrder(t *testing.T, e *clinicaltest.Env, ctx context.Context, o *clinicalv1.WrittenOrder) *clinicalv1.WrittenOrder {
	t.Helper()
	got, err := e.WrittenOrders.CreateWrittenOrder(ctx, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: o})
	if err != nil {
		t.Fatalf("CreateWrittenOrder: %v", err)
	}
	return got
}

func signOrder(t *testing.T, e *clinicaltest.Env, ctx context.Context, id string, on *date.Date) *clinicalv1.WrittenOrder {
	t.Helper()
	got, err := e.WrittenOrders.SignWrittenOrder(ctx, &clinicalv1.SignWrittenOrderRequest{Id: id, SignatureDate: on})
	if err != nil {
		t.Fatalf("SignWrittenOrder: %v", err)
	}
	return got
}

// statusReason is the google.rpc.ErrorInfo reason of a gRPC error.
func statusReason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// wantPrecondition asserts FAILED_PRECONDITION with reason and, when
// given, exactly these precondition violation types.
func wantPrecondition(t *testing.T, err error, reason string, types ...string) {
	t.Helper()
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
	if got := statusReason(err); got != reason {
		t.Errorf("reason = %q, want %q", got, reason)
	}
	if types == nil {
		return
	}
	var got []string
	for _, v := range grpcerr.PreconditionViolations(status.Convert(err)) {
		got = append(got, v.Type)
	}
	if diff := cmp.Diff(types, got); diff != "" {
		t.Errorf("precondition types (-want +got):\n%s", diff)
	}
}

func TestCreateAndGetWrittenOrder(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	parties := newOrderParties(t, e, a, "Okafor", npiA)
	req := cpapOrder(parties)
	req.Status = clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED // output only: ignored
	created := createOrder(t, e, a.Intake, req)

	orderDate := req.GetOrderDate()
	if _, err := uuid.Parse(created.GetId()); err != nil || created.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_DRAFT ||
		created.GetEtag() != `"1"` || !cmp.Equal(created.GetDiagnoses(), []string{"G4733"}) || created.GetFaceToFaceRequired() ||
		created.GetExpireDate().GetYear() != orderDate.GetYear()+1 || created.GetExpireDate().GetMonth() != orderDate.GetMonth() ||
		created.GetSignatureDate() != nil || created.GetRevokeTime() != nil || len(created.GetItems()) != 2 ||
		created.GetItems()[1].GetHcpcs() != "A7030" {
		t.Fatalf("CreateWrittenOrder = %v", created)
	}
	for name, ctx := range map[string]context.Context{"intake": a.Intake, "auditor": a.Auditor} {
		got, err := e.WrittenOrders.GetWrittenOrder(ctx, &clinicalv1.GetWrittenOrderRequest{Id: created.GetId()})
		if err != nil {
			t.Fatalf("GetWrittenOrder as %s: %v", name, err)
		}
		if diff := cmp.Diff(created, got, protocmp.Transform()); diff != "" {
			t.Errorf("GetWrittenOrder as %s differs from create (-create +get):\n%s", name, diff)
		}
	}
	events := e.Events.Events()
	last := events[len(events)-1]
	payload, ok := last.Payload.(*clinicalv1.WrittenOrderCreated)
	if last.Type != app.EventWrittenOrderCreated || !ok || payload.GetWrittenOrderId() != created.GetId() ||
		payload.GetPatientId() != parties.patientID || payload.GetPrescriberId() != parties.prescriberID ||
		!cmp.Equal(payload.GetHcpcsCodes(), []string{"E0601", "A7030"}) ||
		payload.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_DRAFT {
		t.Errorf("created event = %s %v", last.Type, last.Payload)
	}

	_, err := e.WrittenOrders.GetWrittenOrder(a.Intake, &clinicalv1.GetWrittenOrderRequest{Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.WrittenOrders.GetWrittenOrder(a.Warehouse, &clinicalv1.GetWrittenOrderRequest{Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.WrittenOrders.CreateWrittenOrder(a.Auditor, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: cpapOrder(parties)})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.WrittenOrders.SignWrittenOrder(a.Auditor, &clinicalv1.SignWrittenOrderRequest{Id: created.GetId(), SignatureDate: daysFromToday(0)})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.WrittenOrders.RevokeWrittenOrder(a.Billing, &clinicalv1.RevokeWrittenOrderRequest{Id: created.GetId(), Reason: "x"})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
}

func TestCreateWrittenOrderRefusals(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	parties := newOrderParties(t, e, a, "Okafor", npiA)
	tests := []struct {
		name   string
		edit   func(o *clinicalv1.WrittenOrder)
		fields []string
	}{
		{"hcpcs", func(o *clinicalv1.WrittenOrder) { o.Items[1].Hcpcs = "Z1234" }, []string{"writtenOrder.items[1].hcpcs"}},
		{"quantity", func(o *clinicalv1.WrittenOrder) { o.Items[0].Quantity = 0 }, []string{"writtenOrder.items[0].quantity"}},
		{"diagnosis", func(o *clinicalv1.WrittenOrder) { o.Diagnoses = []string{"I10", "10I"} }, []string{"writtenOrder.diagnoses[1]"}},
		{"length of need", func(o *clinicalv1.WrittenOrder) { o.LengthOfNeedMonths = 100 }, []string{"writtenOrder.lengthOfNeedMonths"}},
		{"no patient", func(o *clinicalv1.WrittenOrder) { o.PatientId = "" }, []string{"writtenOrder.patientId"}},
		{"no prescriber", func(o *clinicalv1.WrittenOrder) { o.PrescriberId = "" }, []string{"writtenOrder.prescriberId"}},
		{"no order date", func(o *clinicalv1.WrittenOrder) { o.OrderDate = nil }, []string{"writtenOrder.orderDate"}},
		{"February 30", func(o *clinicalv1.WrittenOrder) { o.OrderDate = &date.Date{Year: 2025, Month: 2, Day: 30} },
			[]string{"writtenOrder.orderDate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := cpapOrder(parties)
			tt.edit(o)
			_, err := e.WrittenOrders.CreateWrittenOrder(a.Intake, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: o})
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}

	// The patient and the prescriber must exist in the company.
	o := cpapOrder(parties)
	o.PatientId = uuid.NewString()
	_, err := e.WrittenOrders.CreateWrittenOrder(a.Intake, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: o})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	o = cpapOrder(parties)
	o.PrescriberId = uuid.NewString()
	_, err = e.WrittenOrders.CreateWrittenOrder(a.Intake, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: o})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	// An inactive prescriber may not be named.
	if _, err := e.Prescribers.UpdatePrescriber(a.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: parties.prescriberID, Active: false}, UpdateMask: mask("active")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.WrittenOrders.CreateWrittenOrder(a.Intake, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: cpapOrder(parties)})
	wantPrecondition(t, err, app.ReasonPrescriberInactive)

	list, err := e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{})
	if err != nil || len(list.GetWrittenOrders()) != 0 {
		t.Errorf("after refused creates: %v, %v", list, err)
	}
	for _, typ := range e.Events.Types() {
		if strings.HasPrefix(typ, "clinical.written_order.") {
			t.Errorf("event %s after refused creates", typ)
		}
	}
}

func TestCreateWrittenOrderIsIdempotent(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	parties := newOrderParties(t, e, a, "Okafor", npiA)
	req := &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: cpapOrder(parties), RequestId: uuid.NewString()}
	first, err := e.WrittenOrders.CreateWrittenOrder(a.Intake, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.WrittenOrders.CreateWrittenOrder(a.Intake, req)
	if err != nil || again.GetId() != first.GetId() {
		t.Fatalf("repeat = %v, %v; want %s", again.GetId(), err, first.GetId())
	}
	req.WrittenOrder.LengthOfNeedMonths = 6
	_, err = e.WrittenOrders.CreateWrittenOrder(a.Intake, req)
	grpcerrtest.WantInvalid(t, err, "requestId")
	n := 0
	for _, typ := range e.Events.Types() {
		if typ == app.EventWrittenOrderCreated {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d created events, want 1", n)
	}
}

func TestWrittenOrderLifecycle(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	parties := newOrderParties(t, e, a, "Okafor", npiA)
	draft := createOrder(t, e, a.Intake, &clinicalv1.WrittenOrder{
		PatientId: parties.patientID, PrescriberId: parties.prescriberID, OrderDate: daysFromToday(-10),
	})

	// Signing an incomplete draft lists every gap at once.
	_, err := e.WrittenOrders.SignWrittenOrder(a.Intake, &clinicalv1.SignWrittenOrderRequest{Id: draft.GetId()})
	wantPrecondition(t, err, domain.ReasonWrittenOrderIncomplete, domain.UnmetItemsMissing, domain.UnmetDiagnosisMissing,
		domain.UnmetLengthOfNeedMissing, domain.UnmetSignatureDateMissing)

	// A power wheelchair needs a face-to-face encounter.
	wheelchair, err := e.WrittenOrders.UpdateWrittenOrder(a.Intake, &clinicalv1.UpdateWrittenOrderRequest{
		WrittenOrder: &clinicalv1.WrittenOrder{Id: draft.GetId(), Etag: draft.GetEtag(),
			Items:              []*clinicalv1.WrittenOrderItem{{Hcpcs: "K0823", Description: "Power wheelchair, group 2", Quantity: 1}},
			LengthOfNeedMonths: 99, Diagnoses: []string{"G35"}},
		UpdateMask: mask("items", "length_of_need_months", "diagnoses"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !wheelchair.GetFaceToFaceRequired() || wheelchair.GetExpireDate() != nil || wheelchair.GetEtag() != `"2"` {
		t.Errorf("wheelchair draft = %v", wheelchair)
	}
	for _, c := range []struct {
		name  string
		on    *date.Date
		types []string
	}{
		{"no face-to-face", daysFromToday(0), []string{domain.UnmetFaceToFaceMissing}},
		{"signed in the future", daysFromToday(2), []string{domain.UnmetSignatureDateInFuture, domain.UnmetFaceToFaceMissing}},
		{"signed before the order", daysFromToday(-11), []string{domain.UnmetSignatureDateBeforeOrderDate, domain.UnmetFaceToFaceMissing}},
	} {
		_, err := e.WrittenOrders.SignWrittenOrder(a.Intake, &clinicalv1.SignWrittenOrderRequest{Id: draft.GetId(), SignatureDate: c.on})
		wantPrecondition(t, err, domain.ReasonWrittenOrderIncomplete, c.types...)
	}
	_, err = e.WrittenOrders.SignWrittenOrder(a.Intake, &clinicalv1.SignWrittenOrderRequest{
		Id: draft.GetId(), SignatureDate: &date.Date{Year: 2025, Month: 2, Day: 30}})
	grpcerrtest.WantInvalid(t, err, "signatureDate")

	withF2F, err := e.WrittenOrders.UpdateWrittenOrder(a.Intake, &clinicalv1.UpdateWrittenOrderRequest{
		WrittenOrder: &clinicalv1.WrittenOrder{Id: draft.GetId(), FaceToFaceDate: daysFromToday(-30)},
		UpdateMask:   mask("face_to_face_date"),
	})
	if err != nil {
		t.Fatal(err)
	}
	// A stale etag is refused before anything else.
	_, err = e.WrittenOrders.SignWrittenOrder(a.Intake, &clinicalv1.SignWrittenOrderRequest{
		Id: draft.GetId(), SignatureDate: daysFromToday(-1), Etag: wheelchair.GetEtag()})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	signed, err := e.WrittenOrders.SignWrittenOrder(a.Intake, &clinicalv1.SignWrittenOrderRequest{
		Id: draft.GetId(), SignatureDate: daysFromToday(-1), Etag: withF2F.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if signed.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED ||
		signed.GetSignatureDate().GetDay() != daysFromToday(-1).GetDay() || signed.GetEtag() != `"4"` {
		t.Errorf("signed = %v", signed)
	}

	// A signed order is frozen.
	_, err = e.WrittenOrders.UpdateWrittenOrder(a.Intake, &clinicalv1.UpdateWrittenOrderRequest{
		WrittenOrder: &clinicalv1.WrittenOrder{Id: draft.GetId(), Diagnoses: []string{"I10"}}, UpdateMask: mask("diagnoses")})
	wantPrecondition(t, err, domain.ReasonWrittenOrderTransition)
	_, err = e.WrittenOrders.SignWrittenOrder(a.Intake, &clinicalv1.SignWrittenOrderRequest{Id: draft.GetId(), SignatureDate: daysFromToday(0)})
	wantPrecondition(t, err, domain.ReasonWrittenOrderTransition)
	// The patient is set once.
	_, err = e.WrittenOrders.UpdateWrittenOrder(a.Intake, &clinicalv1.UpdateWrittenOrderRequest{
		WrittenOrder: &clinicalv1.WrittenOrder{Id: draft.GetId(), PatientId: parties.patientID}, UpdateMask: mask("patient_id")})
	grpcerrtest.WantInvalid(t, err, "updateMask")

	_, err = e.WrittenOrders.RevokeWrittenOrder(a.Intake, &clinicalv1.RevokeWrittenOrderRequest{Id: draft.GetId(), Reason: "  "})
	grpcerrtest.WantInvalid(t, err, "reason")
	revoked, err := e.WrittenOrders.RevokeWrittenOrder(a.Intake, &clinicalv1.RevokeWrittenOrderRequest{
		Id: draft.GetId(), Reason: "replaced by a new order", Etag: signed.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if revoked.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_REVOKED ||
		revoked.GetRevokeReason() != "replaced by a new order" || revoked.GetRevokeTime() == nil {
		t.Errorf("revoked = %v", revoked)
	}
	_, err = e.WrittenOrders.RevokeWrittenOrder(a.Intake, &clinicalv1.RevokeWrittenOrderRequest{Id: draft.GetId(), Reason: "again"})
	wantPrecondition(t, err, domain.ReasonWrittenOrderTransition)

	var orderEvents []string
	var revokedEvent *clinicalv1.WrittenOrderRevoked
	for _, ev := range e.Events.Events() {
		if strings.HasPrefix(ev.Type, "clinical.written_order.") {
			orderEvents = append(orderEvents, ev.Type)
		}
		if p, ok := ev.Payload.(*clinicalv1.WrittenOrderRevoked); ok {
			revokedEvent = p
		}
	}
	if diff := cmp.Diff([]string{app.EventWrittenOrderCreated, app.EventWrittenOrderUpdated, app.EventWrittenOrderUpdated,
		app.EventWrittenOrderSigned, app.EventWrittenOrderRevoked}, orderEvents); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if revokedEvent.GetPreviousStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED ||
		!cmp.Equal(revokedEvent.GetHcpcsCodes(), []string{"K0823"}) {
		t.Errorf("revoked event = %v", revokedEvent)
	}
	// Events carry no reason, diagnosis or date.
	for _, ev := range e.Events.Events() {
		if s := ev.Payload.(interface{ String() string }).String(); strings.Contains(s, "replaced") || strings.Contains(s, "G35") {
			t.Errorf("event %s carries order details: %s", ev.Type, s)
		}
	}
}

func TestWrittenOrderExpiresAfterItsLengthOfNeed(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	parties := newOrderParties(t, e, a, "Okafor", npiA)
	old := cpapOrder(parties)
	old.OrderDate, old.LengthOfNeedMonths = daysFromToday(-800), 12
	expired := createOrder(t, e, a.Intake, old)
	expired = signOrder(t, e, a.Intake, expired.GetId(), old.GetOrderDate())
	lifetime := cpapOrder(parties)
	lifetime.OrderDate, lifetime.LengthOfNeedMonths = daysFromToday(-800), 99
	forever := signOrder(t, e, a.Intake, createOrder(t, e, a.Intake, lifetime).GetId(), lifetime.GetOrderDate())
	draft := createOrder(t, e, a.Intake, cpapOrder(parties))

	if expired.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_EXPIRED || expired.GetExpireDate() == nil {
		t.Errorf("order signed 800 days ago for 12 months = %v", expired)
	}
	if forever.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED || forever.GetExpireDate() != nil {
		t.Errorf("lifetime order = %v", forever)
	}
	byStatus := func(s clinicalv1.WrittenOrderStatus) []string {
		t.Helper()
		resp, err := e.WrittenOrders.ListWrittenOrders(a.Auditor, &clinicalv1.ListWrittenOrdersRequest{Status: s})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, o := range resp.GetWrittenOrders() {
			if o.GetStatus() != s && s != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_UNSPECIFIED {
				t.Errorf("listed as %v: %v", s, o)
			}
			ids = append(ids, o.GetId())
		}
		return ids
	}
	for s, want := range map[clinicalv1.WrittenOrderStatus][]string{
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_EXPIRED:     {expired.GetId()},
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED:      {forever.GetId()},
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_DRAFT:       {draft.GetId()},
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_REVOKED:     nil,
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_UNSPECIFIED: {draft.GetId(), forever.GetId(), expired.GetId()},
	} {
		if diff := cmp.Diff(want, byStatus(s)); diff != "" {
			t.Errorf("status %v (-want +got):\n%s", s, diff)
		}
	}
	// An expired order may still be revoked; it was signed.
	revoked, err := e.WrittenOrders.RevokeWrittenOrder(a.Intake, &clinicalv1.RevokeWrittenOrderRequest{Id: expired.GetId(), Reason: "patient moved"})
	if err != nil || revoked.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_REVOKED {
		t.Fatalf("revoke expired = %v, %v", revoked, err)
	}
	events := e.Events.Events()
	if p, ok := events[len(events)-1].Payload.(*clinicalv1.WrittenOrderRevoked); !ok ||
		p.GetPreviousStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED {
		t.Errorf("revoked event = %v", events[len(events)-1].Payload)
	}
	if diff := cmp.Diff([]string{expired.GetId()}, byStatus(clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_REVOKED)); diff != "" {
		t.Errorf("revoked (-want +got):\n%s", diff)
	}
}

func TestListWrittenOrders(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	okafor := newOrderParties(t, e, a, "Okafor", npiA)
	petrov := orderParties{patientID: createPatient(t, e, a.Intake, patient(a, "Ivan", "Petrov")).GetId(), prescriberID: okafor.prescriberID}
	var okaforOrders []string
	for range 3 {
		okaforOrders = append([]string{createOrder(t, e, a.Intake, cpapOrder(okafor)).GetId()}, okaforOrders...)
	}
	petrovOrder := createOrder(t, e, a.Intake, cpapOrder(petrov)).GetId()

	var all []string
	req := &clinicalv1.ListWrittenOrdersRequest{PageSize: 2, PatientId: okafor.patientID}
	for pages := 0; ; pages++ {
		if pages > 2 {
			t.Fatal("too many pages")
		}
		resp, err := e.WrittenOrders.ListWrittenOrders(a.Intake, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range resp.GetWrittenOrders() {
			all = append(all, o.GetId())
		}
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			break
		}
	}
	if diff := cmp.Diff(okaforOrders, all); diff != "" {
		t.Errorf("Okafor's orders, newest first (-want +got):\n%s", diff)
	}
	resp, err := e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{PatientId: petrov.patientID})
	if err != nil || len(resp.GetWrittenOrders()) != 1 || resp.GetWrittenOrders()[0].GetId() != petrovOrder {
		t.Errorf("Petrov's orders = %v, %v", resp, err)
	}
	resp, err = e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{PatientId: uuid.NewString()})
	if err != nil || len(resp.GetWrittenOrders()) != 0 {
		t.Errorf("unknown patient's orders = %v, %v", resp, err)
	}

	// The listing names what it disclosed in the audit trail.
	var audited bool
	for _, r := range e.Observed.Audit.Records() {
		if strings.HasSuffix(r.Method, "/ListWrittenOrders") && strings.Contains(r.Resources["written_order_ids"], petrovOrder) &&
			r.Resources["patient_ids"] == petrov.patientID {
			audited = true
		}
	}
	if !audited {
		t.Error("no audit record of a listing names the order and patient it disclosed")
	}

	first, err := e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{
		PageSize: 1, PageToken: first.GetNextPageToken(), PatientId: okafor.patientID})
	grpcerrtest.WantInvalid(t, err, "pageToken")
	_, err = e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{PatientId: "nope"})
	grpcerrtest.WantInvalid(t, err, "patientId")
	_, err = e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{Status: 42})
	grpcerrtest.WantInvalid(t, err, "status")
}

func TestWrittenOrdersAreIsolatedByCompany(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	aParties := newOrderParties(t, e, a, "Okafor", npiA)
	bParties := newOrderParties(t, e, b, "Petrov", npiA)
	order := createOrder(t, e, a.Intake, cpapOrder(aParties))

	_, err := e.WrittenOrders.GetWrittenOrder(b.Intake, &clinicalv1.GetWrittenOrderRequest{Id: order.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.WrittenOrders.UpdateWrittenOrder(b.Intake, &clinicalv1.UpdateWrittenOrderRequest{
		WrittenOrder: &clinicalv1.WrittenOrder{Id: order.GetId(), LengthOfNeedMonths: 6}, UpdateMask: mask("length_of_need_months")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.WrittenOrders.SignWrittenOrder(b.Intake, &clinicalv1.SignWrittenOrderRequest{Id: order.GetId(), SignatureDate: daysFromToday(0)})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.WrittenOrders.RevokeWrittenOrder(b.Intake, &clinicalv1.RevokeWrittenOrderRequest{Id: order.GetId(), Reason: "mine now"})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	// B can name neither A's patient nor A's prescriber.
	o := cpapOrder(bParties)
	o.PatientId = aParties.patientID
	_, err = e.WrittenOrders.CreateWrittenOrder(b.Intake, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: o})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	o = cpapOrder(bParties)
	o.PrescriberId = aParties.prescriberID
	_, err = e.WrittenOrders.CreateWrittenOrder(b.Intake, &clinicalv1.CreateWrittenOrderRequest{WrittenOrder: o})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	bOrder := createOrder(t, e, b.Intake, cpapOrder(bParties))
	_, err = e.WrittenOrders.UpdateWrittenOrder(b.Intake, &clinicalv1.UpdateWrittenOrderRequest{
		WrittenOrder: &clinicalv1.WrittenOrder{Id: bOrder.GetId(), PrescriberId: aParties.prescriberID}, UpdateMask: mask("prescriber_id")})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	for _, req := range []*clinicalv1.ListWrittenOrdersRequest{{PatientId: aParties.patientID}, {Status: clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_DRAFT}} {
		resp, err := e.WrittenOrders.ListWrittenOrders(b.Auditor, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range resp.GetWrittenOrders() {
			if got.GetId() != bOrder.GetId() {
				t.Errorf("company B lists %s", got.GetId())
			}
		}
	}
	got, err := e.WrittenOrders.GetWrittenOrder(a.Intake, &clinicalv1.GetWrittenOrderRequest{Id: order.GetId()})
	if err != nil || got.GetEtag() != `"1"` || got.GetStatus() != clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_DRAFT {
		t.Errorf("company A's order after B's attempts: %v, %v", got, err)
	}
}
