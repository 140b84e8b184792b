package grpcapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
)

// primaryCoverage gives the patient a rank-1 Medicare coverage effective
// from effective (and ending on end, when set), through the API.
func primaryCoverage(t *testing.T, e *clinicaltest.Env, tenant clinicaltest.Tenant, patientID string, effective, end *date.Date) {
	t.Helper()
	payer, err := e.Payers.CreatePayer(tenant.Billing, &clinicalv1.CreatePayerRequest{Payer: &clinicalv1.Payer{
		Name: "Medicare Part B", PayerCode: "MCRB" + strings.ToUpper(uuid.NewString()[:6]), Type: clinicalv1.PayerType_PAYER_TYPE_MEDICARE}})
	if err != nil {
		t.Fatalf("CreatePayer: %v", err)
	}
	plan, err := e.Payers.CreatePlan(tenant.Billing, &clinicalv1.CreatePlanRequest{PayerId: payer.GetId(), Plan: &clinicalv1.Plan{Name: "Part B"}})
	if err != nil {
		t.Fatalf("CreatePlan: %v", err)
	}
	if _, err := e.Coverages.CreateCoverage(tenant.Intake, &clinicalv1.CreateCoverageRequest{PatientId: patientID, Coverage: &clinicalv1.Coverage{
		PlanId: plan.GetId(), MemberId: "1EG4TE5MK73", Rank: 1, Relationship: clinicalv1.Relationship_RELATIONSHIP_SELF,
		EffectiveDate: effective, EndDate: end,
	}}); err != nil {
		t.Fatalf("CreateCoverage: %v", err)
	}
}

// requirements renders a report's requirements as "CODE hcpcs resource".
func requirements(r *clinicalv1.ReadinessReport) []string {
	var out []string
	for _, m := range r.GetMissing() {
		out = append(out, strings.Join(strings.Fields(strings.TrimPrefix(m.GetCode().String(), "REQUIREMENT_CODE_")+" "+m.GetHcpcs()+" "+m.GetResource()), " "))
		if m.GetDescription() == "" {
			out = append(out, "(no description)")
		}
	}
	return out
}

func checkReadiness(t *testing.T, e *clinicaltest.Env, ctx context.Context, patientID string, dos *date.Date, codes ...string) *clinicalv1.ReadinessReport {
	t.Helper()
	r, err := e.Readiness.CheckReadiness(ctx, &clinicalv1.CheckReadinessRequest{PatientId: patientID, HcpcsCodes: codes, DateOfService: dos})
	if err != nil {
		t.Fatalf("CheckReadiness: %v", err)
	}
	if r.GetPatientId() != patientID || r.GetReady() != (len(r.GetMissing()) == 0) {
		t.Errorf("report = %v", r)
	}
	return r
}

func TestReadinessOfAPatientWithCoverageAndASignedOrder(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	parties := newOrderParties(t, e, a, "Okafor", npiA)
	patientName := "patients/" + parties.patientID
	today := daysFromToday(0)

	// Nothing on file yet: no coverage, no order.
	r := checkReadiness(t, e, a.Intake, parties.patientID, today, "E0601")
	if diff := cmp.Diff([]string{"NO_PRIMARY_COVERAGE " + patientName, "NO_SIGNED_ORDER E0601 " + patientName}, requirements(r)); diff != "" {
		t.Errorf("nothing on file (-want +got):\n%s", diff)
	}

	primaryCoverage(t, e, a, parties.patientID, daysFromToday(-60), nil)
	draft := createOrder(t, e, a.Intake, cpapOrder(parties))
	r = checkReadiness(t, e, a.Intake, parties.patientID, today, "E0601")
	if diff := cmp.Diff([]string{"NO_SIGNED_ORDER E0601 " + patientName}, requirements(r)); diff != "" {
		t.Errorf("a draft supports nothing (-want +got):\n%s", diff)
	}

	signOrder(t, e, a.Intake, draft.GetId(), daysFromToday(-1))
	for name, ctx := range map[string]context.Context{"intake": a.Intake, "billing": a.Billing, "auditor": a.Auditor} {
		r = checkReadiness(t, e, ctx, parties.patientID, today, "E0601", "A7030", "E0601")
		if !r.GetReady() || len(r.GetMissing()) != 0 || r.GetDateOfService().GetDay() != today.GetDay() {
			t.Errorf("as %s, with a primary coverage and a signed order: %v", name, r)
		}
	}
	// A code the order does not cover, and a date the coverage does not.
	r = checkReadiness(t, e, a.Intake, parties.patientID, today, "E0601", "E0470")
	if diff := cmp.Diff([]string{"NO_SIGNED_ORDER E0470 " + patientName}, requirements(r)); diff != "" {
		t.Errorf("uncovered code (-want +got):\n%s", diff)
	}
	r = checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(-90), "E0601")
	if diff := cmp.Diff([]string{"NO_PRIMARY_COVERAGE " + patientName}, requirements(r)); diff != "" {
		t.Errorf("before the coverage (-want +got):\n%s", diff)
	}

	// The order runs out after its length of need (12 months).
	r = checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(400), "E0601")
	if diff := cmp.Diff([]string{"ORDER_EXPIRED E0601 written_orders/" + draft.GetId()}, requirements(r)); diff != "" {
		t.Errorf("after the length of need (-want +got):\n%s", diff)
	}

	// A revoked order supports nothing.
	if _, err := e.WrittenOrders.RevokeWrittenOrder(a.Intake, &clinicalv1.RevokeWrittenOrderRequest{Id: draft.GetId(), Reason: "replaced"}); err != nil {
		t.Fatal(err)
	}
	r = checkReadiness(t, e, a.Intake, parties.patientID, today, "E0601")
	if diff := cmp.Diff([]string{"NO_SIGNED_ORDER E0601 " + patientName}, requirements(r)); diff != "" {
		t.Errorf("revoked order (-want +got):\n%s", diff)
	}

	// The check is audited against the patient, and changes nothing.
	var audited bool
	for _, rec := range e.Observed.Audit.Records() {
		if strings.HasSuffix(rec.Method, "/CheckReadiness") && rec.Resources["patient_id"] == parties.patientID && rec.Code == "OK" {
			audited = true
		}
	}
	if !audited {
		t.Error("no audit record of a readiness check names the patient")
	}
	for _, typ := range e.Events.Types() {
		if strings.Contains(typ, "readiness") {
			t.Errorf("a readiness check recorded %s", typ)
		}
	}
}

func TestReadinessOfAnExpiredOrderAndAnInactiveOrDeceasedPatient(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	parties := newOrderParties(t, e, a, "Okafor", npiA)
	patientName := "patients/" + parties.patientID
	primaryCoverage(t, e, a, parties.patientID, daysFromToday(-1000), nil)
	old := cpapOrder(parties)
	old.OrderDate = daysFromToday(-800)
	expired := signOrder(t, e, a.Intake, createOrder(t, e, a.Intake, old).GetId(), old.GetOrderDate())

	r := checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(0), "E0601")
	if diff := cmp.Diff([]string{"ORDER_EXPIRED E0601 written_orders/" + expired.GetId()}, requirements(r)); diff != "" {
		t.Errorf("expired order (-want +got):\n%s", diff)
	}
	// On a date of service within its length of need, it still supports
	// the item.
	if r := checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(-700), "E0601"); !r.GetReady() {
		t.Errorf("within the length of need: %v", requirements(r))
	}
	// A new order replaces it.
	signOrder(t, e, a.Intake, createOrder(t, e, a.Intake, cpapOrder(parties)).GetId(), daysFromToday(0))
	if r := checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(0), "E0601"); !r.GetReady() {
		t.Errorf("with a new order: %v", requirements(r))
	}

	pt, err := e.Patients.GetPatient(a.Intake, &clinicalv1.GetPatientRequest{Id: parties.patientID})
	if err != nil {
		t.Fatal(err)
	}
	pt, err = e.Patients.UpdatePatient(a.Intake, &clinicalv1.UpdatePatientRequest{
		Patient:    &clinicalv1.Patient{Id: parties.patientID, Etag: pt.GetEtag(), InactiveDate: daysFromToday(-5)},
		UpdateMask: mask("inactive_date"),
	})
	if err != nil {
		t.Fatal(err)
	}
	r = checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(0), "E0601")
	if diff := cmp.Diff([]string{"PATIENT_INACTIVE " + patientName}, requirements(r)); diff != "" {
		t.Errorf("inactive patient (-want +got):\n%s", diff)
	}
	if r := checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(-6), "E0601"); len(r.GetMissing()) != 0 {
		t.Errorf("before the inactive date: %v", requirements(r))
	}

	if _, err := e.Patients.UpdatePatient(a.Intake, &clinicalv1.UpdatePatientRequest{
		Patient:    &clinicalv1.Patient{Id: parties.patientID, Etag: pt.GetEtag(), DeceasedDate: daysFromToday(-2)},
		UpdateMask: mask("inactive_date", "deceased_date"),
	}); err != nil {
		t.Fatal(err)
	}
	r = checkReadiness(t, e, a.Intake, parties.patientID, daysFromToday(0), "E0601")
	if diff := cmp.Diff([]string{"PATIENT_DECEASED " + patientName}, requirements(r)); diff != "" {
		t.Errorf("deceased patient (-want +got):\n%s", diff)
	}
}

func TestCheckReadinessRefusals(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	patientID := createPatient(t, e, a.Intake, patient(a, "Ruth", "Okafor")).GetId()
	today := daysFromToday(0)
	tests := []struct {
		name   string
		req    *clinicalv1.CheckReadinessRequest
		fields []string
	}{
		{"no codes", &clinicalv1.CheckReadinessRequest{PatientId: patientID, DateOfService: today}, []string{"hcpcsCodes"}},
		{"bad code", &clinicalv1.CheckReadinessRequest{PatientId: patientID, HcpcsCodes: []string{"E0601", "Z0601"}, DateOfService: today},
			[]string{"hcpcsCodes[1]"}},
		{"no date", &clinicalv1.CheckReadinessRequest{PatientId: patientID, HcpcsCodes: []string{"E0601"}}, []string{"dateOfService"}},
		{"February 30", &clinicalv1.CheckReadinessRequest{PatientId: patientID, HcpcsCodes: []string{"E0601"},
			DateOfService: &date.Date{Year: 2025, Month: 2, Day: 30}}, []string{"dateOfService"}},
		{"bad patient id", &clinicalv1.CheckReadinessRequest{PatientId: "nope", HcpcsCodes: []string{"E0601"}, DateOfService: today},
			[]string{"patientId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Readiness.CheckReadiness(a.Intake, tt.req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	req := &clinicalv1.CheckReadinessRequest{PatientId: patientID, HcpcsCodes: []string{"E0601"}, DateOfService: today}
	_, err := e.Readiness.CheckReadiness(a.Warehouse, req)
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	// Another company's patient reads exactly like a missing one.
	_, err = e.Readiness.CheckReadiness(b.Intake, req)
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Readiness.CheckReadiness(a.Intake, &clinicalv1.CheckReadinessRequest{PatientId: uuid.NewString(), HcpcsCodes: []string{"E0601"}, DateOfService: today})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}
