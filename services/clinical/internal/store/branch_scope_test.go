package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// TestPatientsAreBranchScoped: a transaction of a user limited to one
// branch (migration 00008) finds only that branch's patients, and only
// their coverages and written orders; it cannot create a patient in
// another branch or move one there. An unrestricted user of the company
// sees both branches.
func TestPatientsAreBranchScoped(t *testing.T) {
	t.Parallel()
	_, s, _ := clinicaltest.NewStore(t)
	company, atl, bos := uuid.NewString(), uuid.NewString(), uuid.NewString()
	all := usecasetest.As(company, uuid.NewString(), "intake")
	scoped := usecasetest.AsScoped(company, uuid.NewString(), []string{atl}, "intake")
	now := time.Now().UTC().Truncate(time.Microsecond)
	newPatient := func(last, branch string) *domain.Patient {
		p, err := domain.NewPatient(uuid.NewString(), company, domain.PatientValues{
			FirstName: "Ada", LastName: last, BirthDate: civil.Date{Year: 1950, Month: time.March, Day: 4}, Sex: domain.SexFemale,
			HomeAddress: contact.Address{Line1: "1 Main St", City: "Atlanta", State: "GA", PostalCode: "30303"}, BranchID: branch,
		}, civil.Of(now), now)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	inAtl, _, err := s.CreatePatient(scoped, newPatient("Atlanta", atl), false, "", nil)
	if err != nil {
		t.Fatalf("CreatePatient in the user's branch: %v", err)
	}
	inBos, _, err := s.CreatePatient(all, newPatient("Boston", bos), false, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	rx := newPrescriber(t, all, s, company, "1234567893")
	order := newOrder(t, company, inBos.ID, rx.ID, day("2025-01-15"), 12)
	if _, _, err := s.CreateWrittenOrder(all, order, "", nil); err != nil {
		t.Fatal(err)
	}
	coverage := createCoverage(t, all, s, inBos, "W123456789")

	_, err = s.GetPatient(scoped, inBos.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = s.GetWrittenOrder(scoped, order.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = s.GetCoverage(scoped, inBos.ID, coverage.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if got, err := s.PatientCoverages(scoped, inBos.ID); err != nil || len(got) != 0 {
		t.Errorf("scoped PatientCoverages of another branch's patient = %v, %v", got, err)
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want int
	}{{"scoped", scoped, 1}, {"unrestricted", all, 2}} {
		ctx := c.ctx
		got, err := s.FindPatients(ctx, app.PatientQuery{ShowInactive: true, Limit: 10})
		if err != nil || len(got) != c.want {
			t.Errorf("%s FindPatients = %d patients, %v; want %d", c.name, len(got), err, c.want)
		}
		orders, err := s.ListWrittenOrders(ctx, app.WrittenOrderQuery{Today: day("2025-02-01"), Limit: 10})
		if err != nil || len(orders) != c.want-1 {
			t.Errorf("%s ListWrittenOrders = %d orders, %v; want %d", c.name, len(orders), err, c.want-1)
		}
	}

	_, _, err = s.CreatePatient(scoped, newPatient("Elsewhere", bos), true, "", nil)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = s.UpdatePatient(scoped, inAtl.ID, func(p *domain.Patient) error { p.BranchID = bos; return nil })
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if got, err := s.GetPatient(all, inAtl.ID); err != nil || got.BranchID != atl || got.Version != 1 {
		t.Errorf("after the refused move: %v, %v", got, err)
	}
}
