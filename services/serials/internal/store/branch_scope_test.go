package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// TestUnitsAreBranchScoped: a transaction of a user limited to one
// warehouse (migration 00006) finds only the units held there, reads no
// history of another warehouse's unit, and cannot receive a unit into
// another warehouse; an unrestricted user of the company sees both.
func TestUnitsAreBranchScoped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	here := w.receive(t, "SN-HERE-1", w.wh1)
	there := w.receive(t, "SN-THERE-1", w.wh2)
	scoped := usecasetest.AsScoped(w.company, "scoped-user", []string{w.wh1}, "warehouse")

	if _, err := w.store.GetUnit(scoped, here.ID); err != nil {
		t.Errorf("GetUnit of the user's warehouse: %v", err)
	}
	_, err := w.store.GetUnit(scoped, there.ID)
	if !errs.Is(err, errs.KindNotFound) {
		t.Errorf("GetUnit of another warehouse = %v, want NOT_FOUND", err)
	}
	_, err = w.store.ListTransactions(scoped, there.ID, nil, 10)
	if !errs.Is(err, errs.KindNotFound) {
		t.Errorf("ListTransactions of another warehouse's unit = %v, want NOT_FOUND", err)
	}
	ids := func(us []*domain.Unit) []string {
		out := make([]string, len(us))
		for i, u := range us {
			out[i] = u.ID
		}
		slices.Sort(out)
		return out
	}
	list, err := w.store.ListUnits(scoped, app.UnitQuery{Limit: 10})
	if err != nil || !slices.Equal(ids(list), []string{here.ID}) {
		t.Errorf("scoped ListUnits = %v, %v; want only %s", ids(list), err, here.ID)
	}
	list, err = w.store.ListUnits(w.ctx, app.UnitQuery{Limit: 10})
	if want := ids([]*domain.Unit{here, there}); err != nil || !slices.Equal(ids(list), want) {
		t.Errorf("unrestricted ListUnits = %v, %v; want %v", ids(list), err, want)
	}

	u := &domain.Unit{ID: uuid.NewString(), CompanyID: w.company, ItemID: w.item, Class: domain.ClassEquipment,
		SerialNumber: "SN-THERE-2", Status: domain.StatusOnHand, WarehouseID: w.wh2, Version: 1,
		UpdateTime: time.Now().UTC().Truncate(time.Microsecond)}
	_, _, err = w.store.ReceiveUnit(scoped, u, "scoped-user", "", nil)
	if !errs.Is(err, errs.KindNotFound) {
		t.Errorf("ReceiveUnit into another warehouse = %v, want NOT_FOUND", err)
	}
	if _, err := w.store.GetUnit(w.ctx, u.ID); !errs.Is(err, errs.KindNotFound) {
		t.Errorf("the refused unit exists: %v", err)
	}
}
