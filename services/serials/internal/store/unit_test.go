package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
	"github.com/ariesone/ariesone/services/serials/internal/store"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

type world struct {
	db      pgtest.Schema
	store   *store.Store
	ctx     context.Context
	company string
	item    string
	wh1     string
	wh2     string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{db: pgtest.NewServiceSchema(t, "serials", migrations.FS), company: uuid.NewString(),
		item: uuid.NewString(), wh1: uuid.NewString(), wh2: uuid.NewString()}
	w.store = store.New(w.db.App)
	w.ctx = usecasetest.As(w.company, "warehouse-user", "warehouse")
	if _, err := w.db.Super.Exec(context.Background(), `insert into items (id, company_id, code, name, hcpcs)
		values ($1, $2, 'E0601-RS', 'CPAP', 'E0601')`, w.item, w.company); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) receive(t *testing.T, serial, warehouse string) *domain.Unit {
	t.Helper()
	u := &domain.Unit{ID: uuid.NewString(), CompanyID: w.company, ItemID: w.item, Class: domain.ClassEquipment,
		SerialNumber: serial, Status: domain.StatusOnHand, WarehouseID: warehouse, Version: 1,
		UpdateTime: time.Now().UTC().Truncate(time.Microsecond)}
	if _, _, err := w.store.ReceiveUnit(w.ctx, u, "warehouse-user", "", nil); err != nil {
		t.Fatalf("receive %s: %v", serial, err)
	}
	return u
}

// stockCounters reads the counters, and recount counts the units and
// replays the transaction log: the three must agree.
func (w *world) stockCounters(t *testing.T) (counters, recount, replayed map[string]int) {
	t.Helper()
	ctx := context.Background()
	read := func(sql string) map[string]int {
		rows, err := w.db.Super.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var key string
			var n int
			if err := rows.Scan(&key, &n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				out[key] = n
			}
		}
		return out
	}
	counters = read(`select warehouse_id::text || '/' || b, n from stock,
		lateral (values ('on_hand', on_hand), ('committed', committed), ('rented', rented), ('sold', sold), ('unavailable', unavailable)) v(b, n)`)
	bucket := `case status when 'on_hand' then 'on_hand' when 'reserved' then 'committed' when 'rented' then 'rented'
		when 'sold' then 'sold' when 'maintenance' then 'unavailable' when 'empty' then 'unavailable' when 'sent' then 'unavailable' end`
	recount = read(`select warehouse_id::text || '/' || ` + bucket + `, count(*) from units
		where ` + bucket + ` is not null group by 1`)
	// The last transaction of each unit says where it stands.
	replayed = read(`select to_warehouse_id::text || '/' || ` + lastBucket(bucket) + `, count(*) from (
			select distinct on (unit_id) to_warehouse_id, to_status from unit_transactions order by unit_id, occur_time desc, id desc
		) last where ` + lastBucket(bucket) + ` is not null group by 1`)
	return counters, recount, replayed
}

// lastBucket is bucket computed from a transaction's to_status.
func lastBucket(bucket string) string {
	return "(" + strings.ReplaceAll(bucket, "case status", "case to_status") + ")"
}

// TestConcurrentRentsOfOneUnit: two rents race for one unit; exactly one
// succeeds, the other is refused by the state machine, and the stock
// counts the unit once.
func TestConcurrentRentsOfOneUnit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for round := range 10 {
		u := w.receive(t, fmt.Sprintf("RACE%04d", round), w.wh1)
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = w.store.ApplyTransaction(w.ctx, u.ID,
					domain.UnitTransaction{Kind: domain.TxRent, PatientID: uuid.NewString(), Time: time.Now()}, "warehouse-user", nil)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errs.KindOf(err) != errs.KindFailedPrecondition:
				t.Errorf("round %d: the losing rent failed with %v, want FAILED_PRECONDITION", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d rents succeeded, want exactly 1 (%v)", round, ok, results)
		}
	}
	counters, recount, replayed := w.stockCounters(t)
	if want := map[string]int{w.wh1 + "/rented": 10}; !cmp.Equal(counters, want) || !cmp.Equal(recount, want) || !cmp.Equal(replayed, want) {
		t.Errorf("stock %v, recount %v, replayed log %v; want %v", counters, recount, replayed, want)
	}
}

// TestConcurrentMixedTransitionsKeepStockConsistent runs 50 concurrent
// workers applying random transactions to a few units across two
// warehouses; afterwards the counters equal a recount of the units and a
// replay of the transaction log.
func TestConcurrentMixedTransitionsKeepStockConsistent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var units []*domain.Unit
	for i := range 8 {
		wh := w.wh1
		if i%2 == 1 {
			wh = w.wh2
		}
		units = append(units, w.receive(t, fmt.Sprintf("MIX%04d", i), wh))
	}
	kinds := []domain.TransactionKind{domain.TxReserve, domain.TxCancelReservation, domain.TxRent, domain.TxReturn,
		domain.TxMaintenanceOut, domain.TxMaintenanceIn, domain.TxTransferOut, domain.TxTransferIn}
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied, refused := 0, 0
	for worker := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(worker), 7))
			for range 20 {
				u := units[rng.IntN(len(units))]
				tx := domain.UnitTransaction{Kind: kinds[rng.IntN(len(kinds))], PatientID: uuid.NewString(), Time: time.Now()}
				if tx.Kind == domain.TxTransferOut {
					tx.WarehouseID = w.wh1
					if rng.IntN(2) == 0 {
						tx.WarehouseID = w.wh2
					}
				}
				_, err := w.store.ApplyTransaction(w.ctx, u.ID, tx, "warehouse-user", nil)
				mu.Lock()
				switch {
				case err == nil:
					applied++
				case errs.KindOf(err) == errs.KindFailedPrecondition || errs.KindOf(err) == errs.KindInvalid:
					refused++
				default:
					t.Errorf("transaction %s: %v", tx.Kind, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	counters, recount, replayed := w.stockCounters(t)
	if !cmp.Equal(counters, recount) || !cmp.Equal(counters, replayed) {
		t.Errorf("stock counters %v, recount of units %v, replay of the log %v", counters, recount, replayed)
	}
	if applied < 100 {
		t.Errorf("only %d of 1000 transactions applied (%d refused); the test exercises too little", applied, refused)
	}
	t.Logf("%d transactions applied, %d refused by the state machine", applied, refused)
}
