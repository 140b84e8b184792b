package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

func payerCaller() (context.Context, string) {
	company := uuid.NewString()
	return identity.NewContext(context.Background(), identity.Principal{Subject: uuid.NewString(), CompanyID: company}), company
}

func TestPayerStoreRoundTripUniqueCodeAndTenancy(t *testing.T) {
	t.Parallel()
	_, s, _ := clinicaltest.NewStore(t)
	ctx, company := payerCaller()
	now := time.Now().UTC().Truncate(time.Microsecond)
	p, err := domain.NewPayer(uuid.NewString(), company, domain.PayerValues{Name: "Noridian", PayerCode: "16013", Type: domain.PayerMedicare}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreatePayer(ctx, p, "", nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetPayer(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("GetPayer (-stored +read):\n%s", diff)
	}
	dup, _ := domain.NewPayer(uuid.NewString(), company, domain.PayerValues{Name: "Again", PayerCode: "16013", Type: domain.PayerOther}, now)
	_, _, err = s.CreatePayer(ctx, dup, "", nil)
	errstest.Check(t, err, false, errs.KindAlreadyExists, "")

	plan, err := domain.NewPlan(uuid.NewString(), p, domain.PlanValues{Name: "Part B", PlanCode: "B"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreatePlan(ctx, plan, "", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetPlan(ctx, "", plan.ID); err != nil || !cmp.Equal(plan, got) {
		t.Errorf("GetPlan(any payer) = %+v, %v", got, err)
	}
	_, err = s.GetPlan(ctx, uuid.NewString(), plan.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")

	// Another company: nothing is visible, and its own code may repeat.
	other, otherCompany := payerCaller()
	_, err = s.GetPayer(other, p.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = s.GetPlan(other, "", plan.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = s.UpdatePayer(other, p.ID, func(*domain.Payer) error { return nil })
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if list, err := s.ListPayers(other, app.PayerQuery{ShowInactive: true, Limit: 10}); err != nil || len(list) != 0 {
		t.Errorf("another company's ListPayers = %v, %v", list, err)
	}
	mine, _ := domain.NewPayer(uuid.NewString(), otherCompany, domain.PayerValues{Name: "Noridian", PayerCode: "16013", Type: domain.PayerMedicare}, now)
	if _, _, err := s.CreatePayer(other, mine, "", nil); err != nil {
		t.Errorf("the same code in another company: %v", err)
	}
	// A plan may not be filed under another company's payer.
	stray, _ := domain.NewPlan(uuid.NewString(), p, domain.PlanValues{Name: "Stray"}, now)
	stray.CompanyID = otherCompany
	if _, _, err := s.CreatePlan(other, stray, "", nil); err == nil {
		t.Error("a plan was filed under another company's payer")
	}
}
