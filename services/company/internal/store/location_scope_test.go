package store_test

import (
	"slices"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/store"
	"github.com/ariesone/ariesone/services/company/internal/store/storetest"
)

// TestLocationsAreBranchScoped: a transaction of a user limited to one
// location (migration 00006) reads only that location, lists only it, and
// cannot create another; the owner, unrestricted, sees both.
func TestLocationsAreBranchScoped(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	tn := seed(t, s, "acme")
	atl := createLocation(t, s, tn, "ATL-01")
	bos := createLocation(t, s, tn, "BOS-01")
	scoped := usecasetest.AsScoped(tn.company.ID, newID(t), []string{atl.ID}, "admin")

	if _, err := s.GetLocation(scoped, atl.ID); err != nil {
		t.Errorf("GetLocation of the user's location: %v", err)
	}
	_, err := s.GetLocation(scoped, bos.ID)
	wantKind(t, err, errs.KindNotFound)
	ids := func(ls []*domain.Location) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = l.ID
		}
		return out
	}
	list, err := s.ListLocations(scoped, "", true, "", 10)
	if err != nil || !slices.Equal(ids(list), []string{atl.ID}) {
		t.Errorf("scoped list = %v, %v; want only %s", ids(list), err, atl.ID)
	}
	list, err = s.ListLocations(tn.ctx, "", true, "", 10)
	if err != nil || !slices.Equal(ids(list), []string{atl.ID, bos.ID}) {
		t.Errorf("owner's list = %v, %v; want both", ids(list), err)
	}
	_, _, err = s.CreateLocation(scoped, newLocation(t, tn, "CLT-01"), "", nil)
	wantKind(t, err, errs.KindNotFound)
	_, err = s.UpdateLocation(scoped, bos.ID, func(l *domain.Location) error { l.Name = "mine"; return nil })
	wantKind(t, err, errs.KindNotFound)
}
