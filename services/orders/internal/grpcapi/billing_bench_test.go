package grpcapi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

// benchRentals is how many active rental lines BenchmarkBillingRun bills;
// BENCH_BILLING_RENTALS overrides.
func benchRentals() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_BILLING_RENTALS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedRentals writes, behind the service's back, n capped rentals of
// company delivered on dos: orders of twenty lines (an order's most), the
// lines, and each line's rental with its first month due.
func seedRentals(b *testing.B, db pgtest.Schema, company string, n int, dos civil.Date) {
	b.Helper()
	ctx := context.Background()
	for _, sql := range []string{`
		insert into orders (id, company_id, patient_id, branch_id, warehouse_id, written_order_id, prescriber_id,
			order_date, diagnoses, status, ordering_npi, rendering_npi)
		select gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),
			gen_random_uuid(), $2, '{G4733}', 'delivered', '1234567893', '1987654328'
		from generate_series(1, ($3 + 19) / 20)`, `
		insert into order_lines (id, company_id, order_id, position, item_id, serialized, hcpcs, modifiers, quantity, type,
			diagnosis_pointers, serial_number, unit_id, billable_cents, allowable_cents, billing_start_date)
		select gen_random_uuid(), $1, o.id, p, gen_random_uuid(), true, 'E0601', '{KX}', 1, 'capped_rental', '{1}',
			'SN' || o.id || p, gen_random_uuid(), 12000, 9500, $2
		from orders o, generate_series(0, 19) p
		where o.company_id = $1`, `
		insert into rentals (line_id, company_id, order_id, patient_id, type, date_of_service, next_due, coverage_id,
			payer_id, coverage_rank, ordering_npi, rendering_npi, hcpcs, modifiers, quantity, billable_cents,
			allowable_cents, diagnosis_codes, serial_number, unit_id)
		select l.id, $1, l.order_id, o.patient_id, 'capped_rental', $2, $2, gen_random_uuid(), gen_random_uuid(),
			1, '1234567893', '1987654328', 'E0601', '{KX}', 1, 12000, 9500, '{G4733}', l.serial_number, l.unit_id
		from order_lines l join orders o on o.id = l.order_id
		where l.company_id = $1
		order by l.id
		limit $3`,
		`analyze orders`, `analyze order_lines`, `analyze rentals`,
	} {
		var args []any
		switch {
		case strings.Contains(sql, "$3"):
			args = []any{company, postgres.Date(dos), n}
		case strings.Contains(sql, "$1"):
			args = []any{company, postgres.Date(dos)}
		}
		if _, err := db.Super.Exec(ctx, sql, args...); err != nil {
			b.Fatalf("seed rentals: %v", err)
		}
	}
}

// BenchmarkBillingRun bills 100,000 active rental lines with one month
// due each: the billing run reads them a thousand at a time under row
// locks, decides each month, and writes per batch the claim lines, the
// rentals' new state and a ClaimLineCreated event per line in the outbox,
// in one transaction. In the same run pgbench inserts the same rows (a
// thousand claim lines and a thousand outbox events per transaction, as
// the runtime role) into a schema of its own; the ratio of the two is
// printed, never asserted. It runs once whatever b.N is (make bench
// passes -benchtime 1x).
func BenchmarkBillingRun(b *testing.B) {
	e := orderstest.NewWithEvents(b, service.UseCaseEvents(outbox.NewRecorder("orders", nil)))
	company := uuid.NewString()
	n := benchRentals()
	dos := civil.Date{Year: 2026, Month: time.January, Day: 31}
	seedRentals(b, e.DB, company, n, dos)
	setDay(e, dos)
	ctx := orderstest.Caller(company, "billing")
	b.ResetTimer()
	start := time.Now()
	run, err := e.App.Claims.RunBilling(ctx, dos)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if run.Created != n {
		b.Fatalf("billing run created %d claim lines, want %d", run.Created, n)
	}
	rate := float64(n) / elapsed.Seconds()
	pg := pgbenchClaimInserts(b, company, n)
	fmt.Printf("\nbilling run over %d active rental lines, one month due each\n", n)
	fmt.Printf("%-52s %12s %10s\n", "load", "lines/s", "elapsed")
	fmt.Printf("%-52s %12.0f %10s\n", "billing run (read, decide, claim lines, rentals, outbox)", rate, elapsed.Round(time.Millisecond))
	fmt.Printf("%-52s %12.0f %10s\n", "pgbench, the same rows inserted (SQL)", pg.rate, pg.elapsed.Round(time.Millisecond))
	fmt.Printf("ratio billing run/pgbench = %.3f (aim >= 0.5)\n", rate/pg.rate)
	b.ReportMetric(rate, "lines/s")
	b.ReportMetric(rate/pg.rate, "x-pgbench")
}

// pgbenchClaimScript inserts, in one transaction as the runtime role, what
// one batch of the billing run inserts: a thousand claim lines of the
// row's shape (a distinct period each, so the unique key is exercised as
// in the run) and a thousand outbox events of ClaimLineCreated's size.
const pgbenchClaimScript = `BEGIN;
SELECT set_config('ariesone.company_id', ':company', true);
INSERT INTO claim_lines (id, company_id, order_id, order_line_id, billing_month, patient_id, coverage_id, payer_id,
  coverage_rank, ordering_npi, rendering_npi, hcpcs, modifiers, units, period_from, period_through, charge_cents,
  expected_cents, diagnosis_codes, place_of_service, serial_number, create_time)
SELECT gen_random_uuid(), ':company', ':order', ':line', 1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1,
  '1234567893', '1987654328', 'E0601', '{RR,KH,KX}', 1, date '1900-01-01' + (s.n * 1000 + g)::int,
  date '1900-01-01' + (s.n * 1000 + g)::int + 27, 12000, 9500, '{G4733}', '12', 'SN' || g, now()
FROM generate_series(1, 1000) g, (SELECT nextval('bench_batch') AS n) s;
INSERT INTO outbox (id, type, payload_type, company_id, source, occur_time, payload)
SELECT gen_random_uuid(), 'orders.claim_line.created.v1', 'ariesone.orders.v1.ClaimLineCreated', ':company', 'orders', now(),
  decode(repeat('ab', 230), 'hex')
FROM generate_series(1, 1000);
COMMIT;
`

// claimInserts is what pgbenchClaimInserts measured.
type claimInserts struct {
	rate    float64
	elapsed time.Duration
}

// pgbenchClaimInserts inserts n claim lines and n events with
// pgbenchClaimScript on an orders schema of its own, one client, as the
// billing run is one, and returns rows per second.
func pgbenchClaimInserts(b *testing.B, company string, n int) claimInserts {
	db, _ := orderstest.NewStore(b)
	dos := civil.Date{Year: 2026, Month: time.January, Day: 31}
	seedRentals(b, db, company, 1, dos)
	var order, line string
	if err := db.Super.QueryRow(context.Background(), `select order_id::text, line_id::text from rentals`).Scan(&order, &line); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Super.Exec(context.Background(), `create sequence bench_batch; grant usage on sequence bench_batch to orders_app`); err != nil {
		b.Fatal(err)
	}
	script := filepath.Join(b.TempDir(), "claims.sql")
	body := strings.NewReplacer(":company", company, ":order", order, ":line", line).Replace(pgbenchClaimScript)
	if err := os.WriteFile(script, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	transactions := max(1, n/1000)
	start := time.Now()
	pg := pgtest.Pgbench(b, db.AppURL, []string{"PGOPTIONS=-c search_path=" + db.Name},
		"-n", "-c", "1", "-t", strconv.Itoa(transactions), "-f", script)
	elapsed := time.Since(start)
	return claimInserts{rate: pg.TPS * 1000, elapsed: elapsed}
}
