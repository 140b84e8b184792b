package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// BenchmarkMeshSustained is the mesh under a sustained mixed read load:
// GetPatient (PHI: its record is committed before the answer leaves),
// ValidateSerial warm and GetLocation, each at 16 in flight over gRPC for
// BENCH_LOAD_SECONDS (make bench: 60), all at once, beside pgbench -S
// measured in the same run. It prints each call's throughput, p50/p99 and
// ratio to pgbench, notify's ingest (records appended per second, on
// average and at best in one second), and the trail's lag when the load
// stops and how long the trail takes to hold every record. Then it stops
// notify, runs the load for a third as long so that a backlog of records
// waits in notify's queue, starts notify and prints how fast it appends
// them (its ingest when draining). With
// BENCH_PROFILE_DIR set it also saves and prints a CPU profile of each
// loaded service (see captureProfiles). It runs once whatever b.N is and
// asserts nothing.
func BenchmarkMeshSustained(b *testing.B) {
	env := []string{"RATE_LIMIT_READ=1000000/s:1000000", "RATE_LIMIT_EDGE=1000000/s:1000000", "LOG_LEVEL=warn"}
	if profileDir() != "" {
		env = append(env, "PPROF_ENABLED=true")
	}
	m := startMesh(b, env...)
	m.bootstrap("bench", "owner@bench.test", ownerPassword)
	token := login(b, m, "bench", "owner@bench.test", ownerPassword).str("accessToken")
	branch := m.call(http.MethodPost, "/api/v1/locations", token, newLocation("BENCH-01")).expect(b, http.StatusOK, "create location").str("id")
	patient := m.call(http.MethodPost, "/api/v1/patients", token, intakePatient(branch)).expect(b, http.StatusOK, "create patient").str("id")
	whID := receiveWarmUnit(b, m, token)
	db := pgtest.OpenPool(b, postgres.Config{URL: m.adminURL})

	d := loadDuration()
	pg := pgbenchSelectOnly(b, d)

	loads := []func(d time.Duration) result{
		func(d time.Duration) result {
			return ghzUnary(b, "GetPatient (PHI, durable record)", m.clinical, "ariesone.clinical.v1.PatientService/GetPatient", patient, token, d)
		},
		func(d time.Duration) result {
			return ghzLoad(b, "ValidateSerial warm", m.serials, "ariesone.serials.v1.UnitService/ValidateSerial",
				`{"serial_number":"WARM-1","operation":"UNIT_TRANSACTION_KIND_RENT","warehouse_id":"`+whID+`"}`, token, d)
		},
		func(d time.Duration) result {
			return ghzUnary(b, "GetLocation", m.grpc, "ariesone.company.v1.LocationService/GetLocation", branch, token, d)
		},
	}
	runLoads := func(d time.Duration) []result {
		results := make([]result, len(loads))
		var wg sync.WaitGroup
		for i, load := range loads {
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = load(d) }()
		}
		wg.Wait()
		return results
	}

	before := trailCount(b, db)
	samples := make(chan float64, 1)
	ctx, stopSampling := context.WithCancel(context.Background())
	go func() { samples <- bestIngest(ctx, db) }()
	report := captureProfiles(b, m, profileDir(), profiledServices, "", d/4, d/2)
	start := time.Now()
	results := runLoads(d)
	stopped := time.Now()
	atStop := trailCount(b, db)
	lagAtStop := metricValue(b, m.notifyMetrics, "audit_trail_lag_seconds")
	queuedAtStop := metricValue(b, m.notifyMetrics, "notify_events_queue_messages")
	caughtUp := waitForTrail(b, m, db, atStop, false)
	final, drained := caughtUp.final, caughtUp.last
	if drained.IsZero() {
		drained = stopped
	}
	stopSampling()
	best := <-samples

	fmt.Printf("\nSustained mixed read load through the mesh, %d in flight per call, %s\n", loadInFlight, d)
	fmt.Printf("%-34s %12s %10s %10s %8s %10s\n", "load", "req/s", "p50", "p99", "errors", "/pgbench")
	for _, r := range append([]result{pg}, results...) {
		fmt.Printf("%-34s %12.0f %10s %10s %8d %10.3f\n", r.name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors, r.rps/pg.rps)
	}
	records := final - before
	fmt.Printf("trail: %d records; ingest %.0f records/s over the run, best one second %.0f records/s\n",
		records, float64(records)/drained.Sub(start).Seconds(), best)
	fmt.Printf("trail at load stop: lag %.2fs, %0.f events queued, %d records still to append; caught up %s after the load stopped (aim: lag < 2s)\n",
		lagAtStop, queuedAtStop, final-atStop, drained.Sub(stopped).Round(100*time.Millisecond))
	fmt.Printf("aims: GetPatient >= 0.20x and ValidateSerial warm >= 0.40x pgbench -S, p99 < 10ms\n")
	report()

	// A backlog: notify is stopped while the same load runs for a third
	// of the time (records pile up in its queue), then started; the rate
	// at which it appends them, from its first append to its last, is its
	// ingest when draining.
	m.kill("notify")
	backlogLoad := max(d/3, 10*time.Second)
	runLoads(backlogLoad)
	queued := trailCount(b, db)
	m.restart("notify")
	m.waitHTTP(m.notifyMetrics)
	drainReport := captureProfiles(b, m, profileDir(), []string{"notify"}, "-draining", 0, 3*time.Second)
	drain := waitForTrail(b, m, db, queued, true)
	span := max(drain.last.Sub(drain.first), time.Millisecond)
	fmt.Printf("backlog: %d records queued by %s of load with notify stopped; after its start it appended them over %s: %.0f records/s draining (aim >= 20,000)\n",
		drain.final-queued, backlogLoad, span.Round(10*time.Millisecond), float64(drain.final-drain.atFirst)/span.Seconds())
	drainReport()
}

// settled is how the trail's count moved until it settled.
type settled struct {
	final, atFirst int64     // the count at the end and at its first move
	first, last    time.Time // the first and last moves; zero if none
}

// waitForTrail polls the trail's count every 100 ms from from until it has
// not moved for a second with notify's queue empty; with mustMove it also
// waits for the first move (a restarted notify reports an empty queue
// before its first sample).
func waitForTrail(b *testing.B, m *mesh, db *pgxpool.Pool, from int64, mustMove bool) settled {
	b.Helper()
	s := settled{final: from}
	quiet := time.Now()
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		if n := trailCount(b, db); n != s.final {
			if s.first.IsZero() {
				s.first, s.atFirst = time.Now(), n
			}
			s.final, s.last, quiet = n, time.Now(), time.Now()
			continue
		}
		if (!mustMove || !s.first.IsZero()) && time.Since(quiet) >= time.Second &&
			metricValue(b, m.notifyMetrics, "notify_events_queue_messages") == 0 {
			return s
		}
	}
	b.Fatalf("the trail did not settle within 10 minutes (at %d records)", s.final)
	return s
}

// countTrail is how many records notify's trail holds.
func countTrail(ctx context.Context, db *pgxpool.Pool) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, `select count(*) from notify.audit_records`).Scan(&n)
	return n, err
}

// trailCount is countTrail, failing the benchmark on an error.
func trailCount(b *testing.B, db *pgxpool.Pool) int64 {
	b.Helper()
	n, err := countTrail(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// bestIngest samples the trail's count every second until ctx ends and
// returns the most records appended in one second.
func bestIngest(ctx context.Context, db *pgxpool.Pool) float64 {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last, best := int64(-1), 0.0
	for {
		select {
		case <-ctx.Done():
			return best
		case <-t.C:
		}
		n, err := countTrail(ctx, db)
		if err != nil {
			continue
		}
		if last >= 0 {
			best = max(best, float64(n-last))
		}
		last = n
	}
}

// metricValue reads one unlabelled sample from a /metrics page; -1 when it
// is absent.
func metricValue(b *testing.B, url, name string) float64 {
	b.Helper()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}
