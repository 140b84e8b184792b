package grpcapi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

// createInFlight is the concurrency of BenchmarkCreateOrder.
const createInFlight = 16

// benchDuration is how long each load runs; BENCH_LOAD_SECONDS overrides.
func benchDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("BENCH_LOAD_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 10 * time.Second
}

// BenchmarkCreateOrder is the orders service's share of drafting an order
// of three lines: the whole interceptor chain (audit records kept in
// memory), the draft's checks (the other services answered in process),
// three prices looked up, the order, its lines and its event in the
// outbox in one transaction; 16 calls in flight for a fixed time. In the
// same run, pgbench drives the same inserts in one transaction as the
// runtime role, and the ratio of the two is printed, never asserted. It
// runs once whatever b.N is (make bench passes -benchtime 1x).
func BenchmarkCreateOrder(b *testing.B) {
	e := orderstest.NewWithEvents(b, service.UseCaseEvents(outbox.NewRecorder("orders", nil)))
	tn := newTenant(b, e)
	order := cpapOrder(tn.world)
	order.Lines = append(order.Lines, &ordersv1.OrderLine{ItemId: tn.world.Mask.ID, Quantity: 1,
		Type: ordersv1.LineType_LINE_TYPE_RECURRING_SALE, DiagnosisPointers: []int32{1}})
	req := &ordersv1.CreateOrderRequest{Order: order}
	if _, err := e.Orders.CreateOrder(tn.intake, req); err != nil {
		b.Fatal(err)
	}
	d := benchDuration()
	b.ResetTimer()
	var (
		mu     sync.Mutex
		lat    []time.Duration
		failed int
		wg     sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(tn.intake, d)
	defer cancel()
	start := time.Now()
	for range createInFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				if _, err := e.Orders.CreateOrder(ctx, req); err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						failed++
						mu.Unlock()
					}
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	rps := float64(len(lat)) / time.Since(start).Seconds()
	b.StopTimer()
	slices.Sort(lat)
	pg := pgbenchCreateOrder(b, tn.company, d)
	fmt.Printf("\nCreateOrder (3 lines, outbox, audit), %d in flight, %s each\n", createInFlight, d)
	fmt.Printf("%-34s %10s %10s %10s %8s\n", "load", "orders/s", "p50", "p99", "errors")
	fmt.Printf("%-34s %10.0f %10s %10s %8d\n", "gRPC CreateOrder (orders service)", rps,
		percentile(lat, 50).Round(time.Microsecond), percentile(lat, 99).Round(time.Microsecond), failed)
	fmt.Printf("%-34s %10.0f %10s %10s %8d\n", "pgbench, same inserts (SQL)", pg.TPS,
		pg.Percentile(50).Round(time.Microsecond), pg.Percentile(99).Round(time.Microsecond), 0)
	fmt.Printf("ratio CreateOrder/pgbench = %.3f (aim >= 0.5)\n", rps/pg.TPS)
	b.ReportMetric(rps, "orders/s")
	b.ReportMetric(rps/pg.TPS, "x-pgbench")
}

// pgbenchCreateOrderScript is CreateOrder's transaction in SQL: the
// tenant, the order, its three lines, its event in the outbox with a
// payload of the size the service writes.
const pgbenchCreateOrderScript = `BEGIN;
SELECT set_config('ariesone.company_id', ':company', true);
WITH o AS (
  INSERT INTO orders (id, company_id, patient_id, branch_id, warehouse_id, written_order_id, prescriber_id, coverages,
    order_date, diagnoses, status, price_list_id)
  VALUES (gen_random_uuid(), ':company', gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),
    gen_random_uuid(), '[{"rank": 1, "coverageId": "0195f3a2-0000-7000-8000-000000000001", "payerId": "0195f3a2-0000-7000-8000-000000000002"}]',
    current_date, '{G4733}', 'draft', gen_random_uuid())
  RETURNING id)
INSERT INTO order_lines (id, company_id, order_id, position, item_id, serialized, hcpcs, modifiers, quantity, type,
  diagnosis_pointers, billable_cents, allowable_cents)
SELECT gen_random_uuid(), ':company', o.id, p, gen_random_uuid(), false, 'A7030', '{RR}', 1, 'one_time_sale', '{1}', 5000, 4000
  FROM o, generate_series(0, 2) AS p;
INSERT INTO outbox (id, type, payload_type, company_id, source, occur_time, payload)
  VALUES (gen_random_uuid(), 'orders.order.created.v1', 'ariesone.orders.v1.OrderChanged', ':company', 'orders', now(),
    decode(repeat('ab', 420), 'hex'));
COMMIT;
`

// pgbenchCreateOrder runs the script as the runtime role (row-level
// security applies to it as to the service) on an orders schema of its
// own.
func pgbenchCreateOrder(b *testing.B, company string, d time.Duration) pgtest.PgbenchResult {
	db, _ := orderstest.NewStore(b)
	script := filepath.Join(b.TempDir(), "create_order.sql")
	if err := os.WriteFile(script, []byte(strings.ReplaceAll(pgbenchCreateOrderScript, ":company", company)), 0o600); err != nil {
		b.Fatal(err)
	}
	return pgtest.Pgbench(b, db.AppURL, []string{"PGOPTIONS=-c search_path=" + db.Name},
		"-n", "-M", "prepared", "-c", strconv.Itoa(createInFlight), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())), "-f", script)
}

// percentile returns the q-th percentile of sorted durations.
func percentile(sorted []time.Duration, q int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*q/100)]
}
