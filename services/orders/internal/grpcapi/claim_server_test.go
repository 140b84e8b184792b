package grpcapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

// setDay moves the service's clock to noon UTC of day.
func setDay(e *orderstest.Env, day civil.Date) {
	e.Clock.Set(day.In(time.UTC).Add(12 * time.Hour))
}

// rentalDelivered drafts, approves and delivers on dos an order of tn's
// CPAP of type typ (and a mask sold), the clock set to dos.
func rentalDelivered(t *testing.T, e *orderstest.Env, tn tenant, typ ordersv1.LineType, dos civil.Date) *ordersv1.Order {
	t.Helper()
	setDay(e, dos)
	draft := cpapOrder(tn.world)
	draft.OrderDate = protoconv.DateProto(dos)
	draft.Lines[0].Type = typ
	draft.Lines[0].Modifiers = []string{"rr", "KX"}
	o := create(t, e, tn.intake, draft)
	if _, err := e.Orders.SubmitOrder(tn.intake, &ordersv1.SubmitOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatalf("SubmitOrder: %v", err)
	}
	o, err := e.Orders.ApproveOrder(tn.billing, &ordersv1.ApproveOrderRequest{Id: o.GetId()})
	if err != nil {
		t.Fatalf("ApproveOrder: %v", err)
	}
	p := proof(o)
	p.SignatureDate = protoconv.DateProto(dos)
	if _, err := e.Orders.RecordDelivery(tn.technician, &ordersv1.RecordDeliveryRequest{OrderId: o.GetId(), Delivery: p}); err != nil {
		t.Fatalf("RecordDelivery: %v", err)
	}
	return o
}

// runBilling runs billing as of today on the service's clock.
func runBilling(t *testing.T, e *orderstest.Env, ctx context.Context) *ordersv1.RunBillingResponse {
	t.Helper()
	run, err := e.Claims.RunBilling(ctx, &ordersv1.RunBillingRequest{})
	if err != nil {
		t.Fatalf("RunBilling: %v", err)
	}
	return run
}

// allClaimLines pages through every claim line visible to ctx.
func allClaimLines(t *testing.T, e *orderstest.Env, ctx context.Context, req *ordersv1.ListClaimLinesRequest) []*ordersv1.ClaimLine {
	t.Helper()
	var out []*ordersv1.ClaimLine
	for {
		resp, err := e.Claims.ListClaimLines(ctx, req)
		if err != nil {
			t.Fatalf("ListClaimLines: %v", err)
		}
		out = append(out, resp.GetClaimLines()...)
		if resp.GetNextPageToken() == "" {
			return out
		}
		req.PageToken = resp.GetNextPageToken()
	}
}

func dateString(d *date.Date) string { return protoconv.Date(d).String() }

// TestCappedRentalBillsThirteenMonthsAndPassesTitle: a CPAP on capped
// rental delivered on January 31, billed on each month's first day,
// produces one claim line a month for 13 months with RR+KH/KI/KJ and the
// line's KX after them, months 4-13 expected at 75%; on the day month 14
// would start the rental closes with title to the patient (RentalClosed
// naming the unit) and nothing more is billed. A second run on the same
// day creates nothing.
func TestCappedRentalBillsThirteenMonthsAndPassesTitle(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	dos := civil.Date{Year: 2026, Month: time.January, Day: 31}
	o := rentalDelivered(t, e, tn, ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, dos)

	var created []int32
	for n := 1; n <= 16; n++ {
		period, err := domain.RentalMonth(dos, n)
		if err != nil {
			t.Fatal(err)
		}
		setDay(e, period.From)
		run := runBilling(t, e, tn.billing)
		created = append(created, run.GetClaimLinesCreated())
		if again := runBilling(t, e, tn.billing); again.GetClaimLinesCreated() != 0 || again.GetRentalsClosed() != 0 {
			t.Fatalf("month %d: a second run the same day created %d, closed %d", n, again.GetClaimLinesCreated(), again.GetRentalsClosed())
		}
		if closed := run.GetRentalsClosed(); (n == 14) != (closed == 1) {
			t.Fatalf("month %d: %d rentals closed", n, closed)
		}
	}
	want := []int32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Fatalf("claim lines created per month (-want +got):\n%s", diff)
	}

	lines := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{PageSize: 5})
	var got []string
	for _, c := range lines {
		got = append(got, fmt.Sprintf("%d %s..%s %v %d/%d", c.GetBillingMonth(), dateString(c.GetPeriodFrom()), dateString(c.GetPeriodThrough()),
			c.GetModifiers(), c.GetCharge().GetAmountCents(), c.GetExpected().GetAmountCents()))
	}
	wantLines := []string{
		"1 2026-01-31..2026-02-27 [RR KH KX] 10000/8000",
		"2 2026-02-28..2026-03-30 [RR KI KX] 10000/8000",
		"3 2026-03-31..2026-04-29 [RR KI KX] 10000/8000",
		"4 2026-04-30..2026-05-30 [RR KJ KX] 10000/6000",
		"5 2026-05-31..2026-06-29 [RR KJ KX] 10000/6000",
		"6 2026-06-30..2026-07-30 [RR KJ KX] 10000/6000",
		"7 2026-07-31..2026-08-30 [RR KJ KX] 10000/6000",
		"8 2026-08-31..2026-09-29 [RR KJ KX] 10000/6000",
		"9 2026-09-30..2026-10-30 [RR KJ KX] 10000/6000",
		"10 2026-10-31..2026-11-29 [RR KJ KX] 10000/6000",
		"11 2026-11-30..2026-12-30 [RR KJ KX] 10000/6000",
		"12 2026-12-31..2027-01-30 [RR KJ KX] 10000/6000",
		"13 2027-01-31..2027-02-27 [RR KJ KX] 10000/6000",
	}
	if diff := cmp.Diff(wantLines, got); diff != "" {
		t.Fatalf("claim lines (-want +got):\n%s", diff)
	}
	first, cpap := lines[0], o.GetLines()[0]
	if first.GetOrderId() != o.GetId() || first.GetOrderLineId() != cpap.GetId() || first.GetPatientId() != tn.world.PatientID ||
		first.GetCoverageId() != tn.world.CoverageID || first.GetPayerId() != tn.world.PayerID || first.GetCoverageRank() != 1 ||
		first.GetOrderingNpi() != orderstest.PrescriberNPI || first.GetRenderingNpi() != orderstest.BranchNPI ||
		first.GetHcpcs() != "E0601" || first.GetUnits() != 1 || first.GetPlaceOfService() != "12" ||
		first.GetSerialNumber() != cpap.GetSerialNumber() || first.GetSerialNumber() == "" ||
		!cmp.Equal(first.GetDiagnosisCodes(), []string{"G4733"}) || dateString(first.GetDateOfService()) != "2026-01-31" ||
		first.GetStatus() != ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_OPEN {
		t.Errorf("first claim line %v; want the order's line, patient, primary coverage, NPIs, code, G4733, home, serial", first)
	}

	var claimEvents, closes []string
	for _, ev := range e.Events.Events() {
		switch p := ev.Payload.(type) {
		case *ordersv1.ClaimLineCreated:
			claimEvents = append(claimEvents, p.GetClaimLineId())
		case *ordersv1.RentalClosed:
			closes = append(closes, fmt.Sprintf("%s %s %d %v %v %s", p.GetOrderLineId(), p.GetUnitId(), p.GetBillingMonth(),
				p.GetReason(), p.GetTitleToPatient(), dateString(p.GetCloseDate())))
		}
	}
	if len(claimEvents) != 13 {
		t.Errorf("%d ClaimLineCreated events, want 13", len(claimEvents))
	}
	wantClose := fmt.Sprintf("%s %s 14 RENTAL_CLOSE_REASON_CAPPED_RENTAL_PAID true 2027-02-28", cpap.GetId(), cpap.GetUnitId())
	if len(closes) != 1 || closes[0] != wantClose {
		t.Errorf("RentalClosed events %v, want [%s]", closes, wantClose)
	}
}

// TestRentalTypesAndPickups: rent to purchase bills 10 months and closes
// as a purchase; oxygen bills 36 of its 60 months and then closes; a
// capped rental picked up in month 5 bills 5; a monthly rental bills until
// its pickup. Each is run once, on a day far enough on.
func TestRentalTypesAndPickups(t *testing.T) {
	e := orderstest.New(t)
	dos := civil.Date{Year: 2020, Month: time.March, Day: 15}
	tests := []struct {
		name   string
		typ    ordersv1.LineType
		pickup civil.Date
		claims int
		close  ordersv1.RentalCloseReason
	}{
		{"rent to purchase", ordersv1.LineType_LINE_TYPE_RENT_TO_PURCHASE, civil.Date{}, 10, ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_PURCHASED},
		{"oxygen", ordersv1.LineType_LINE_TYPE_OXYGEN_RENTAL, civil.Date{}, 36, ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_USEFUL_LIFETIME_ENDED},
		{"capped, picked up in month 5", ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, civil.Date{Year: 2020, Month: time.August, Day: 2}, 5, 0},
		{"monthly until pickup", ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL, civil.Date{Year: 2021, Month: time.March, Day: 16}, 13, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTenant(t, e)
			o := rentalDelivered(t, e, tn, tt.typ, dos)
			if !tt.pickup.IsZero() {
				setDay(e, tt.pickup)
				line := o.GetLines()[0]
				if _, err := e.Orders.RecordPickup(tn.technician, &ordersv1.RecordPickupRequest{OrderId: o.GetId(), Pickup: &ordersv1.Pickup{
					PickupDate: protoconv.DateProto(tt.pickup), Reason: ordersv1.PickupReason_PICKUP_REASON_END_OF_NEED,
					Lines: []*ordersv1.DeliveredLine{{LineId: line.GetId(), SerialNumber: line.GetSerialNumber()}}}}); err != nil {
					t.Fatalf("RecordPickup: %v", err)
				}
			}
			setDay(e, civil.Date{Year: 2026, Month: time.December, Day: 1})
			run := runBilling(t, e, tn.billing)
			closed := int32(0)
			if tt.close != 0 {
				closed = 1
			}
			if run.GetClaimLinesCreated() != int32(tt.claims) || run.GetRentalsClosed() != closed {
				t.Fatalf("run: %v; want %d claim lines, %d closed", run, tt.claims, closed)
			}
			if lines := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{PageSize: 1000}); len(lines) != tt.claims {
				t.Fatalf("%d claim lines listed, want %d", len(lines), tt.claims)
			}
			if again := runBilling(t, e, tn.billing); again.GetClaimLinesCreated() != 0 || again.GetRentalsBilled() != 0 {
				t.Fatalf("second run: %v; want nothing due", again)
			}
		})
	}
}

// TestRunBillingRefusesAFutureDayAndUnauthorisedCallers.
func TestRunBillingRefusesAFutureDayAndUnauthorisedCallers(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	setDay(e, civil.Date{Year: 2026, Month: time.March, Day: 1})
	_, err := e.Claims.RunBilling(tn.billing, &ordersv1.RunBillingRequest{AsOf: &date.Date{Year: 2026, Month: 3, Day: 2}})
	grpcerrtest.WantInvalid(t, err, "asOf")
	_, err = e.Claims.RunBilling(tn.billing, &ordersv1.RunBillingRequest{AsOf: &date.Date{Year: 2026, Month: 2, Day: 30}})
	grpcerrtest.WantInvalid(t, err, "asOf")
	for name, ctx := range map[string]context.Context{"partner": tn.partnerRole, "technician": tn.technician, "intake": tn.intake} {
		if _, err := e.Claims.RunBilling(ctx, &ordersv1.RunBillingRequest{}); status.Code(err) != codes.PermissionDenied {
			t.Errorf("%s RunBilling: %v, want PermissionDenied", name, err)
		}
		if _, err := e.Claims.ListClaimLines(ctx, &ordersv1.ListClaimLinesRequest{}); status.Code(err) != codes.PermissionDenied {
			t.Errorf("%s ListClaimLines: %v, want PermissionDenied", name, err)
		}
	}
}

// TestExportRefusesASecondExportUnlessForced: a billing partner exports
// lines; exporting one of them again is FAILED_PRECONDITION naming it and
// marks nothing, even the others asked with it; with force it goes, and
// export_count shows it. Listings narrow by status and payer; another
// company's line is NOT_FOUND.
func TestExportRefusesASecondExportUnlessForced(t *testing.T) {
	e := orderstest.New(t)
	tn := newTenant(t, e)
	dos := civil.Date{Year: 2026, Month: time.January, Day: 10}
	rentalDelivered(t, e, tn, ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL, dos)
	setDay(e, civil.Date{Year: 2026, Month: time.April, Day: 10})
	if run := runBilling(t, e, tn.billing); run.GetClaimLinesCreated() != 4 {
		t.Fatalf("run: %v; want 4 claim lines", run)
	}
	lines := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{})
	ids := func(cs ...*ordersv1.ClaimLine) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.GetId())
		}
		return out
	}
	exported, err := e.Claims.ExportClaimLines(tn.billing, &ordersv1.ExportClaimLinesRequest{Ids: ids(lines[0], lines[1])})
	if err != nil {
		t.Fatalf("ExportClaimLines: %v", err)
	}
	for _, c := range exported.GetClaimLines() {
		if c.GetExportCount() != 1 || c.GetStatus() != ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_EXPORTED || c.GetLastExportTime() == nil ||
			c.GetLastExportedBy() == "" {
			t.Errorf("exported line %v; want exported once, with time and actor", c)
		}
	}
	_, err = e.Claims.ExportClaimLines(tn.billing, &ordersv1.ExportClaimLinesRequest{Ids: ids(lines[2], lines[1])})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonClaimLineExported)
	if subjects := preconditionSubjects(err); !cmp.Equal(subjects, []string{"claimLines/" + lines[1].GetId()}) {
		t.Errorf("refused export names %v, want only the line exported before", subjects)
	}
	if got, _ := e.Claims.GetClaimLine(tn.billing, &ordersv1.GetClaimLineRequest{Id: lines[2].GetId()}); got.GetExportCount() != 0 {
		t.Errorf("a refused export marked %s: %v", lines[2].GetId(), got)
	}
	forced, err := e.Claims.ExportClaimLines(tn.billing, &ordersv1.ExportClaimLinesRequest{Ids: ids(lines[2], lines[1]), Force: true})
	if err != nil {
		t.Fatalf("forced export: %v", err)
	}
	if got := forced.GetClaimLines(); got[0].GetExportCount() != 1 || got[1].GetExportCount() != 2 || got[1].GetId() != lines[1].GetId() {
		t.Errorf("forced export %v; want counts 1 and 2, in the order asked", got)
	}
	open := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{Status: ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_OPEN})
	done := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{Status: ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_EXPORTED})
	if !cmp.Equal(ids(open...), ids(lines[3])) || !cmp.Equal(ids(done...), ids(lines[:3]...)) {
		t.Errorf("open %v, exported %v", ids(open...), ids(done...))
	}
	if got := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{PayerId: uuid.NewString()}); len(got) != 0 {
		t.Errorf("another payer's lines: %v", got)
	}
	if got := allClaimLines(t, e, tn.billing, &ordersv1.ListClaimLinesRequest{PayerId: tn.world.PayerID,
		PeriodStart: &date.Date{Year: 2026, Month: 2, Day: 1}, PeriodEnd: &date.Date{Year: 2026, Month: 3, Day: 10}}); !cmp.Equal(ids(got...), ids(lines[1:3]...)) {
		t.Errorf("February 1 to March 10: %v, want months 2 and 3", ids(got...))
	}
	other := newTenant(t, e)
	if _, err := e.Claims.GetClaimLine(other.billing, &ordersv1.GetClaimLineRequest{Id: lines[0].GetId()}); status.Code(err) != codes.NotFound {
		t.Errorf("another company's GetClaimLine: %v, want NotFound", err)
	}
	if _, err := e.Claims.ExportClaimLines(other.billing, &ordersv1.ExportClaimLinesRequest{Ids: ids(lines[3])}); status.Code(err) != codes.NotFound {
		t.Errorf("another company's export: %v, want NotFound", err)
	}
	_, err = e.Claims.ExportClaimLines(tn.billing, &ordersv1.ExportClaimLinesRequest{Ids: []string{"x", lines[0].GetId(), lines[0].GetId()}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("export of bad ids: %v, want InvalidArgument", err)
	}
}

// TestConcurrentBillingRunsBillEachMonthOnce: two replicas' billing runs
// (two applications on the same schema, as two orders processes are)
// started at once over many rentals, then run again, bill every month of
// every rental exactly once, counted in SQL.
func TestConcurrentBillingRunsBillEachMonthOnce(t *testing.T) {
	e := orderstest.New(t)
	// Each world has two CPAPs to rent: six companies, two rentals each.
	var tenants []tenant
	dos := civil.Date{Year: 2025, Month: time.January, Day: 31}
	for range 6 {
		tn := newTenant(t, e)
		tenants = append(tenants, tn)
		for range 2 {
			rentalDelivered(t, e, tn, ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL, dos)
		}
	}
	asOf := civil.Date{Year: 2025, Month: time.December, Day: 31} // month 12 starts
	setDay(e, asOf)
	replicas := []*app.Application{e.App, e.NewReplica(t)}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(replicas))
	for i, r := range replicas {
		for _, bill := range []func() error{
			func() error { _, err := r.Claims.BillAll(context.Background()); return err },
			func() error {
				_, err := r.Claims.RunBilling(orderstest.Caller(tenants[i].company, "billing"), asOf)
				return err
			},
		} {
			wg.Go(func() { errs <- bill() })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("billing run: %v", err)
		}
	}
	if run, err := e.App.Claims.BillAll(context.Background()); err != nil || run.Created != 0 {
		t.Fatalf("a run after them: %+v, %v; want nothing created", run, err)
	}
	var lines, distinct int
	if err := e.DB.Super.QueryRow(context.Background(), `select count(*), count(distinct (order_line_id, billing_month))
		from orders.claim_lines`).Scan(&lines, &distinct); err != nil {
		t.Fatal(err)
	}
	if want := len(tenants) * 2 * 12; lines != want || distinct != lines {
		t.Fatalf("%d claim lines (%d distinct line and month), want %d", lines, distinct, want)
	}
}

// preconditionSubjects lists the subjects of err's precondition failure.
func preconditionSubjects(err error) []string {
	var out []string
	for _, d := range status.Convert(err).Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				out = append(out, v.GetSubject())
			}
		}
	}
	return out
}
