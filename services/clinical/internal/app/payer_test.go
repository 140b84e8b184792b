package app_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// TestCreatePlanRequestIDIsBoundToItsPayer: a plan create retried with its
// request id returns the first plan, and the same id sent for another
// payer's plan is a different request, refused.
func TestCreatePlanRequestIDIsBoundToItsPayer(t *testing.T) {
	t.Parallel()
	w := newCoverageWorld(t, nil)
	other, err := w.app.Payers.Create(w.ctx, app.CreatePayer{Values: domain.PayerValues{Name: "Palmetto", PayerCode: "11502", Type: domain.PayerMedicare}})
	if err != nil {
		t.Fatal(err)
	}
	key := uuid.NewString()
	cmd := app.CreatePlan{PayerID: w.payer.ID, Values: domain.PlanValues{Name: "Part B"}, RequestID: key}
	first, err := w.app.Payers.CreatePlan(w.ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.app.Payers.CreatePlan(w.ctx, cmd)
	if err != nil || again.ID != first.ID {
		t.Errorf("retry = %v, %v; want plan %s", again, err, first.ID)
	}
	cmd.PayerID = other.ID
	_, err = w.app.Payers.CreatePlan(w.ctx, cmd)
	errstest.Check(t, err, false, errs.KindInvalid, "REQUEST_ID_REUSED")
	if got := errstest.Fields(t, err); len(got) != 1 || got[0] != "requestId" {
		t.Errorf("fields = %v", got)
	}
}

func TestPayerCommandsRefuseBadIDs(t *testing.T) {
	t.Parallel()
	w := newCoverageWorld(t, nil)
	_, err := w.app.Payers.GetPlan(w.ctx, "payer", uuid.NewString())
	if got := errstest.Fields(t, err); len(got) != 1 || got[0] != "payerId" {
		t.Errorf("GetPlan with a bad payer id: fields %v", got)
	}
	_, err = w.app.Payers.UpdatePlan(w.ctx, app.UpdatePlan{PayerID: w.payer.ID, ID: "plan"})
	if got := errstest.Fields(t, err); len(got) != 1 || got[0] != "plan.id" {
		t.Errorf("UpdatePlan with a bad id: fields %v", got)
	}
	_, err = w.app.Payers.List(w.ctx, app.ListPayers{PageSize: -1})
	errstest.Check(t, err, false, errs.KindInvalid, "")
}
