package app_test

import (
	"sync"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// TestConcurrentCreatesTakeARankOnce races creates of the same rank for
// one patient: exactly one wins, the others hear the rank is taken.
func TestConcurrentCreatesTakeARankOnce(t *testing.T) {
	t.Parallel()
	w := newCoverageWorld(t, nil)
	const racers = 6
	errsOut := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errsOut[i] = w.app.Coverages.Create(w.ctx, app.CreateCoverage{PatientID: w.patient.ID, Values: domain.CoverageValues{
				PlanID: w.plan.ID, MemberID: "RACE-1", Rank: 2, Relationship: domain.RelationshipSelf,
				EffectiveDate: calendarDay("2024-01-01"),
			}})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errsOut {
		if err == nil {
			won++
			continue
		}
		errstest.Check(t, err, false, errs.KindAlreadyExists, domain.ReasonCoverageRankTaken)
	}
	if won != 1 {
		t.Errorf("%d creates of rank 2 succeeded, want 1", won)
	}
	current, err := w.app.Coverages.List(w.ctx, app.ListCoverages{PatientID: w.patient.ID})
	if err != nil || len(current.Items) != 2 {
		t.Errorf("coverages = %d, %v; want the primary and one secondary", len(current.Items), err)
	}
}

// TestReorderRacingDeletesNeverLeavesAGap reorders while another caller
// deletes: either the reorder saw the delete (and is refused as stale) or
// the delete came after it; the ranks are never corrupted.
func TestReorderRacingDeletesNeverLeavesAGap(t *testing.T) {
	t.Parallel()
	w := newCoverageWorld(t, nil)
	second, err := w.app.Coverages.Create(w.ctx, app.CreateCoverage{PatientID: w.patient.ID, Values: domain.CoverageValues{
		PlanID: w.plan.ID, MemberID: "SECOND", Rank: 2, Relationship: domain.RelationshipSelf, EffectiveDate: calendarDay("2024-01-01"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var reorderErr, deleteErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, reorderErr = w.app.Coverages.Reorder(w.ctx, app.ReorderCoverages{PatientID: w.patient.ID,
			CoverageIDs: []string{second.ID, w.coverage.ID}})
	}()
	go func() {
		defer wg.Done()
		_, deleteErr = w.app.Coverages.Delete(w.ctx, app.DeleteCoverage{PatientID: w.patient.ID, ID: w.coverage.ID})
	}()
	wg.Wait()
	if deleteErr != nil {
		t.Fatalf("Delete: %v", deleteErr)
	}
	current, err := w.app.Coverages.List(w.ctx, app.ListCoverages{PatientID: w.patient.ID})
	if err != nil || len(current.Items) != 1 || current.Items[0].ID != second.ID {
		t.Fatalf("current coverages = %+v, %v", current.Items, err)
	}
	want := 2 // the delete came first: the reorder is refused, ranks stay
	if reorderErr == nil {
		want = 1 // the reorder came first: the second became primary
	} else {
		errstest.Check(t, reorderErr, false, errs.KindFailedPrecondition, domain.ReasonCoverageReorderMismatch)
	}
	if got := current.Items[0].Rank; got != want {
		t.Errorf("rank of the remaining coverage = %d, want %d (reorder err %v)", got, want, reorderErr)
	}
}

func TestCoverageCommandsRefuseBadIDs(t *testing.T) {
	t.Parallel()
	w := newCoverageWorld(t, nil)
	_, err := w.app.Coverages.Get(w.ctx, "p-1", w.coverage.ID)
	if got := errstest.Fields(t, err); len(got) != 1 || got[0] != "patientId" {
		t.Errorf("Get with a bad patient id: fields %v", got)
	}
	_, err = w.app.Coverages.Update(w.ctx, app.UpdateCoverage{PatientID: w.patient.ID, ID: "c-1", Fields: []domain.CoverageField{domain.CoverageGroupNumber}})
	if got := errstest.Fields(t, err); len(got) != 1 || got[0] != "coverage.id" {
		t.Errorf("Update with a bad id: fields %v", got)
	}
	_, err = w.app.Coverages.Reorder(w.ctx, app.ReorderCoverages{PatientID: w.patient.ID})
	if got := errstest.Fields(t, err); len(got) != 1 || got[0] != "coverageIds" {
		t.Errorf("Reorder of nothing: fields %v", got)
	}
	_, err = w.app.Coverages.ListEligibilityChecks(w.ctx, app.ListEligibilityChecks{PatientID: w.patient.ID, CoverageID: "c"})
	if got := errstest.Fields(t, err); len(got) != 1 || got[0] != "coverageId" {
		t.Errorf("ListEligibilityChecks with a bad id: fields %v", got)
	}
	_, err = w.app.Coverages.List(w.ctx, app.ListCoverages{PatientID: w.patient.ID, PageToken: "garbage"})
	errstest.Check(t, err, false, errs.KindInvalid, "")
}
