package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
)

// coverageFixture is a company's patient and active plan, made through the
// store (the patient as a bare row).
type coverageFixture struct {
	ctx       context.Context
	company   string
	patientID string
	payer     *domain.Payer
	plan      *domain.Plan
}

func newCoverageFixture(t *testing.T, db pgtest.Schema, s *store.Store) coverageFixture {
	t.Helper()
	company := uuid.NewString()
	ctx := identity.NewContext(context.Background(), identity.Principal{Subject: uuid.NewString(), CompanyID: company})
	patientID := uuid.NewString()
	_, err := db.Super.Exec(context.Background(), `
		insert into clinical.patients (id, company_id, account_number, first_name, last_name, birth_date, sex,
			home_line1, home_city, home_state, home_postal_code, branch_id)
		values ($1, $2, 'PT0000001', 'Ruth', 'Okafor', '1948-03-14', 'female', '1 Main St', 'Atlanta', 'GA', '30308', $3)`,
		patientID, company, uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	payer, err := domain.NewPayer(uuid.NewString(), company, domain.PayerValues{Name: "Noridian", PayerCode: "16013", Type: domain.PayerMedicare}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreatePayer(ctx, payer, "", nil); err != nil {
		t.Fatal(err)
	}
	plan, err := domain.NewPlan(uuid.NewString(), payer, domain.PlanValues{Name: "Part B"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreatePlan(ctx, plan, "", nil); err != nil {
		t.Fatal(err)
	}
	return coverageFixture{ctx: ctx, company: company, patientID: patientID, payer: payer, plan: plan}
}

func civilOf(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// newCoverage stores a coverage of the fixture's patient at rank.
func (f coverageFixture) newCoverage(t *testing.T, s *store.Store, memberID string, rank int) *domain.Coverage {
	t.Helper()
	c, err := domain.NewCoverage(uuid.NewString(), f.company, f.patientID, domain.CoverageValues{
		PlanID: f.plan.ID, MemberID: memberID, Rank: rank, Relationship: domain.RelationshipSpouse,
		SubscriberFirstName: "James", SubscriberLastName: "Okafor", SubscriberBirthDate: civilOf("1946-07-02"),
		EffectiveDate: civilOf("2024-01-01"), EndDate: civilOf("2024-12-31"),
	}, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	c.PayerID = f.payer.ID
	created, replayed, err := s.CreateCoverage(f.ctx, c, "", nil, func() error { return nil })
	if err != nil || replayed {
		t.Fatalf("CreateCoverage = %v, replayed %v", err, replayed)
	}
	return created
}

func TestCoverageRoundTripAndTenancy(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	f := newCoverageFixture(t, db, s)
	c := f.newCoverage(t, s, "XJH-1", 1)
	got, err := s.GetCoverage(f.ctx, f.patientID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("GetCoverage (-stored +read):\n%s", diff)
	}
	current, err := s.PatientCoverages(f.ctx, f.patientID)
	if err != nil || len(current) != 1 || current[0].MemberID.Reveal() != "XJH-1" || current[0].PayerID != f.payer.ID {
		t.Errorf("PatientCoverages = %+v, %v", current, err)
	}
	_, err = s.GetCoverage(f.ctx, uuid.NewString(), c.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")

	// Another company sees nothing of it.
	other := newCoverageFixture(t, db, s)
	_, err = s.GetCoverage(other.ctx, f.patientID, c.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if cs, err := s.PatientCoverages(other.ctx, f.patientID); err != nil || len(cs) != 0 {
		t.Errorf("another company's PatientCoverages = %v, %v", cs, err)
	}
	err = db.App.InTx(other.ctx, func(ctx context.Context) error {
		_, err := s.LockPatientCoverages(ctx, f.patientID)
		return err
	})
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = s.UpdateCoverage(other.ctx, f.patientID, c.ID, func(*domain.Coverage) error { return nil })
	errstest.Check(t, err, false, errs.KindNotFound, "")
	list, err := s.ListCoverages(other.ctx, app.CoverageQuery{PatientID: f.patientID, ShowDeleted: true, Limit: 10})
	if err != nil || len(list) != 0 {
		t.Errorf("another company's ListCoverages = %v, %v", list, err)
	}

	// Deleted coverages leave PatientCoverages and store a NULL rank.
	if _, err := s.UpdateCoverage(f.ctx, f.patientID, c.ID, func(c *domain.Coverage) error { return c.Delete(time.Now().UTC()) }); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.PatientCoverages(f.ctx, f.patientID); err != nil || len(cs) != 0 {
		t.Errorf("PatientCoverages after the delete = %v, %v", cs, err)
	}
	got, err = s.GetCoverage(f.ctx, f.patientID, c.ID)
	if err != nil || got.Rank != 0 || !got.Deleted() || got.Version != 2 {
		t.Errorf("deleted coverage read back: %+v, %v", got, err)
	}
}

func TestCoverageRankIsUniqueAmongCurrent(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	f := newCoverageFixture(t, db, s)
	first := f.newCoverage(t, s, "A1", 1)
	second := f.newCoverage(t, s, "A2", 2)
	// The constraint backs the use case's check: a rank taken is
	// ALREADY_EXISTS naming the domain's reason, and nothing is written.
	dup, err := domain.NewCoverage(uuid.NewString(), f.company, f.patientID, domain.CoverageValues{
		PlanID: f.plan.ID, MemberID: "A3", Rank: 1, Relationship: domain.RelationshipSelf, EffectiveDate: civilOf("2024-01-01"),
	}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.CreateCoverage(f.ctx, dup, "", nil, func() error { return nil })
	errstest.Check(t, err, false, errs.KindAlreadyExists, domain.ReasonCoverageRankTaken)

	// Swapping ranks is one statement: the deferrable constraint sees only
	// the result.
	a, b := *first, *second
	a.Rank, b.Rank, a.Version, b.Version = 2, 1, 2, 2
	if err := s.SaveCoverageRanks(f.ctx, []domain.Coverage{a, b}); err != nil {
		t.Fatalf("SaveCoverageRanks(swap): %v", err)
	}
	current, err := s.PatientCoverages(f.ctx, f.patientID)
	if err != nil || len(current) != 2 || current[0].ID != second.ID || current[1].ID != first.ID || current[0].Version != 2 {
		t.Errorf("PatientCoverages after the swap = %+v, %v", current, err)
	}
	// Ranks that collide are refused whole.
	a.Rank, b.Rank = 1, 1
	err = s.SaveCoverageRanks(f.ctx, []domain.Coverage{a, b})
	errstest.Check(t, err, false, errs.KindAlreadyExists, domain.ReasonCoverageRankTaken)
	if again, _ := s.PatientCoverages(f.ctx, f.patientID); !cmp.Equal(again, current) {
		t.Errorf("a refused save changed the coverages: %+v", again)
	}
}

func TestCreateCoverageAdmitsOnlyNewRequests(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	f := newCoverageFixture(t, db, s)
	key, hash := uuid.NewString(), []byte("fingerprint")
	c, err := domain.NewCoverage(uuid.NewString(), f.company, f.patientID, domain.CoverageValues{
		PlanID: f.plan.ID, MemberID: "A1", Rank: 1, Relationship: domain.RelationshipSelf, EffectiveDate: civilOf("2024-01-01"),
	}, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	c.PayerID = f.payer.ID
	refused := errs.FailedPrecondition("TEST", "refused")
	_, _, err = s.CreateCoverage(f.ctx, c, key, hash, func() error { return refused })
	if !errors.Is(err, refused) {
		t.Fatalf("CreateCoverage with a refusing admit = %v", err)
	}
	// The refusal kept nothing, not even the key: a retry runs afresh.
	admitted := 0
	admit := func() error { admitted++; return nil }
	if _, replayed, err := s.CreateCoverage(f.ctx, c, key, hash, admit); err != nil || replayed {
		t.Fatalf("retry = %v, replayed %v", err, replayed)
	}
	got, replayed, err := s.CreateCoverage(f.ctx, c, key, hash, admit)
	if err != nil || !replayed || got.ID != c.ID || got.MemberID.Reveal() != "A1" {
		t.Fatalf("replay = %+v, replayed %v, %v", got, replayed, err)
	}
	if admitted != 1 {
		t.Errorf("admit ran %d times, want once (not for the replay)", admitted)
	}
}

func TestEligibilityChecksNewestFirst(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	f := newCoverageFixture(t, db, s)
	c := f.newCoverage(t, s, "A1", 1)
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var want []string
	for i, at := range []time.Time{base, base.Add(time.Hour), base.Add(time.Hour), base.Add(2 * time.Hour)} {
		check := &domain.EligibilityCheck{ID: uuid.Must(uuid.NewV7()).String(), CompanyID: f.company, CoverageID: c.ID,
			DateOfService: civilOf("2024-05-01"), Checker: domain.RulesCheckerName, Outcome: domain.OutcomeEligible,
			Request: "{}", Response: "{}", Reasons: []string{"reason"}, CheckTime: at}
		if i == 0 {
			check.Reasons = nil
		}
		if err := s.CreateEligibilityCheck(f.ctx, check); err != nil {
			t.Fatal(err)
		}
		want = append([]string{check.ID}, want...)
	}
	// The two of the same time come by id, descending.
	want[1], want[2] = max(want[1], want[2]), min(want[1], want[2])
	var got []string
	var after []string
	for page := 0; page < 4; page++ {
		checks, err := s.ListEligibilityChecks(f.ctx, app.EligibilityCheckQuery{CoverageID: c.ID, After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) == 0 {
			break
		}
		for _, ch := range checks {
			got = append(got, ch.ID)
		}
		last := checks[len(checks)-1]
		after = []string{last.CheckTime.UTC().Format(time.RFC3339Nano), last.ID}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks newest first (-want +got):\n%s", diff)
	}
	other := newCoverageFixture(t, db, s)
	if checks, err := s.ListEligibilityChecks(other.ctx, app.EligibilityCheckQuery{CoverageID: c.ID, Limit: 10}); err != nil || len(checks) != 0 {
		t.Errorf("another company's ListEligibilityChecks = %v, %v", checks, err)
	}
}
