package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

var today = civil.Of(time.Now().UTC())

func reserveTx(line string) domain.UnitTransaction {
	return domain.UnitTransaction{Kind: domain.TxReserve, OrderLineID: line, Time: time.Now()}
}

// reserve asks for any free unit of the world's item in warehouse for line.
func (w *world) reserve(t *testing.T, line, warehouse string) (app.Transition, bool) {
	t.Helper()
	tr, held, err := w.store.ReserveUnit(w.ctx, app.Reservation{OrderLineID: line, ItemID: w.item, WarehouseID: warehouse, Today: today},
		reserveTx(line), "billing-user", nil)
	if err != nil {
		t.Fatalf("reserve for %s: %v", line, err)
	}
	return tr, held
}

// transactions counts the log's transactions of kind.
func (w *world) transactions(t *testing.T, kind domain.TransactionKind) int {
	t.Helper()
	var n int
	if err := w.db.Super.QueryRow(context.Background(), `select count(*) from unit_transactions where kind = $1`, string(kind)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReserveUnitPicksAFreeUnit: without a serial, the reservation takes
// a unit on hand in the warehouse that is not recalled, whose maintenance
// is not overdue and whose lot has not expired, the soonest-expiring lot
// first; when none is left there is no unit and nothing is written.
func TestReserveUnitPicksAFreeUnit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bg := context.Background()
	set := func(u *domain.Unit, sql string, args ...any) {
		t.Helper()
		if _, err := w.db.Super.Exec(bg, `update units set `+sql+` where id = $1`, append([]any{u.ID}, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	recalled := w.receive(t, "FREE0001", w.wh1)
	set(recalled, "recalled = true")
	overdue := w.receive(t, "FREE0002", w.wh1)
	set(overdue, "next_maintenance_due = $2", time.Now().AddDate(0, 0, -2))
	expired := w.receive(t, "FREE0003", w.wh1)
	set(expired, "lot_expiry = $2", time.Now().AddDate(0, 0, -2))
	w.receive(t, "FREE0004", w.wh2) // another warehouse
	rented := w.receive(t, "FREE0005", w.wh1)
	if _, err := w.store.ApplyTransaction(w.ctx, rented.ID, domain.UnitTransaction{Kind: domain.TxRent, PatientID: uuid.NewString(), Time: time.Now()}, "u", nil); err != nil {
		t.Fatal(err)
	}
	later := w.receive(t, "FREE0006", w.wh1)
	set(later, "lot_expiry = $2", time.Now().AddDate(1, 0, 0))
	sooner := w.receive(t, "FREE0007", w.wh1)
	set(sooner, "lot_expiry = $2", time.Now().AddDate(0, 1, 0))
	noLot := w.receive(t, "FREE0008", w.wh1)

	var got []string
	for i := range 4 {
		tr, held := w.reserve(t, uuid.NewString(), w.wh1)
		if held {
			t.Fatalf("reservation %d: a new line holds a unit already", i)
		}
		if tr.Unit == nil {
			got = append(got, "none")
			continue
		}
		got = append(got, tr.Unit.SerialNumber)
		if tr.Unit.Status != domain.StatusReserved || tr.FromStatus != domain.StatusOnHand {
			t.Errorf("reservation %d: %s → %s", i, tr.FromStatus, tr.Unit.Status)
		}
	}
	if want := []string{sooner.SerialNumber, later.SerialNumber, noLot.SerialNumber, "none"}; !cmp.Equal(got, want) {
		t.Errorf("reserved %v, want %v", got, want)
	}
	if n := w.transactions(t, domain.TxReserve); n != 3 {
		t.Errorf("%d RESERVE transactions, want 3", n)
	}
	counters, recount, replayed := w.stockCounters(t)
	if !cmp.Equal(counters, recount) || !cmp.Equal(counters, replayed) {
		t.Errorf("stock counters %v, recount of units %v, replay of the log %v", counters, recount, replayed)
	}
}

// TestReserveUnitByOrderLine: the order line is the reservation's key: a
// line holding a unit gets it back and nothing is written; release frees
// it and clears the line; a second release finds nothing. A named serial
// is taken (after the check the caller gives), whatever the order.
func TestReserveUnitByOrderLine(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	first := w.receive(t, "KEY0001", w.wh1)
	named := w.receive(t, "KEY0002", w.wh1)
	line := uuid.NewString()

	tr, held := w.reserve(t, line, w.wh1)
	if held || tr.Unit == nil || tr.Unit.ID != first.ID || tr.Unit.OrderLineID != line {
		t.Fatalf("first reservation = %+v, held %v; want %s reserved for the line", tr.Unit, held, first.ID)
	}
	again, held := w.reserve(t, line, w.wh1)
	if !held || again.Unit.ID != first.ID || again.Unit.Version != tr.Unit.Version {
		t.Errorf("second reservation = %+v, held %v; want the first unit unchanged", again.Unit, held)
	}
	if n := w.transactions(t, domain.TxReserve); n != 1 {
		t.Errorf("%d RESERVE transactions, want 1", n)
	}

	release := domain.UnitTransaction{Kind: domain.TxCancelReservation, OrderLineID: line, Time: time.Now()}
	out, err := w.store.ReleaseReservation(w.ctx, line, release, "billing-user")
	if err != nil || out.Unit == nil || out.Unit.ID != first.ID || out.Unit.Status != domain.StatusOnHand || out.Unit.OrderLineID != "" {
		t.Fatalf("release = %+v, %v; want %s on hand without a line", out.Unit, err, first.ID)
	}
	out, err = w.store.ReleaseReservation(w.ctx, line, release, "billing-user")
	if err != nil || out.Unit != nil {
		t.Errorf("second release = %+v, %v; want nothing", out.Unit, err)
	}

	other := uuid.NewString()
	checked := ""
	tr, _, err = w.store.ReserveUnit(w.ctx, app.Reservation{OrderLineID: other, ItemID: w.item, WarehouseID: w.wh1,
		SerialNumber: named.SerialNumber, Today: today}, reserveTx(other), "billing-user",
		func(u *domain.Unit) error { checked = u.SerialNumber; return nil })
	if err != nil || tr.Unit == nil || tr.Unit.ID != named.ID || checked != named.SerialNumber {
		t.Errorf("reserve by serial = %+v, %v (checked %q); want %s", tr.Unit, err, checked, named.ID)
	}
	refused := uuid.NewString()
	_, _, err = w.store.ReserveUnit(w.ctx, app.Reservation{OrderLineID: refused, ItemID: w.item, WarehouseID: w.wh1,
		SerialNumber: first.SerialNumber, Today: today}, reserveTx(refused), "billing-user",
		func(u *domain.Unit) error { return errs.Unmet("NOPE", "refused by the check") })
	if errs.KindOf(err) != errs.KindFailedPrecondition {
		t.Errorf("a reservation the check refuses = %v; want its FAILED_PRECONDITION", err)
	}
	tr, _, err = w.store.ReserveUnit(w.ctx, app.Reservation{OrderLineID: refused, ItemID: w.item, WarehouseID: w.wh1,
		SerialNumber: "NOSUCH", Today: today}, reserveTx(refused), "billing-user", nil)
	if err != nil || tr.Unit != nil {
		t.Errorf("reserve an unknown serial = %+v, %v; want no unit", tr.Unit, err)
	}
}

// TestReservationSkipsLockedUnits: a unit another transaction holds locked
// is skipped, not waited for: the reservation takes the next one.
func TestReservationSkipsLockedUnits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	locked := w.receive(t, "LOCK0001", w.wh1)
	next := w.receive(t, "LOCK0002", w.wh1)
	bg := context.Background()
	tx, err := w.db.Super.Begin(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(bg) }()
	if _, err := tx.Exec(bg, `select 1 from units where id = $1 for update`, locked.ID); err != nil {
		t.Fatal(err)
	}
	tr, _ := w.reserve(t, uuid.NewString(), w.wh1)
	if tr.Unit == nil || tr.Unit.ID != next.ID {
		t.Errorf("reserved %+v while %s was locked; want %s", tr.Unit, locked.SerialNumber, next.SerialNumber)
	}
}

// TestConcurrentReservations: lines reserving at once each get a unit of
// their own, never one unit twice; requests for one line at once reserve
// one unit between them; lines beyond the stock get none.
func TestConcurrentReservations(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const units = 12
	for i := range units {
		w.receive(t, fmt.Sprintf("CONC%04d", i), w.wh1)
	}
	lines := make([]string, units+4)
	for i := range lines {
		lines[i] = uuid.NewString()
	}
	type result struct {
		line, unit string
	}
	results := make(chan result, 3*len(lines))
	var wg sync.WaitGroup
	for _, line := range lines {
		for range 3 { // every line asks three times at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				tr, _, err := w.store.ReserveUnit(w.ctx, app.Reservation{OrderLineID: line, ItemID: w.item, WarehouseID: w.wh1, Today: today},
					reserveTx(line), "billing-user", nil)
				if err != nil {
					t.Errorf("reserve for %s: %v", line, err)
					return
				}
				unit := ""
				if tr.Unit != nil {
					unit = tr.Unit.ID
				}
				results <- result{line, unit}
			}()
		}
	}
	wg.Wait()
	close(results)
	byLine := map[string]string{}
	for r := range results {
		if got, seen := byLine[r.line]; seen && got != r.unit && got != "" && r.unit != "" {
			t.Errorf("line %s got two units: %s and %s", r.line, got, r.unit)
		}
		if r.unit != "" || byLine[r.line] == "" {
			byLine[r.line] = r.unit
		}
	}
	holders := map[string]string{}
	withUnit := 0
	for line, unit := range byLine {
		if unit == "" {
			continue
		}
		withUnit++
		if other, taken := holders[unit]; taken {
			t.Errorf("unit %s reserved for lines %s and %s", unit, other, line)
		}
		holders[unit] = line
	}
	if withUnit != units {
		t.Errorf("%d lines got a unit, want %d (one per unit)", withUnit, units)
	}
	if n := w.transactions(t, domain.TxReserve); n != units {
		t.Errorf("%d RESERVE transactions, want %d", n, units)
	}
	counters, recount, replayed := w.stockCounters(t)
	if want := map[string]int{w.wh1 + "/committed": units}; !cmp.Equal(counters, want) || !cmp.Equal(recount, want) || !cmp.Equal(replayed, want) {
		t.Errorf("stock %v, recount %v, replayed log %v; want %v", counters, recount, replayed, want)
	}
}

// TestListUnitsByPatient: the patient filter keeps the units the patient
// now rents or owns, in serial order across pages; one returned is no
// longer the patient's.
func TestListUnitsByPatient(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p1, p2 := uuid.NewString(), uuid.NewString()
	move := func(u *domain.Unit, kind domain.TransactionKind, patient string) {
		t.Helper()
		if _, err := w.store.ApplyTransaction(w.ctx, u.ID, domain.UnitTransaction{Kind: kind, PatientID: patient, Time: time.Now()}, "u", nil); err != nil {
			t.Fatalf("%s %s: %v", kind, u.SerialNumber, err)
		}
	}
	var want []string
	for i, serial := range []string{"PAT0005", "PAT0001", "PAT0004", "PAT0002", "PAT0003"} {
		u := w.receive(t, serial, w.wh1)
		switch i {
		case 0, 2:
			move(u, domain.TxRent, p1)
			want = append(want, serial)
		case 1:
			move(u, domain.TxSell, p1)
			want = append(want, serial)
		case 3:
			move(u, domain.TxRent, p2)
		case 4: // rented by p1 and returned: no longer p1's
			move(u, domain.TxRent, p1)
			move(u, domain.TxReturn, "")
		}
	}
	var got []string
	var after []string
	for {
		page, err := w.store.ListUnits(w.ctx, app.UnitQuery{PatientID: p1, After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page {
			got = append(got, u.SerialNumber)
		}
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		after = []string{last.SerialNumber, last.ID}
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("p1's units (-want +got):\n%s", diff)
	}
	all, err := w.store.ListUnits(w.ctx, app.UnitQuery{Limit: 10})
	if err != nil || len(all) != 5 {
		t.Errorf("without the filter: %d units, %v; want 5", len(all), err)
	}
}
