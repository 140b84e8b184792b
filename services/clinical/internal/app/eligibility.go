package app

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// EventEligibilityChecked is the type of the event of an eligibility check.
const EventEligibilityChecked = "clinical.eligibility.checked.v1"

// EligibilityChecker answers an eligibility inquiry for one coverage. It is
// the seam where a clearinghouse's X12 270/271 exchange plugs in; the only
// implementation today is RulesEligibility, a stand-in that asks no payer.
//
// Check returns an error only when it got no answer at all (the
// clearinghouse was down, timed out, rejected the inquiry): the check is
// then logged with outcome error. An implementation records in Request and
// Response the documents it exchanged as the log may keep them: naming
// records by id, never carrying a PHI value in clear (no member id, MBI,
// name or birth date); CheckEligibility masks any identifier of the
// coverage or patient that slips through anyway.
type EligibilityChecker interface {
	Check(ctx context.Context, req EligibilityRequest) (EligibilityResponse, error)
}

// EligibilityRequest is what an eligibility inquiry is about: one coverage
// of a patient, under its plan and payer, on a date of service.
type EligibilityRequest struct {
	Patient       *domain.Patient
	Coverage      *domain.Coverage
	Plan          *domain.Plan
	Payer         *domain.Payer
	DateOfService civil.Date
}

// EligibilityResponse is a checker's answer.
type EligibilityResponse struct {
	Outcome domain.EligibilityOutcome
	// Messages say why the outcome is what it is, for people, without PHI.
	Messages []string
	// Checker names the implementation that answered (at most 50
	// characters).
	Checker string
	// Request and Response are the documents exchanged, as the log keeps
	// them (at most 4000 characters each; longer ones are cut).
	Request  string
	Response string
}

// RulesEligibility is the rules-based stand-in eligibility checker: it
// answers from what the company knows (domain.EligibilityByRules), asks no
// payer, and is no proof of coverage. Its name says so.
type RulesEligibility struct{}

// rulesDocument is what RulesEligibility records it was asked: ids only.
type rulesDocument struct {
	Inquiry    string `json:"inquiry"`
	CoverageID string `json:"coverage_id"`
	PatientID  string `json:"patient_id"`
	PlanID     string `json:"plan_id"`
	PayerID    string `json:"payer_id"`
}

// rulesAnswer is what RulesEligibility records it answered.
type rulesAnswer struct {
	Outcome string   `json:"outcome"`
	Reasons []string `json:"reasons"`
}

// Check applies domain.EligibilityByRules.
func (RulesEligibility) Check(_ context.Context, req EligibilityRequest) (EligibilityResponse, error) {
	outcome, reasons := domain.EligibilityByRules(req.Patient, req.Coverage, req.Plan, req.Payer, req.DateOfService)
	asked, err := json.Marshal(rulesDocument{Inquiry: "coverage, plan, payer and patient status on the date of service",
		CoverageID: req.Coverage.ID, PatientID: req.Patient.ID, PlanID: req.Plan.ID, PayerID: req.Payer.ID})
	if err != nil {
		return EligibilityResponse{}, err
	}
	answered, err := json.Marshal(rulesAnswer{Outcome: string(outcome), Reasons: reasons})
	if err != nil {
		return EligibilityResponse{}, err
	}
	return EligibilityResponse{Outcome: outcome, Messages: reasons, Checker: domain.RulesCheckerName,
		Request: string(asked), Response: string(answered)}, nil
}

// Limits of an eligibility log entry, as the schema holds them.
const (
	maxCheckerName     = 50
	maxCheckDocument   = 4000
	noAnswerReason     = "the eligibility checker got no answer; try again later"
	unnamedCheckerName = "unnamed checker"
)

// EligibilityCheckQuery selects a page of a coverage's eligibility checks,
// newest first (check time, then id, descending); After holds the previous
// page's last (check time as RFC 3339 with nanoseconds, id).
type EligibilityCheckQuery struct {
	CoverageID string
	After      []string
	Limit      int
}

// CheckEligibility asks whether a coverage pays on a date of service.
type CheckEligibility struct {
	PatientID, CoverageID string
	DateOfService         civil.Date
}

// CheckEligibility asks the eligibility checker about a coverage, then, in
// one unit of work, logs the check, sets the coverage's eligibility status
// from it (domain.Coverage.RecordEligibility, a new version) and records
// EligibilityChecked. The checker is asked outside the transaction: a
// clearinghouse may take seconds, and no row stays locked meanwhile. A
// checker that gets no answer is logged as outcome error.
func (h Coverages) CheckEligibility(ctx context.Context, cmd CheckEligibility) (*domain.EligibilityCheck, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "patientId", Err: usecase.CheckID("", cmd.PatientID)},
		usecase.FieldCheck{Field: "id", Err: usecase.CheckID("", cmd.CoverageID)},
		usecase.FieldCheck{Field: "dateOfService", Err: requiredDate(cmd.DateOfService)},
	); err != nil {
		return nil, err
	}
	req, err := h.eligibilityRequest(ctx, cmd)
	if err != nil {
		return nil, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return nil, err
	}
	answer, err := h.c.Eligibility.Check(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		answer = EligibilityResponse{Outcome: domain.OutcomeError, Messages: []string{noAnswerReason}, Checker: answer.Checker,
			Request: answer.Request, Response: answer.Response}
	}
	check := logEntry(id, caller.CompanyID, req, answer, h.c.Now.Stamp())
	return usecase.Change(ctx, h.c.UnitOfWork, h.c.Events, func(ctx context.Context) (*domain.EligibilityCheck, []usecase.Event, error) {
		c, err := h.c.Store.UpdateCoverage(ctx, cmd.PatientID, cmd.CoverageID, func(c *domain.Coverage) error {
			c.RecordEligibility(*check)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if err := h.c.Store.CreateEligibilityCheck(ctx, check); err != nil {
			return nil, nil, err
		}
		return check, []usecase.Event{{Type: EventEligibilityChecked, CompanyID: check.CompanyID, ResourceID: check.ID,
			Payload: &clinicalv1.EligibilityChecked{CompanyId: check.CompanyID, EligibilityCheckId: check.ID,
				ActorId: caller.Subject, OccurTime: timestamp(check.CheckTime), CoverageId: c.ID, PatientId: c.PatientID,
				PayerId: c.PayerID, Outcome: protoOutcome(check.Outcome), Checker: check.Checker}}}, nil
	})
}

// eligibilityRequest reads what an inquiry is about: the coverage of the
// patient, its plan and payer, and the patient.
func (h Coverages) eligibilityRequest(ctx context.Context, cmd CheckEligibility) (EligibilityRequest, error) {
	coverage, err := h.c.Store.GetCoverage(ctx, cmd.PatientID, cmd.CoverageID)
	if err != nil {
		return EligibilityRequest{}, err
	}
	patient, err := h.c.Store.GetPatient(ctx, cmd.PatientID)
	if err != nil {
		return EligibilityRequest{}, err
	}
	plan, err := h.c.Store.GetPlan(ctx, coverage.PayerID, coverage.PlanID)
	if err != nil {
		return EligibilityRequest{}, err
	}
	payer, err := h.c.Store.GetPayer(ctx, coverage.PayerID)
	if err != nil {
		return EligibilityRequest{}, err
	}
	return EligibilityRequest{Patient: patient, Coverage: coverage, Plan: plan, Payer: payer, DateOfService: cmd.DateOfService}, nil
}

// logEntry makes the log entry of an answer: the checker's name and
// documents cut to what the log holds, and every PHI identifier of the
// coverage and patient masked wherever a checker let one through.
func logEntry(id, companyID string, req EligibilityRequest, answer EligibilityResponse, now time.Time) *domain.EligibilityCheck {
	secrets := []struct {
		value   domain.PHI
		visible int
	}{
		{req.Coverage.MemberID, domain.MemberIDVisible},
		{req.Patient.MBI, domain.MBIVisible},
		{req.Patient.MedicaidID, domain.MedicaidIDVisible},
		{req.Patient.SSN, domain.SSNVisible},
	}
	redact := func(s string) string {
		for _, p := range secrets {
			if !p.value.IsZero() {
				s = strings.ReplaceAll(s, p.value.Reveal(), p.value.Mask(p.visible))
			}
		}
		return s
	}
	checker := strings.TrimSpace(answer.Checker)
	if checker == "" {
		checker = unnamedCheckerName
	}
	reasons := make([]string, len(answer.Messages))
	for i, m := range answer.Messages {
		reasons[i] = redact(m)
	}
	outcome := answer.Outcome
	switch outcome {
	case domain.OutcomeEligible, domain.OutcomeIneligible, domain.OutcomeError:
	default:
		outcome = domain.OutcomeError
		reasons = append(reasons, "the checker gave no outcome this service knows")
	}
	return &domain.EligibilityCheck{ID: id, CompanyID: companyID, CoverageID: req.Coverage.ID,
		DateOfService: req.DateOfService, Checker: cut(redact(checker), maxCheckerName), Outcome: outcome,
		Request: cut(redact(answer.Request), maxCheckDocument), Response: cut(redact(answer.Response), maxCheckDocument),
		Reasons: reasons, CheckTime: now}
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// requiredDate refuses the zero date.
func requiredDate(d civil.Date) error {
	if d.IsZero() {
		return errs.Invalid(errs.FieldViolation{Description: "is required"})
	}
	return nil
}

// ListEligibilityChecks pages through a coverage's eligibility log.
type ListEligibilityChecks struct {
	PatientID, CoverageID string
	PageSize              int32
	PageToken             string
}

// EligibilityCheckPage is one page of eligibility checks.
type EligibilityCheckPage = usecase.Page[*domain.EligibilityCheck]

// ListEligibilityChecks returns one page of a coverage's eligibility log,
// newest first; a coverage that is not the patient's is NOT_FOUND.
func (h Coverages) ListEligibilityChecks(ctx context.Context, q ListEligibilityChecks) (EligibilityCheckPage, error) {
	if err := usecase.CheckID("patientId", q.PatientID); err != nil {
		return EligibilityCheckPage{}, err
	}
	if _, err := usecase.Get(ctx, "coverageId", q.CoverageID, func(ctx context.Context, id string) (*domain.Coverage, error) {
		return h.c.Store.GetCoverage(ctx, q.PatientID, id)
	}); err != nil {
		return EligibilityCheckPage{}, err
	}
	caller, _ := usecase.Caller(ctx)
	scope := []string{"ListEligibilityChecks", caller.CompanyID, q.PatientID, q.CoverageID}
	checks, next, err := usecase.CompositeKeysetPage(h.c.Pages, q.PageSize, q.PageToken, scope, 2, validTimeKey,
		func(after []string, limit int) ([]*domain.EligibilityCheck, error) {
			return h.c.Store.ListEligibilityChecks(ctx, EligibilityCheckQuery{CoverageID: q.CoverageID, After: after, Limit: limit})
		},
		func(c *domain.EligibilityCheck) []string {
			return []string{c.CheckTime.UTC().Format(time.RFC3339Nano), c.ID}
		})
	return EligibilityCheckPage{Items: checks, NextPageToken: next}, err
}

// validTimeKey accepts a (time, id) cursor.
func validTimeKey(keys []string) bool {
	_, err := time.Parse(time.RFC3339Nano, keys[0])
	return err == nil && usecase.CheckID("", keys[1]) == nil
}

// protoOutcome is the API value of an eligibility outcome.
func protoOutcome(o domain.EligibilityOutcome) clinicalv1.EligibilityOutcome {
	return clinicalv1.EligibilityOutcome(clinicalv1.EligibilityOutcome_value["ELIGIBILITY_OUTCOME_"+strings.ToUpper(string(o))])
}
