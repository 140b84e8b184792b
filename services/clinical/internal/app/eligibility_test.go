package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

const (
	eligibilityMBI      = "1EG4TE5MK73"
	eligibilityMemberID = "XJH-123456789"
)

// stubChecker answers every inquiry with resp and err, keeping the last
// request.
type stubChecker struct {
	resp app.EligibilityResponse
	err  error
	got  app.EligibilityRequest
}

func (s *stubChecker) Check(_ context.Context, req app.EligibilityRequest) (app.EligibilityResponse, error) {
	s.got = req
	return s.resp, s.err
}

// coverageWorld is an application on a fresh schema with a patient (who
// has an MBI), a payer, a plan and a coverage of one company.
type coverageWorld struct {
	app      *app.Application
	events   *usecase.MemoryRecorder
	ctx      context.Context
	patient  *domain.Patient
	payer    *domain.Payer
	plan     *domain.Plan
	coverage *domain.Coverage
}

func calendarDay(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// newCoverageWorld builds a coverageWorld whose eligibility checker is
// checker (nil: the default).
func newCoverageWorld(t *testing.T, checker app.EligibilityChecker) coverageWorld {
	t.Helper()
	db, s, ring := clinicaltest.NewStore(t)
	w := coverageWorld{events: usecasetest.Recorder(t)}
	w.app = app.NewApplication(app.Deps{Store: s, Keyring: ring, Pages: pagetest.Sealer(t, ring), UnitOfWork: db.App, Events: w.events, Eligibility: checker})
	w.ctx = identity.NewContext(context.Background(), identity.Principal{Subject: uuid.NewString(), CompanyID: uuid.NewString()})
	var err error
	if w.patient, err = w.app.Patients.Create(w.ctx, app.CreatePatient{Values: domain.PatientValues{
		FirstName: "Ruth", LastName: "Okafor", BirthDate: calendarDay("1948-03-14"), Sex: domain.SexFemale,
		HomeAddress: contact.Address{Line1: "1 Main St", City: "Atlanta", State: "GA", PostalCode: "30308"},
		BranchID:    uuid.NewString(), MBI: eligibilityMBI,
	}}); err != nil {
		t.Fatal(err)
	}
	if w.payer, err = w.app.Payers.Create(w.ctx, app.CreatePayer{Values: domain.PayerValues{
		Name: "Noridian", PayerCode: "16013", Type: domain.PayerMedicare}}); err != nil {
		t.Fatal(err)
	}
	if w.plan, err = w.app.Payers.CreatePlan(w.ctx, app.CreatePlan{PayerID: w.payer.ID, Values: domain.PlanValues{Name: "Part B"}}); err != nil {
		t.Fatal(err)
	}
	if w.coverage, err = w.app.Coverages.Create(w.ctx, app.CreateCoverage{PatientID: w.patient.ID, Values: domain.CoverageValues{
		PlanID: w.plan.ID, MemberID: eligibilityMemberID, Rank: 1, Relationship: domain.RelationshipSelf,
		EffectiveDate: calendarDay("2024-01-01"),
	}}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w coverageWorld) check(t *testing.T, dos string) *domain.EligibilityCheck {
	t.Helper()
	c, err := w.app.Coverages.CheckEligibility(w.ctx, app.CheckEligibility{PatientID: w.patient.ID, CoverageID: w.coverage.ID,
		DateOfService: calendarDay(dos)})
	if err != nil {
		t.Fatalf("CheckEligibility: %v", err)
	}
	return c
}

func TestRulesEligibilityDocumentsNameRecordsByID(t *testing.T) {
	t.Parallel()
	w := newCoverageWorld(t, nil)
	check := w.check(t, "2024-06-01")
	if check.Checker != domain.RulesCheckerName || check.Outcome != domain.OutcomeEligible {
		t.Errorf("check by %q: %s", check.Checker, check.Outcome)
	}
	for _, id := range []string{w.coverage.ID, w.patient.ID, w.plan.ID, w.payer.ID} {
		if !strings.Contains(check.Request, id) {
			t.Errorf("the request document does not name %s: %s", id, check.Request)
		}
	}
	for _, doc := range []string{check.Request, check.Response} {
		for _, secret := range []string{eligibilityMemberID, eligibilityMBI, "Okafor", "2024-06-01", "1948"} {
			if strings.Contains(doc, secret) {
				t.Errorf("a document holds %q: %s", secret, doc)
			}
		}
	}
}

func TestCheckerWithoutAnswerIsLoggedAsError(t *testing.T) {
	t.Parallel()
	stub := &stubChecker{err: errors.New("clearinghouse unreachable"), resp: app.EligibilityResponse{Checker: "clearinghouse 270/271"}}
	w := newCoverageWorld(t, stub)
	check := w.check(t, "2024-06-01")
	if check.Outcome != domain.OutcomeError || check.Checker != "clearinghouse 270/271" ||
		!cmp.Equal(check.Reasons, []string{"the eligibility checker got no answer; try again later"}) {
		t.Errorf("logged check = %+v", check)
	}
	// The checker was asked about the coverage's own records.
	if stub.got.Patient.ID != w.patient.ID || stub.got.Coverage.ID != w.coverage.ID || stub.got.Plan.ID != w.plan.ID ||
		stub.got.Payer.ID != w.payer.ID || stub.got.DateOfService != calendarDay("2024-06-01") ||
		stub.got.Coverage.MemberID.Reveal() != eligibilityMemberID {
		t.Errorf("the checker was asked %+v", stub.got)
	}
	c, err := w.app.Coverages.Get(w.ctx, w.patient.ID, w.coverage.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.EligibilityStatus != domain.EligibilityError || c.LastEligibilityCheckTime == nil ||
		!c.LastEligibilityCheckTime.Equal(check.CheckTime) || c.Version != 2 {
		t.Errorf("coverage after the failed check: %s at %v, version %d", c.EligibilityStatus, c.LastEligibilityCheckTime, c.Version)
	}
	ev := w.events.Events()[len(w.events.Events())-1]
	if p, ok := ev.Payload.(*clinicalv1.EligibilityChecked); !ok || ev.Type != app.EventEligibilityChecked ||
		p.GetOutcome() != clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ERROR || p.GetEligibilityCheckId() != check.ID {
		t.Errorf("event %s %v", ev.Type, ev.Payload)
	}
	page, err := w.app.Coverages.ListEligibilityChecks(w.ctx, app.ListEligibilityChecks{PatientID: w.patient.ID, CoverageID: w.coverage.ID})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != check.ID {
		t.Errorf("the log = %+v, %v", page.Items, err)
	}
}

func TestCheckerAnswersAreMaskedAndCutForTheLog(t *testing.T) {
	t.Parallel()
	stub := &stubChecker{resp: app.EligibilityResponse{
		Outcome:  "maybe",
		Messages: []string{"member " + eligibilityMemberID + " found"},
		Checker:  strings.Repeat("c", 80),
		Request:  "ISA*00*NM1*IL*1*OKAFOR*RUTH****MI*" + eligibilityMemberID + "~REF*SY*" + eligibilityMBI,
		Response: strings.Repeat("x", 5000) + eligibilityMemberID,
	}}
	w := newCoverageWorld(t, stub)
	check := w.check(t, "2024-06-01")
	if check.Outcome != domain.OutcomeError {
		t.Errorf("outcome = %s, want error for an outcome the service does not know", check.Outcome)
	}
	if len(check.Checker) != 50 || len(check.Response) != 4000 {
		t.Errorf("checker %d characters, response %d; want 50 and 4000", len(check.Checker), len(check.Response))
	}
	want := "ISA*00*NM1*IL*1*OKAFOR*RUTH****MI*" + domain.PHI(eligibilityMemberID).Mask(domain.MemberIDVisible) +
		"~REF*SY*" + domain.PHI(eligibilityMBI).Mask(domain.MBIVisible)
	if check.Request != want {
		t.Errorf("request = %q, want %q", check.Request, want)
	}
	all := check.Request + check.Response + strings.Join(check.Reasons, " ")
	if strings.Contains(all, eligibilityMemberID) || strings.Contains(all, eligibilityMBI) {
		t.Errorf("the log holds an identifier in clear: %+v", check)
	}
	if len(check.Reasons) != 2 || !strings.Contains(check.Reasons[0], "****") {
		t.Errorf("reasons = %q", check.Reasons)
	}
}

func TestCheckEligibilityRefusals(t *testing.T) {
	t.Parallel()
	w := newCoverageWorld(t, nil)
	events := len(w.events.Types())
	_, err := w.app.Coverages.CheckEligibility(w.ctx, app.CheckEligibility{PatientID: "p", CoverageID: "c"})
	if diff := cmp.Diff([]string{"patientId", "id", "dateOfService"}, errstest.Fields(t, err)); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s", diff)
	}
	_, err = w.app.Coverages.CheckEligibility(context.Background(), app.CheckEligibility{PatientID: w.patient.ID,
		CoverageID: w.coverage.ID, DateOfService: calendarDay("2024-01-01")})
	if err == nil {
		t.Error("a check without a caller was made")
	}
	if got := len(w.events.Types()); got != events {
		t.Errorf("refused checks recorded %d events", got-events)
	}
}
