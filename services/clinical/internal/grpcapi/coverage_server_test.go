package grpcapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// testMemberID is a member id as the card prints it; the service keeps it
// upper case.
const (
	testMemberID       = "XJH-123456789"
	testMemberIDMasked = "****6789"
)

// coverageParties is a patient of a company and an active plan (with its
// payer) to cover the patient under.
type coverageParties struct {
	patientID, payerID, planID string
}

// newCoverageParties registers a patient (named last), a payer and a plan
// of tenant's company through the API.
func newCoverageParties(t *testing.T, e *clinicaltest.Env, tenant clinicaltest.Tenant, last string) coverageParties {
	t.Helper()
	pt := createPatient(t, e, tenant.Intake, patient(tenant, "Ruth", last))
	py := createPayer(t, e, tenant.Billing, payer("Noridian "+last, strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:12])))
	pl := createPlan(t, e, tenant.Billing, py.GetId(), "Part B")
	return coverageParties{patientID: pt.GetId(), payerID: py.GetId(), planID: pl.GetId()}
}

func day(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }

// coverage is a coverage of the patient itself under planID from 2024.
func coverage(planID, memberID string, rank int32) *clinicalv1.Coverage {
	return &clinicalv1.Coverage{
		PlanId: planID, MemberId: memberID, GroupNumber: "GRP-100", Rank: rank,
		Relationship: clinicalv1.Relationship_RELATIONSHIP_SELF, EffectiveDate: day(2024, 1, 1),
	}
}

func createCoverage(t *testing.T, e *clinicaltest.Env, ctx context.Context, patientID string, c *clinicalv1.Coverage) *clinicalv1.Coverage {
	t.Helper()
	got, err := e.Coverages.CreateCoverage(ctx, &clinicalv1.CreateCoverageRequest{PatientId: patientID, Coverage: c})
	if err != nil {
		t.Fatalf("CreateCoverage: %v", err)
	}
	return got
}

func getCoverage(t *testing.T, e *clinicaltest.Env, ctx context.Context, patientID, id string) *clinicalv1.Coverage {
	t.Helper()
	got, err := e.Coverages.GetCoverage(ctx, &clinicalv1.GetCoverageRequest{PatientId: patientID, Id: id})
	if err != nil {
		t.Fatalf("GetCoverage: %v", err)
	}
	return got
}

// wantRankTaken asserts ALREADY_EXISTS for a rank another coverage holds.
func wantRankTaken(t *testing.T, err error) {
	t.Helper()
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
	if got := statusReason(err); got != domain.ReasonCoverageRankTaken {
		t.Errorf("reason = %q, want %q", got, domain.ReasonCoverageRankTaken)
	}
}

func coverageIDs(cs []*clinicalv1.Coverage) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.GetId()
	}
	return out
}

func TestCreateAndGetCoverage(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	in := coverage(p.planID, "xjh-123456789", 1)
	in.Relationship = clinicalv1.Relationship_RELATIONSHIP_SPOUSE
	in.SubscriberFirstName, in.SubscriberLastName, in.SubscriberBirthDate = " James ", "Okafor", day(1946, 7, 2)
	in.EndDate = day(2025, 12, 31)
	in.EligibilityStatus = clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_ELIGIBLE // output only: ignored
	created := createCoverage(t, e, a.Billing, p.patientID, in)
	want := &clinicalv1.Coverage{
		Id: created.GetId(), PatientId: p.patientID, PlanId: p.planID, PayerId: p.payerID, MemberId: testMemberID,
		GroupNumber: "GRP-100", Rank: 1, Relationship: clinicalv1.Relationship_RELATIONSHIP_SPOUSE,
		SubscriberFirstName: "James", SubscriberLastName: "Okafor", SubscriberBirthDate: day(1946, 7, 2),
		EffectiveDate: day(2024, 1, 1), EndDate: day(2025, 12, 31),
		EligibilityStatus: clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_UNKNOWN, Etag: `"1"`,
	}
	if _, err := uuid.Parse(created.GetId()); err != nil {
		t.Fatalf("id %q: %v", created.GetId(), err)
	}
	if created.GetCreateTime() == nil || !proto.Equal(created.GetCreateTime(), created.GetUpdateTime()) {
		t.Errorf("create_time %v, update_time %v", created.GetCreateTime(), created.GetUpdateTime())
	}
	if diff := cmp.Diff(want, created, protocmp.Transform(), protocmp.IgnoreFields(&clinicalv1.Coverage{}, "create_time", "update_time")); diff != "" {
		t.Errorf("CreateCoverage (-want +got):\n%s", diff)
	}
	for name, ctx := range map[string]context.Context{"billing": a.Billing, "intake": a.Intake} {
		if diff := cmp.Diff(created, getCoverage(t, e, ctx, p.patientID, created.GetId()), protocmp.Transform()); diff != "" {
			t.Errorf("GetCoverage as %s (-create +get):\n%s", name, diff)
		}
	}

	if diff := cmp.Diff([]string{app.EventCoverageCreated}, e.Events.Types()[3:]); diff != "" {
		t.Errorf("events after the parties' (-want +got):\n%s", diff)
	}
	ev := e.Events.Events()[3]
	pl, ok := ev.Payload.(*clinicalv1.CoverageCreated)
	if !ok || pl.GetCoverageId() != created.GetId() || pl.GetPatientId() != p.patientID || pl.GetPlanId() != p.planID ||
		pl.GetPayerId() != p.payerID || pl.GetRank() != 1 || pl.GetCompanyId() != a.CompanyID || pl.GetActorId() == "" {
		t.Errorf("CoverageCreated payload = %v", ev.Payload)
	}
	if text := prototext.Format(ev.Payload); strings.Contains(text, "123456789") {
		t.Errorf("the event holds the member id: %s", text)
	}

	_, err := e.Coverages.GetCoverage(a.Billing, &clinicalv1.GetCoverageRequest{PatientId: p.patientID, Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	// A coverage is named under its own patient only.
	other := createPatient(t, e, a.Intake, patient(a, "Ada", "Other"))
	_, err = e.Coverages.GetCoverage(a.Billing, &clinicalv1.GetCoverageRequest{PatientId: other.GetId(), Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.GetCoverage(a.Billing, &clinicalv1.GetCoverageRequest{PatientId: p.patientID, Id: "c-1"})
	grpcerrtest.WantInvalid(t, err, "id")

	// Permissions: the warehouse sees nothing; readers do not write.
	_, err = e.Coverages.GetCoverage(a.Warehouse, &clinicalv1.GetCoverageRequest{PatientId: p.patientID, Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Coverages.ListCoverages(a.Warehouse, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Coverages.CreateCoverage(a.Auditor, &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(p.planID, "A1", 2)})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Coverages.DeleteCoverage(a.Auditor, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Coverages.CheckEligibility(a.Auditor, &clinicalv1.CheckEligibilityRequest{PatientId: p.patientID, Id: created.GetId(), DateOfService: day(2024, 5, 1)})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
}

func TestCoverageMemberIDIsMaskedWithoutThePermission(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	created := createCoverage(t, e, a.Intake, p.patientID, coverage(p.planID, testMemberID, 1))
	if created.GetMemberId() != testMemberID {
		t.Errorf("Intake's create returned member id %q, want it in clear", created.GetMemberId())
	}
	got := getCoverage(t, e, a.Auditor, p.patientID, created.GetId())
	if got.GetMemberId() != testMemberIDMasked {
		t.Errorf("Auditor's GetCoverage member id = %q, want %q", got.GetMemberId(), testMemberIDMasked)
	}
	list, err := e.Coverages.ListCoverages(a.Auditor, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID})
	if err != nil || len(list.GetCoverages()) != 1 || list.GetCoverages()[0].GetMemberId() != testMemberIDMasked {
		t.Errorf("Auditor's ListCoverages = %v, %v; want the member id masked", list.GetCoverages(), err)
	}
	list, err = e.Coverages.ListCoverages(a.Billing, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID})
	if err != nil || len(list.GetCoverages()) != 1 || list.GetCoverages()[0].GetMemberId() != testMemberID {
		t.Errorf("Billing's ListCoverages = %v, %v; want the member id in clear", list.GetCoverages(), err)
	}
	// A masked member id sent back is refused, not stored.
	_, err = e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: created.GetId(), MemberId: testMemberIDMasked}, UpdateMask: mask("member_id")})
	grpcerrtest.WantInvalid(t, err, "coverage.memberId")
	// The audit record of the listing names the coverage it disclosed.
	found := false
	for _, r := range e.Observed.Audit.Records() {
		if strings.HasSuffix(r.Method, "/ListCoverages") && strings.Contains(r.Resources["coverage_ids"], created.GetId()) {
			found = true
		}
	}
	if !found {
		t.Errorf("no ListCoverages audit record names coverage %s", created.GetId())
	}
	if logs := e.Observed.Logs.String(); strings.Contains(logs, "123456789") {
		t.Errorf("the log holds the member id:\n%s", logs)
	}
}

func TestCreateCoverageRefusals(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	tests := []struct {
		name   string
		edit   func(r *clinicalv1.CreateCoverageRequest)
		fields []string
	}{
		{"rank missing", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.Rank = 0 }, []string{"coverage.rank"}},
		{"rank past quaternary", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.Rank = 5 }, []string{"coverage.rank"}},
		{"member id missing", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.MemberId = "" }, []string{"coverage.memberId"}},
		{"member id masked", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.MemberId = testMemberIDMasked }, []string{"coverage.memberId"}},
		{"plan missing", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.PlanId = "" }, []string{"coverage.planId"}},
		{"plan not a uuid", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.PlanId = "plan-b" }, []string{"coverage.planId"}},
		{"relationship missing", func(r *clinicalv1.CreateCoverageRequest) {
			r.Coverage.Relationship = clinicalv1.Relationship_RELATIONSHIP_UNSPECIFIED
		}, []string{"coverage.relationship"}},
		{"relationship undefined", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.Relationship = 9 }, []string{"coverage.relationship"}},
		{"subscriber missing for a spouse", func(r *clinicalv1.CreateCoverageRequest) {
			r.Coverage.Relationship = clinicalv1.Relationship_RELATIONSHIP_SPOUSE
		}, []string{"coverage.subscriberFirstName", "coverage.subscriberLastName", "coverage.subscriberBirthDate"}},
		{"subscriber named for self", func(r *clinicalv1.CreateCoverageRequest) {
			r.Coverage.SubscriberLastName, r.Coverage.SubscriberBirthDate = "Okafor", day(1950, 1, 1)
		}, []string{"coverage.subscriberLastName", "coverage.subscriberBirthDate"}},
		{"effective date missing", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.EffectiveDate = nil }, []string{"coverage.effectiveDate"}},
		{"effective date not a day", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.EffectiveDate = day(2024, 2, 30) },
			[]string{"coverage.effectiveDate"}},
		{"end before effective", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.EndDate = day(2023, 12, 31) }, []string{"coverage.endDate"}},
		{"group number too long", func(r *clinicalv1.CreateCoverageRequest) { r.Coverage.GroupNumber = strings.Repeat("9", 31) },
			[]string{"coverage.groupNumber"}},
		{"patient id", func(r *clinicalv1.CreateCoverageRequest) { r.PatientId = "pt-1" }, []string{"patientId"}},
		{"request id", func(r *clinicalv1.CreateCoverageRequest) { r.RequestId = "again" }, []string{"requestId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(p.planID, testMemberID, 1)}
			tt.edit(req)
			_, err := e.Coverages.CreateCoverage(a.Billing, req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}

	_, err := e.Coverages.CreateCoverage(a.Billing, &clinicalv1.CreateCoverageRequest{PatientId: uuid.NewString(), Coverage: coverage(p.planID, testMemberID, 1)})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.CreateCoverage(a.Billing, &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(uuid.NewString(), testMemberID, 1)})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	// An inactive plan, or a plan of an inactive payer, takes no coverage.
	inactivePlan := createPlan(t, e, a.Billing, p.payerID, "Retired plan")
	if _, err := e.Payers.UpdatePlan(a.Billing, &clinicalv1.UpdatePlanRequest{
		Plan: &clinicalv1.Plan{PayerId: p.payerID, Id: inactivePlan.GetId()}, UpdateMask: mask("active")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Coverages.CreateCoverage(a.Billing, &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(inactivePlan.GetId(), testMemberID, 1)})
	wantPrecondition(t, err, app.ReasonPlanInactive)
	other := newCoverageParties(t, e, a, "Retired")
	if _, err := e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer: &clinicalv1.Payer{Id: other.payerID}, UpdateMask: mask("active")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Coverages.CreateCoverage(a.Billing, &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(other.planID, testMemberID, 1)})
	wantPrecondition(t, err, app.ReasonPayerInactive)

	for _, typ := range e.Events.Types() {
		if strings.HasPrefix(typ, "clinical.coverage") {
			t.Errorf("a refused create recorded %s", typ)
		}
	}
	var n int
	if err := e.DB.Super.QueryRow(context.Background(), `select count(*) from clinical.coverages`).Scan(&n); err != nil || n != 0 {
		t.Errorf("coverages stored = %d, %v; want none", n, err)
	}
}

func TestCreateCoverageIsIdempotent(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	req := &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(p.planID, testMemberID, 1), RequestId: uuid.NewString()}
	first, err := e.Coverages.CreateCoverage(a.Billing, req)
	if err != nil {
		t.Fatal(err)
	}
	// The retry is not refused for the rank its own first attempt took.
	again, err := e.Coverages.CreateCoverage(a.Billing, req)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" {
		t.Errorf("retry returned another coverage (-first +retry):\n%s", diff)
	}
	changed := proto.Clone(req).(*clinicalv1.CreateCoverageRequest)
	changed.Coverage.Rank = 2
	_, err = e.Coverages.CreateCoverage(a.Billing, changed)
	grpcerrtest.WantInvalid(t, err, "requestId")
	// Without a request id, the same body is a second coverage, refused
	// for its rank.
	_, err = e.Coverages.CreateCoverage(a.Billing, &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(p.planID, testMemberID, 1)})
	wantRankTaken(t, err)
	var n int
	if err := e.DB.Super.QueryRow(context.Background(), `select count(*) from clinical.coverages`).Scan(&n); err != nil || n != 1 {
		t.Errorf("coverages stored = %d, %v; want 1", n, err)
	}
	if got := e.Events.Types(); got[len(got)-1] != app.EventCoverageCreated || len(got) != 4 {
		t.Errorf("events = %v, want the parties' and one CoverageCreated", got)
	}
}

func TestCoverageRanksAndDelete(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	primary := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "PRIMARY1", 1))
	_, err := e.Coverages.CreateCoverage(a.Billing, &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(p.planID, "SECOND1", 1)})
	wantRankTaken(t, err)
	secondary := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "SECOND1", 2))
	// Another patient's ranks are its own.
	q := createPatient(t, e, a.Intake, patient(a, "Ada", "Other"))
	createCoverage(t, e, a.Billing, q.GetId(), coverage(p.planID, "OTHER1", 1))

	_, err = e.Coverages.DeleteCoverage(a.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: primary.GetId(), Etag: `"7"`})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	deleted, err := e.Coverages.DeleteCoverage(a.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: primary.GetId(), Etag: primary.GetEtag()})
	if err != nil {
		t.Fatalf("DeleteCoverage: %v", err)
	}
	if deleted.GetRank() != 0 || deleted.GetDeleteTime() == nil || deleted.GetEtag() != `"2"` || deleted.GetMemberId() != "PRIMARY1" {
		t.Errorf("DeleteCoverage = %v", deleted)
	}
	// Deleting frees the rank; the others keep theirs.
	newPrimary := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "PRIMARY2", 1))
	if got := getCoverage(t, e, a.Billing, p.patientID, secondary.GetId()); got.GetRank() != 2 || got.GetEtag() != `"1"` {
		t.Errorf("secondary after the delete: rank %d etag %s", got.GetRank(), got.GetEtag())
	}
	// A deleted coverage is still read, but never changed again.
	if got := getCoverage(t, e, a.Auditor, p.patientID, primary.GetId()); got.GetDeleteTime() == nil || got.GetRank() != 0 {
		t.Errorf("GetCoverage of the deleted: %v", got)
	}
	_, err = e.Coverages.DeleteCoverage(a.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: primary.GetId()})
	wantPrecondition(t, err, domain.ReasonCoverageDeleted)
	_, err = e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: primary.GetId(), GroupNumber: "G2"}, UpdateMask: mask("group_number")})
	wantPrecondition(t, err, domain.ReasonCoverageDeleted)
	_, err = e.Coverages.DeleteCoverage(a.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	list, err := e.Coverages.ListCoverages(a.Billing, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{newPrimary.GetId(), secondary.GetId()}, coverageIDs(list.GetCoverages())); diff != "" {
		t.Errorf("ListCoverages (-want +got):\n%s", diff)
	}
	list, err = e.Coverages.ListCoverages(a.Billing, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID, ShowDeleted: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{newPrimary.GetId(), secondary.GetId(), primary.GetId()}, coverageIDs(list.GetCoverages())); diff != "" {
		t.Errorf("ListCoverages(show_deleted) (-want +got):\n%s", diff)
	}
	var del *clinicalv1.CoverageDeleted
	for _, ev := range e.Events.Events() {
		if ev.Type == app.EventCoverageDeleted {
			del, _ = ev.Payload.(*clinicalv1.CoverageDeleted)
		}
	}
	if del.GetCoverageId() != primary.GetId() || del.GetPreviousRank() != 1 || del.GetPatientId() != p.patientID {
		t.Errorf("CoverageDeleted payload = %v", del)
	}
	var rank *int
	if err := e.DB.Super.QueryRow(context.Background(), `select rank from clinical.coverages where id = $1`, primary.GetId()).Scan(&rank); err != nil || rank != nil {
		t.Errorf("stored rank of the deleted coverage = %v, %v; want NULL", rank, err)
	}
}

func TestListCoveragesPages(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	var want []string
	for rank := int32(4); rank >= 1; rank-- {
		c := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, fmt.Sprintf("M%d", rank), rank))
		want = append([]string{c.GetId()}, want...)
	}
	gone, err := e.Coverages.DeleteCoverage(a.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: want[3]})
	if err != nil {
		t.Fatal(err)
	}
	last := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "M4B", 4))
	want = append(want[:3], last.GetId(), gone.GetId())

	var got []string
	token := ""
	for pages := 0; ; pages++ {
		resp, err := e.Coverages.ListCoverages(a.Auditor, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID, PageSize: 2, PageToken: token, ShowDeleted: true})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(resp.GetCoverages()) > 2 {
			t.Fatalf("page %d has %d coverages", pages, len(resp.GetCoverages()))
		}
		got = append(got, coverageIDs(resp.GetCoverages())...)
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pages do not end")
		}
		if pages == 0 {
			// The token is bound to its filter and patient.
			_, err := e.Coverages.ListCoverages(a.Auditor, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID, PageSize: 2, PageToken: token})
			grpcerrtest.WantInvalid(t, err, "pageToken")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("coverages by rank, the deleted last (-want +got):\n%s", diff)
	}
	_, err = e.Coverages.ListCoverages(a.Auditor, &clinicalv1.ListCoveragesRequest{PatientId: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.ListCoverages(a.Auditor, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID, PageToken: "bm90IGEgdG9rZW4"})
	grpcerrtest.WantInvalid(t, err, "pageToken")
}

func TestUpdateCoverage(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	c := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, testMemberID, 1))

	ended, err := e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage:   &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), EndDate: day(2024, 6, 30), Etag: c.GetEtag()},
		UpdateMask: mask("end_date")})
	if err != nil {
		t.Fatalf("UpdateCoverage: %v", err)
	}
	if !proto.Equal(ended.GetEndDate(), day(2024, 6, 30)) || ended.GetMemberId() != testMemberID || ended.GetGroupNumber() != "GRP-100" ||
		ended.GetEtag() != `"2"` || ended.GetRank() != 1 {
		t.Errorf("UpdateCoverage(end_date) = %v", ended)
	}
	_, err = e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), GroupNumber: "LOST", Etag: c.GetEtag()}, UpdateMask: mask("group_number")})
	grpcerrtest.WantCode(t, err, codes.Aborted)

	// An implied mask writes every field; the member id read masked is
	// left empty and stays as it was.
	full := proto.Clone(getCoverage(t, e, a.Auditor, p.patientID, c.GetId())).(*clinicalv1.Coverage)
	full.MemberId, full.GroupNumber = "", "GRP-200"
	full.Relationship = clinicalv1.Relationship_RELATIONSHIP_CHILD
	full.SubscriberFirstName, full.SubscriberLastName, full.SubscriberBirthDate = "Mary", "Okafor", day(1970, 4, 4)
	moved, err := e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{Coverage: full})
	if err != nil {
		t.Fatalf("UpdateCoverage(implied mask): %v", err)
	}
	if moved.GetMemberId() != testMemberID || moved.GetGroupNumber() != "GRP-200" || moved.GetSubscriberFirstName() != "Mary" ||
		moved.GetRelationship() != clinicalv1.Relationship_RELATIONSHIP_CHILD {
		t.Errorf("UpdateCoverage(implied mask) = %v", moved)
	}
	// Back to self: the subscriber fields not named are cleared.
	self, err := e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage:   &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), Relationship: clinicalv1.Relationship_RELATIONSHIP_SELF, MemberId: "new-1"},
		UpdateMask: mask("relationship", "member_id")})
	if err != nil {
		t.Fatalf("UpdateCoverage(self): %v", err)
	}
	if self.GetSubscriberFirstName() != "" || self.GetSubscriberBirthDate() != nil || self.GetMemberId() != "NEW-1" {
		t.Errorf("UpdateCoverage(self) = %v", self)
	}

	refusals := []struct {
		name   string
		req    *clinicalv1.UpdateCoverageRequest
		fields []string
	}{
		{"rank is not updated", &clinicalv1.UpdateCoverageRequest{Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), Rank: 2}, UpdateMask: mask("rank")},
			[]string{"updateMask"}},
		{"output only", &clinicalv1.UpdateCoverageRequest{Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId()}, UpdateMask: mask("payer_id")},
			[]string{"updateMask"}},
		{"spouse without subscriber", &clinicalv1.UpdateCoverageRequest{
			Coverage:   &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), Relationship: clinicalv1.Relationship_RELATIONSHIP_SPOUSE},
			UpdateMask: mask("relationship")},
			[]string{"coverage.subscriberFirstName", "coverage.subscriberLastName", "coverage.subscriberBirthDate"}},
		{"member id cleared", &clinicalv1.UpdateCoverageRequest{Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId()}, UpdateMask: mask("member_id")},
			[]string{"coverage.memberId"}},
		{"end before effective", &clinicalv1.UpdateCoverageRequest{
			Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), EndDate: day(2020, 1, 1)}, UpdateMask: mask("end_date")},
			[]string{"coverage.endDate"}},
		{"coverage id", &clinicalv1.UpdateCoverageRequest{Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: "x"}, UpdateMask: mask("group_number")},
			[]string{"coverage.id"}},
		{"patient id", &clinicalv1.UpdateCoverageRequest{Coverage: &clinicalv1.Coverage{PatientId: "x", Id: c.GetId()}, UpdateMask: mask("group_number")},
			[]string{"coverage.patientId"}},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Coverages.UpdateCoverage(a.Billing, tt.req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}

	// Moving to another plan: it must be the company's and active; the
	// payer follows the plan.
	p2 := newCoverageParties(t, e, a, "Second")
	_, err = e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), PlanId: uuid.NewString()}, UpdateMask: mask("plan_id")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	switched, err := e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), PlanId: p2.planID}, UpdateMask: mask("plan_id")})
	if err != nil {
		t.Fatalf("UpdateCoverage(plan_id): %v", err)
	}
	if switched.GetPlanId() != p2.planID || switched.GetPayerId() != p2.payerID {
		t.Errorf("after the move: plan %s payer %s, want %s %s", switched.GetPlanId(), switched.GetPayerId(), p2.planID, p2.payerID)
	}
	if _, err := e.Payers.UpdatePlan(a.Billing, &clinicalv1.UpdatePlanRequest{
		Plan: &clinicalv1.Plan{PayerId: p.payerID, Id: p.planID}, UpdateMask: mask("active")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), PlanId: p.planID}, UpdateMask: mask("plan_id")})
	wantPrecondition(t, err, app.ReasonPlanInactive)
	// A coverage already under a plan that is deactivated may still change.
	if _, err := e.Coverages.UpdateCoverage(a.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), GroupNumber: "G3"}, UpdateMask: mask("group_number")}); err != nil {
		t.Errorf("UpdateCoverage(group_number): %v", err)
	}

	var updates []*clinicalv1.CoverageUpdated
	for _, ev := range e.Events.Events() {
		if u, ok := ev.Payload.(*clinicalv1.CoverageUpdated); ok {
			updates = append(updates, u)
			if text := prototext.Format(u); strings.Contains(text, "123456789") || strings.Contains(text, "NEW-1") {
				t.Errorf("CoverageUpdated holds a member id: %s", text)
			}
		}
	}
	if len(updates) != 5 {
		t.Fatalf("CoverageUpdated events = %d, want 5", len(updates))
	}
	if diff := cmp.Diff([]string{"relationship", "member_id"}, updates[2].GetChangedFields()); diff != "" {
		t.Errorf("changed fields (-want +got):\n%s", diff)
	}
	if updates[3].GetPayerId() != p2.payerID || updates[3].GetVersion() != 5 {
		t.Errorf("CoverageUpdated after the move = %v", updates[3])
	}
}

func TestReorderCoverages(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	first := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "FIRST", 1))
	second := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "SECOND", 2))
	third := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "THIRD", 3))

	resp, err := e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID,
		CoverageIds: []string{third.GetId(), first.GetId(), second.GetId()}})
	if err != nil {
		t.Fatalf("ReorderCoverages: %v", err)
	}
	if diff := cmp.Diff([]string{third.GetId(), first.GetId(), second.GetId()}, coverageIDs(resp.GetCoverages())); diff != "" {
		t.Errorf("reordered (-want +got):\n%s", diff)
	}
	for i, c := range resp.GetCoverages() {
		if c.GetRank() != int32(i+1) || c.GetEtag() != `"2"` {
			t.Errorf("coverage %d: rank %d etag %s, want rank %d etag \"2\"", i, c.GetRank(), c.GetEtag(), i+1)
		}
		if got := getCoverage(t, e, a.Billing, p.patientID, c.GetId()); !proto.Equal(got, c) {
			t.Errorf("GetCoverage after the reorder = %v, want %v", got, c)
		}
	}
	ev := e.Events.Events()[len(e.Events.Events())-1]
	r, ok := ev.Payload.(*clinicalv1.CoveragesReordered)
	if !ok || ev.Type != app.EventCoveragesReordered ||
		!cmp.Equal(r.GetCoverageIds(), []string{third.GetId(), first.GetId(), second.GetId()}) ||
		!cmp.Equal(r.GetPreviousCoverageIds(), []string{first.GetId(), second.GetId(), third.GetId()}) || r.GetPatientId() != p.patientID {
		t.Errorf("CoveragesReordered = %s %v", ev.Type, ev.Payload)
	}

	// Only the coverages whose rank changes get a new version.
	resp, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID,
		CoverageIds: []string{third.GetId(), second.GetId(), first.GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	var etags []string
	for _, c := range resp.GetCoverages() {
		etags = append(etags, c.GetEtag())
	}
	if diff := cmp.Diff([]string{`"2"`, `"3"`, `"3"`}, etags); diff != "" {
		t.Errorf("etags (-want +got):\n%s", diff)
	}
	events := len(e.Events.Types())

	// A view that misses a coverage added meanwhile is stale.
	fourth := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "FOURTH", 4))
	_, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID,
		CoverageIds: []string{first.GetId(), second.GetId(), third.GetId()}})
	wantPrecondition(t, err, domain.ReasonCoverageReorderMismatch, domain.UnmetCoverageNotListed)
	// So is one that lists a deleted coverage or a stranger.
	if _, err := e.Coverages.DeleteCoverage(a.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: fourth.GetId()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID,
		CoverageIds: []string{first.GetId(), second.GetId(), third.GetId(), fourth.GetId()}})
	wantPrecondition(t, err, domain.ReasonCoverageReorderMismatch, domain.UnmetCoverageNotCurrent)
	_, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID,
		CoverageIds: []string{first.GetId(), uuid.NewString(), third.GetId()}})
	wantPrecondition(t, err, domain.ReasonCoverageReorderMismatch, domain.UnmetCoverageNotCurrent, domain.UnmetCoverageNotListed)
	// Duplicates and malformed lists are the client's mistake.
	_, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID,
		CoverageIds: []string{first.GetId(), first.GetId(), second.GetId(), third.GetId()}})
	grpcerrtest.WantInvalid(t, err, "coverageIds")
	_, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID})
	grpcerrtest.WantInvalid(t, err, "coverageIds")
	_, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID, CoverageIds: []string{"one"}})
	grpcerrtest.WantInvalid(t, err, "coverageIds[0]")
	_, err = e.Coverages.ReorderCoverages(a.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: uuid.NewString(), CoverageIds: []string{first.GetId()}})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.ReorderCoverages(a.Auditor, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID, CoverageIds: []string{first.GetId()}})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)

	// Nothing moved: the order is the one last committed.
	list, err := e.Coverages.ListCoverages(a.Billing, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{third.GetId(), second.GetId(), first.GetId()}, coverageIDs(list.GetCoverages())); diff != "" {
		t.Errorf("order after the refusals (-want +got):\n%s", diff)
	}
	if got := len(e.Events.Types()); got != events+2 {
		t.Errorf("events after the refusals = %d, want %d (the fourth's create and delete)", got, events+2)
	}
}

// checkEligibility checks coverage c of patientID on dos.
func checkEligibility(t *testing.T, e *clinicaltest.Env, ctx context.Context, patientID, id string, dos *date.Date) *clinicalv1.EligibilityCheck {
	t.Helper()
	got, err := e.Coverages.CheckEligibility(ctx, &clinicalv1.CheckEligibilityRequest{PatientId: patientID, Id: id, DateOfService: dos})
	if err != nil {
		t.Fatalf("CheckEligibility: %v", err)
	}
	return got
}

func TestCheckEligibility(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	c := coverage(p.planID, testMemberID, 1)
	c.EndDate = day(2024, 12, 31)
	active := createCoverage(t, e, a.Billing, p.patientID, c)
	retiredPlan := createPlan(t, e, a.Billing, p.payerID, "Retiring")
	underRetired := createCoverage(t, e, a.Billing, p.patientID, coverage(retiredPlan.GetId(), "RETIRED-1", 2))
	if _, err := e.Payers.UpdatePlan(a.Billing, &clinicalv1.UpdatePlanRequest{
		Plan: &clinicalv1.Plan{PayerId: p.payerID, Id: retiredPlan.GetId()}, UpdateMask: mask("active")}); err != nil {
		t.Fatal(err)
	}
	deleted := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "DELETED-1", 3))
	if _, err := e.Coverages.DeleteCoverage(a.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: deleted.GetId()}); err != nil {
		t.Fatal(err)
	}
	dead := patient(a, "Walter", "Okafor")
	dead.DeceasedDate = day(2024, 6, 30)
	deceased := createPatient(t, e, a.Intake, dead)
	ofDeceased := createCoverage(t, e, a.Billing, deceased.GetId(), coverage(p.planID, "DECEASED-1", 1))

	const eligible = "the coverage is active on the date of service and its plan and payer are active"
	tests := []struct {
		name      string
		patientID string
		coverage  string
		dos       *date.Date
		outcome   clinicalv1.EligibilityOutcome
		reasons   []string
	}{
		{"active on the date", p.patientID, active.GetId(), day(2024, 6, 1), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ELIGIBLE, []string{eligible}},
		{"on its last day", p.patientID, active.GetId(), day(2024, 12, 31), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ELIGIBLE, []string{eligible}},
		{"not yet effective", p.patientID, active.GetId(), day(2023, 12, 31), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE,
			[]string{"the coverage is not yet effective on the date of service"}},
		{"ended", p.patientID, active.GetId(), day(2025, 1, 1), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE,
			[]string{"the coverage ended before the date of service"}},
		{"plan inactive", p.patientID, underRetired.GetId(), day(2024, 6, 1), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE,
			[]string{"the plan is inactive"}},
		{"deleted", p.patientID, deleted.GetId(), day(2024, 6, 1), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE,
			[]string{"the coverage is deleted"}},
		{"on the day of death", deceased.GetId(), ofDeceased.GetId(), day(2024, 6, 30), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ELIGIBLE, []string{eligible}},
		{"after death", deceased.GetId(), ofDeceased.GetId(), day(2024, 7, 1), clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE,
			[]string{"the patient died before the date of service"}},
	}
	for _, tt := range tests {
		// Not parallel: the log's order is the checks' order.
		got := checkEligibility(t, e, a.Billing, tt.patientID, tt.coverage, tt.dos)
		want := &clinicalv1.EligibilityCheck{Id: got.GetId(), CoverageId: tt.coverage, PatientId: tt.patientID, DateOfService: tt.dos,
			Checker: domain.RulesCheckerName, Outcome: tt.outcome, Reasons: tt.reasons}
		if diff := cmp.Diff(want, got, protocmp.Transform(), protocmp.IgnoreFields(&clinicalv1.EligibilityCheck{}, "request", "response", "check_time")); diff != "" {
			t.Errorf("%s: CheckEligibility (-want +got):\n%s", tt.name, diff)
		}
		if !strings.Contains(got.GetRequest(), tt.coverage) || !strings.Contains(got.GetResponse(), tt.reasons[0]) {
			t.Errorf("%s: request %q response %q", tt.name, got.GetRequest(), got.GetResponse())
		}
		for _, doc := range []string{got.GetRequest(), got.GetResponse()} {
			if strings.Contains(doc, "123456789") || strings.Contains(doc, "Okafor") {
				t.Errorf("%s: a document holds PHI: %s", tt.name, doc)
			}
		}
	}

	// The coverage follows its last check.
	after := getCoverage(t, e, a.Billing, p.patientID, active.GetId())
	if after.GetEligibilityStatus() != clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_INELIGIBLE || after.GetEtag() != `"5"` ||
		after.GetLastEligibilityCheckTime() == nil {
		t.Errorf("coverage after its checks: status %v etag %s last check %v", after.GetEligibilityStatus(), after.GetEtag(), after.GetLastEligibilityCheckTime())
	}
	if got := getCoverage(t, e, a.Billing, deceased.GetId(), ofDeceased.GetId()); got.GetEligibilityStatus() != clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_INELIGIBLE {
		t.Errorf("deceased's coverage status = %v", got.GetEligibilityStatus())
	}

	// The log lists the checks newest first, in pages.
	var outcomes []clinicalv1.EligibilityOutcome
	var times []string
	token := ""
	for pages := 0; pages < 4; pages++ {
		resp, err := e.Coverages.ListEligibilityChecks(a.Auditor, &clinicalv1.ListEligibilityChecksRequest{
			PatientId: p.patientID, CoverageId: active.GetId(), PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatalf("ListEligibilityChecks page %d: %v", pages, err)
		}
		for _, c := range resp.GetEligibilityChecks() {
			outcomes = append(outcomes, c.GetOutcome())
			times = append(times, c.GetCheckTime().AsTime().String())
			if c.GetCoverageId() != active.GetId() || c.GetPatientId() != p.patientID || c.GetChecker() != domain.RulesCheckerName {
				t.Errorf("listed check %v", c)
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	wantOutcomes := []clinicalv1.EligibilityOutcome{
		clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE, clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE,
		clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ELIGIBLE, clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ELIGIBLE,
	}
	if diff := cmp.Diff(wantOutcomes, outcomes); diff != "" {
		t.Errorf("logged outcomes, newest first (-want +got):\n%s", diff)
	}
	if len(times) == 4 && (times[0] < times[1] || times[1] < times[2] || times[2] < times[3]) {
		t.Errorf("check times not newest first: %v", times)
	}

	var checked []*clinicalv1.EligibilityChecked
	for _, ev := range e.Events.Events() {
		if p, ok := ev.Payload.(*clinicalv1.EligibilityChecked); ok {
			checked = append(checked, p)
		}
	}
	if len(checked) != len(tests) {
		t.Fatalf("EligibilityChecked events = %d, want %d", len(checked), len(tests))
	}
	if c := checked[0]; c.GetCoverageId() != active.GetId() || c.GetPatientId() != p.patientID || c.GetPayerId() != p.payerID ||
		c.GetOutcome() != clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ELIGIBLE || c.GetChecker() != domain.RulesCheckerName {
		t.Errorf("EligibilityChecked = %v", c)
	}

	// Refusals.
	_, err := e.Coverages.CheckEligibility(a.Billing, &clinicalv1.CheckEligibilityRequest{PatientId: p.patientID, Id: active.GetId()})
	grpcerrtest.WantInvalid(t, err, "dateOfService")
	_, err = e.Coverages.CheckEligibility(a.Billing, &clinicalv1.CheckEligibilityRequest{PatientId: p.patientID, Id: uuid.NewString(), DateOfService: day(2024, 1, 1)})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.CheckEligibility(a.Billing, &clinicalv1.CheckEligibilityRequest{PatientId: deceased.GetId(), Id: active.GetId(), DateOfService: day(2024, 1, 1)})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.ListEligibilityChecks(a.Billing, &clinicalv1.ListEligibilityChecksRequest{PatientId: deceased.GetId(), CoverageId: active.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.ListEligibilityChecks(a.Warehouse, &clinicalv1.ListEligibilityChecksRequest{PatientId: p.patientID, CoverageId: active.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	if got := len(checked); got != len(tests) {
		t.Errorf("refusals recorded events")
	}
}

// TestCoverageMemberIDIsSealedAtRest reads the rows behind the service's
// back: the member id is nowhere in clear, in the coverage row or the
// eligibility log.
func TestCoverageMemberIDIsSealedAtRest(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	created := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, testMemberID, 1))
	checkEligibility(t, e, a.Billing, p.patientID, created.GetId(), day(2024, 3, 1))
	var row, checks string
	var sealed []byte
	err := e.DB.Super.QueryRow(context.Background(), `select c::text, member_id_ciphertext from clinical.coverages c where id = $1`,
		created.GetId()).Scan(&row, &sealed)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Super.QueryRow(context.Background(), `select string_agg(x::text, ' ') from clinical.eligibility_checks x`).Scan(&checks); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{testMemberID, "123456789", strings.ToLower(testMemberID)} {
		for name, text := range map[string]string{"coverage row": row, "eligibility log": checks, "ciphertext": string(sealed)} {
			if strings.Contains(text, secret) || strings.Contains(text, fmt.Sprintf("%x", secret)) {
				t.Errorf("the %s holds %q in clear", name, secret)
			}
		}
	}
	if len(sealed) < len(testMemberID) {
		t.Errorf("ciphertext of %d bytes", len(sealed))
	}
	// The ciphertext is bound to its row: copied to another coverage, it
	// no longer opens.
	other := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, "OTHER-1", 2))
	if _, err := e.DB.Super.Exec(context.Background(), `update clinical.coverages set member_id_ciphertext = $1 where id = $2`,
		sealed, other.GetId()); err != nil {
		t.Fatal(err)
	}
	_, err = e.Coverages.GetCoverage(a.Billing, &clinicalv1.GetCoverageRequest{PatientId: p.patientID, Id: other.GetId()})
	grpcerrtest.WantCode(t, err, codes.Internal)
	if logs := e.Observed.Logs.String(); strings.Contains(logs, "123456789") {
		t.Errorf("the log holds the member id:\n%s", logs)
	}
}

func TestCoveragesAreIsolatedByCompany(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	p := newCoverageParties(t, e, a, "Okafor")
	c := createCoverage(t, e, a.Billing, p.patientID, coverage(p.planID, testMemberID, 1))
	check := checkEligibility(t, e, a.Billing, p.patientID, c.GetId(), day(2024, 3, 1))
	pb := newCoverageParties(t, e, b, "Bianchi")

	_, err := e.Coverages.GetCoverage(b.Billing, &clinicalv1.GetCoverageRequest{PatientId: p.patientID, Id: c.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.ListCoverages(b.Billing, &clinicalv1.ListCoveragesRequest{PatientId: p.patientID, ShowDeleted: true})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.UpdateCoverage(b.Billing, &clinicalv1.UpdateCoverageRequest{
		Coverage: &clinicalv1.Coverage{PatientId: p.patientID, Id: c.GetId(), GroupNumber: "B"}, UpdateMask: mask("group_number")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.DeleteCoverage(b.Billing, &clinicalv1.DeleteCoverageRequest{PatientId: p.patientID, Id: c.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.ReorderCoverages(b.Billing, &clinicalv1.ReorderCoveragesRequest{PatientId: p.patientID, CoverageIds: []string{c.GetId()}})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.CheckEligibility(b.Billing, &clinicalv1.CheckEligibilityRequest{PatientId: p.patientID, Id: c.GetId(), DateOfService: day(2024, 3, 1)})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.ListEligibilityChecks(b.Billing, &clinicalv1.ListEligibilityChecksRequest{PatientId: p.patientID, CoverageId: check.GetCoverageId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	// B cannot cover A's patient, nor its own under A's plan.
	_, err = e.Coverages.CreateCoverage(b.Billing, &clinicalv1.CreateCoverageRequest{PatientId: p.patientID, Coverage: coverage(pb.planID, "B-1", 2)})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Coverages.CreateCoverage(b.Billing, &clinicalv1.CreateCoverageRequest{PatientId: pb.patientID, Coverage: coverage(p.planID, "B-1", 1)})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	// B's own patient has no coverages, and no check of A's shows anywhere.
	list, err := e.Coverages.ListCoverages(b.Billing, &clinicalv1.ListCoveragesRequest{PatientId: pb.patientID, ShowDeleted: true})
	if err != nil || len(list.GetCoverages()) != 0 {
		t.Errorf("B's ListCoverages = %v, %v; want empty", list.GetCoverages(), err)
	}
	bc := createCoverage(t, e, b.Billing, pb.patientID, coverage(pb.planID, "B-1", 1))
	checks, err := e.Coverages.ListEligibilityChecks(b.Billing, &clinicalv1.ListEligibilityChecksRequest{PatientId: pb.patientID, CoverageId: bc.GetId()})
	if err != nil || len(checks.GetEligibilityChecks()) != 0 {
		t.Errorf("B's ListEligibilityChecks = %v, %v; want empty", checks.GetEligibilityChecks(), err)
	}
	// A's coverage is untouched.
	got := getCoverage(t, e, a.Billing, p.patientID, c.GetId())
	if got.GetEtag() != `"2"` || got.GetGroupNumber() != "GRP-100" || got.GetDeleteTime() != nil {
		t.Errorf("A's coverage after B's attempts: %v", got)
	}
}
