package outbox_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	amqp "github.com/rabbitmq/amqp091-go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// The event benchmark's loads. Each phase runs for benchSeconds
// (BENCH_EVENT_SECONDS, default 10).
const (
	// latencyRate is the offered load of the latency phase, events/s, each
	// in a transaction of its own as a use case commits it.
	latencyRate = 1000
	// latencyWarmup events are left out of the percentiles: the first
	// rounds fill connection pools and prepare statements.
	latencyWarmup = 500
	// writersInFlight is the concurrency of the saturation and write-cost
	// phases (the mesh benchmark's, too).
	writersInFlight = 16
	// backlogEvents is the backlog the drain phase publishes, committed
	// in transactions of backlogTxEvents.
	backlogEvents   = 30000
	backlogTxEvents = 100
)

// benchSeconds is how long each timed phase runs.
func benchSeconds() int {
	if s, err := strconv.Atoi(os.Getenv("BENCH_EVENT_SECONDS")); err == nil && s > 0 {
		return s
	}
	return 10
}

// BenchmarkEventPipeline measures events from commit to consumer through
// the real pieces: a use case's transaction (one domain insert and one
// outbox row), the relay (LISTEN/NOTIFY, batches under FOR UPDATE SKIP
// LOCKED, publisher confirms), RabbitMQ (a durable quorum queue), and a
// consumer applying each event once through the inbox in its own
// transaction. An event counts as consumed when that transaction has
// committed. It prints:
//
//   - commit-to-consumer latency p50/p99/max at 1,000 events/s;
//   - events/s through relay, broker and consumer, both while 16 writers
//     commit as fast as they can and when a committed backlog drains;
//   - the cost of the outbox write as the ratio of a use case's
//     transactions/s to pgbench running the same statements at the same
//     concurrency in the same run.
//
// It runs once whatever b.N is (make bench passes -benchtime 1x); the
// figures are printed, never asserted.
func BenchmarkEventPipeline(b *testing.B) {
	d := time.Duration(benchSeconds()) * time.Second

	goWrites := measureWrites(b, d)
	pgWrites := pgbenchWrites(b, d)

	p := newPipeline(b)
	lat := p.latencyAt(b, latencyRate, d)
	latStages := p.stages.take()
	sat := p.saturate(b, d)
	satStages := p.stages.take()
	drain := p.drainBacklog(b)
	drainStages := p.stages.take()

	fmt.Printf("\nEvent pipeline (relay -> RabbitMQ quorum queue -> inbox consumer), %s per phase\n", d)
	fmt.Printf("commit-to-consumer latency at %d events/s: p50 %s, p99 %s, max %s over %d events (aim p99 < 50ms)\n",
		latencyRate, lat.p50.Round(10*time.Microsecond), lat.p99.Round(10*time.Microsecond),
		lat.max.Round(10*time.Microsecond), lat.n)
	fmt.Printf("  of which commit to broker confirm (relay): p50 %s, p99 %s\n",
		lat.toConfirm.p50.Round(10*time.Microsecond), lat.toConfirm.p99.Round(10*time.Microsecond))
	fmt.Printf("saturated, %d writers: committed %.0f events/s, consumed %.0f events/s, backlog at the end %d (drained in %s)\n",
		writersInFlight, sat.committed, sat.consumed, sat.backlog, sat.drained.Round(time.Millisecond))
	fmt.Printf("backlog of %d events drained at %.0f events/s (aim >= 5000)\n", backlogEvents, drain)
	fmt.Printf("%-10s %s\n%-10s %s\n%-10s %s\n", "latency", latStages, "saturated", satStages, "backlog", drainStages)
	fmt.Printf("\nOutbox write, %d in flight: one transaction = tenant, domain insert, outbox insert, commit\n", writersInFlight)
	fmt.Printf("%-34s %10s %10s %10s\n", "writer", "tx/s", "p50", "p99")
	for _, r := range []writeResult{goWrites, pgWrites} {
		fmt.Printf("%-34s %10.0f %10s %10s\n", r.name, r.tps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
	}
	fmt.Printf("ratio outbox.Append/pgbench = %.3f\n", goWrites.tps/pgWrites.tps)
}

// effectsMigration is the consumer's domain table, tenant-owned like any
// service's, next to the producer's notes.
const effectsMigration = `
-- +goose Up
create table effects (
    event_id   uuid primary key,
    company_id uuid not null,
    seq        bigint not null
);
alter table effects enable row level security;
alter table effects force row level security;
create policy tenant_isolation on effects
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
do $$ begin execute format('grant select, insert on effects to %I', current_schema() || '_app'); end $$;
`

// pipeline is a producer, its relay and a consumer on one schema and a
// fresh exchange and queue of the local broker.
type pipeline struct {
	// db is the producer's, consumerDB the consumer's.
	db, consumerDB *postgres.DB
	relay          *outbox.Relay
	bus            *bus.AMQP
	sub            bus.Subscription
	nextSeq        atomic.Int64
	// committed[seq], confirmed[seq] and consumed[seq] are the Unix
	// nanoseconds of the producer's commit, of the broker's confirm to the
	// relay and of the consumer's commit; the later ones may be written
	// before the earlier ones.
	committed, confirmed, consumed []atomic.Int64
	consumedCount                  atomic.Int64
	// stopRelay stops the running relay.
	stopRelay func()
	stages    stages
}

// seqCapacity bounds the sequence numbers one benchmark run hands out:
// generous for the phases above on any machine this runs on.
const seqCapacity = 4_000_000

func newPipeline(b *testing.B) *pipeline {
	b.Helper()
	s := pgtest.NewSchema(b, fstest.MapFS{
		"00001_notes.sql":   &fstest.MapFile{Data: []byte(notesMigration)},
		"00002_effects.sql": &fstest.MapFile{Data: []byte(effectsMigration)},
	})
	url := os.Getenv("AMQP_URL")
	if url == "" {
		url = "amqp://guest:guest@127.0.0.1:5672/"
	}
	suffix := randomName(b)
	exchange, queue := "outboxbench."+suffix, "outboxbench."+suffix
	b.Cleanup(func() { deleteBrokerObjects(b, url, exchange, queue) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := bus.Open(ctx, bus.Config{URL: url, Exchange: exchange, ConnectionName: "outboxbench-" + suffix})
	if err != nil {
		b.Fatalf("RabbitMQ at AMQP_URL (default local): %v", err)
	}
	b.Cleanup(func() { _ = a.Close() })
	// The producing service's pool serves its writers and its relay; the
	// consuming service has a pool of its own, as two services would.
	producer := writerPool(b, s)
	consumer := pgtest.OpenPool(b, postgres.Config{URL: s.AppURL, Schema: s.Name, MaxConns: 4})
	p := &pipeline{
		db: postgres.NewDB(producer), consumerDB: postgres.NewDB(consumer), bus: a,
		sub:       bus.Subscription{Queue: queue, Bindings: []string{"#"}, Prefetch: 128, MaxBatch: 64, DeliveryLimit: 5},
		committed: make([]atomic.Int64, seqCapacity),
		confirmed: make([]atomic.Int64, seqCapacity),
		consumed:  make([]atomic.Int64, seqCapacity),
	}
	relay, err := outbox.NewRelay(outbox.RelayConfig{Pool: producer, Schema: s.Name, Publisher: confirmClock{a, p}})
	if err != nil {
		b.Fatal(err)
	}
	p.relay = relay
	p.startConsumer(b)
	p.stopRelay = p.startRelay(b)
	return p
}

// startRelay runs the relay until b ends, or until the returned function
// is called.
func (p *pipeline) startRelay(b *testing.B) (stop func()) {
	return runUntil(b, "relay", p.relay.Run)
}

// startConsumer consumes until b ends. Each batch is applied through the
// inbox; its events count as consumed once the batch has committed.
func (p *pipeline) startConsumer(b *testing.B) {
	apply := func(ctx context.Context, d bus.Delivery) error {
		seq, err := decodeSeq(d)
		if err != nil {
			return err
		}
		tx, _ := postgres.TxFromContext(ctx)
		_, err = tx.Exec(ctx, "insert into effects (event_id, company_id, seq) values ($1, $2, $3)", d.ID, d.CompanyID, seq)
		return err
	}
	applyOnce := inbox.Handler(p.consumerDB, "outboxbench", apply)
	handler := func(ctx context.Context, batch []bus.Delivery) error {
		defer p.stages.consumer.note(len(batch), time.Now())
		if err := applyOnce(ctx, batch); err != nil {
			return err
		}
		now := time.Now().UnixNano()
		for _, d := range batch {
			if seq, err := decodeSeq(d); err == nil && p.consumed[seq].CompareAndSwap(0, now) {
				p.consumedCount.Add(1)
			}
		}
		return nil
	}
	runUntil(b, "consumer", func(ctx context.Context) error { return p.bus.Consume(ctx, p.sub, handler) })
}

// stage counts one stage's calls (relay publishes, consumer batches), the
// events they carried and the time they took.
type stage struct{ calls, events, nanos atomic.Int64 }

func (s *stage) note(events int, start time.Time) {
	s.calls.Add(1)
	s.events.Add(int64(events))
	s.nanos.Add(int64(time.Since(start)))
}

// stages is what the relay's publishes and the consumer's batches did in a
// phase: how the pipeline batched under that load.
type stages struct{ publish, consumer stage }

// take returns a phase's figures and starts counting the next phase.
func (s *stages) take() string {
	line := func(name string, st *stage) string {
		calls, events, nanos := st.calls.Swap(0), st.events.Swap(0), st.nanos.Swap(0)
		if calls == 0 {
			return name + ": none"
		}
		return fmt.Sprintf("%s: %d calls of %.1f events, %s each", name, calls,
			float64(events)/float64(calls), time.Duration(nanos/calls).Round(10*time.Microsecond))
	}
	return line("relay publish+confirm", &s.publish) + "; " + line("consumer batch", &s.consumer)
}

// confirmClock is the relay's publisher, noting when the broker confirmed
// each event.
type confirmClock struct {
	bus.Publisher
	p *pipeline
}

func (c confirmClock) Publish(ctx context.Context, msgs []bus.Message) []error {
	start := time.Now()
	errs := c.Publisher.Publish(ctx, msgs)
	c.p.stages.publish.note(len(msgs), start)
	now := time.Now().UnixNano()
	for i, m := range msgs {
		if i < len(errs) && errs[i] == nil {
			if seq, err := decodeSeq(bus.Delivery{Message: m}); err == nil {
				c.p.confirmed[seq].CompareAndSwap(0, now)
			}
		}
	}
	return errs
}

func decodeSeq(d bus.Delivery) (int64, error) {
	var v wrapperspb.Int64Value
	if err := proto.Unmarshal(d.Payload, &v); err != nil {
		return 0, fmt.Errorf("payload of %s: %w", d.ID, err)
	}
	if v.Value < 0 || v.Value >= seqCapacity {
		return 0, fmt.Errorf("payload of %s: sequence %d out of range", d.ID, v.Value)
	}
	return v.Value, nil
}

// commit runs one use case's unit of work, a note and n events, and
// records the events' commit time.
func (p *pipeline) commit(b *testing.B, n int) {
	ctx := tenantCtx(companyA)
	seqs := make([]int64, n)
	msgs := make([]bus.Message, n)
	for i := range msgs {
		seqs[i] = p.nextSeq.Add(1) - 1
		if seqs[i] >= seqCapacity {
			b.Errorf("more than %d events: raise seqCapacity", seqCapacity)
			return
		}
		m, err := outbox.NewMessage(ctx, "notes", "notes.note.created.v1", companyA, wrapperspb.Int64(seqs[i]), time.Now())
		if err != nil {
			b.Error(err)
			return
		}
		msgs[i] = m
	}
	if err := noteWithEvents(ctx, p.db, msgs...); err != nil {
		b.Error(err)
		return
	}
	now := time.Now().UnixNano()
	for _, s := range seqs {
		p.committed[s].Store(now)
	}
}

// noteWithEvents is a use case's unit of work: a note of ctx's company
// and msgs, committed together.
func noteWithEvents(ctx context.Context, db *postgres.DB, msgs ...bus.Message) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := postgres.TxFromContext(ctx)
		if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'bench')", uuid.New(), companyA); err != nil {
			return err
		}
		return outbox.AppendFromContext(ctx, msgs...)
	})
}

// waitConsumed waits until every event handed out so far was consumed and
// returns how long that took.
func (p *pipeline) waitConsumed(b *testing.B) time.Duration {
	start := time.Now()
	want := p.nextSeq.Load()
	for p.consumedCount.Load() < want {
		if time.Since(start) > 2*time.Minute {
			b.Fatalf("%d of %d events consumed after 2 minutes", p.consumedCount.Load(), want)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// latency is the commit-to-consumer distribution of one phase.
type latency struct {
	n             int
	p50, p99, max time.Duration
	// toConfirm is the share from commit to the broker's confirm.
	toConfirm struct{ p50, p99 time.Duration }
}

// latencyAt commits events one per transaction at rate per second for d
// (after a warm-up), on a schedule that does not wait for commits (eight
// writers take the due events), and reports commit-to-consumer latency.
func (p *pipeline) latencyAt(b *testing.B, rate int, d time.Duration) latency {
	first := p.nextSeq.Load()
	total := latencyWarmup + rate*int(d/time.Second)
	due := make(chan struct{}, total)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range due {
				p.commit(b, 1)
			}
		})
	}
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := range total {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		due <- struct{}{}
	}
	close(due)
	wg.Wait()
	p.waitConsumed(b)
	var lat, confirm []time.Duration
	for s := first + latencyWarmup; s < p.nextSeq.Load(); s++ {
		lat = append(lat, time.Duration(p.consumed[s].Load()-p.committed[s].Load()))
		confirm = append(confirm, time.Duration(p.confirmed[s].Load()-p.committed[s].Load()))
	}
	slices.Sort(lat)
	slices.Sort(confirm)
	l := latency{n: len(lat), p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[len(lat)-1]}
	l.toConfirm.p50, l.toConfirm.p99 = percentile(confirm, 50), percentile(confirm, 99)
	return l
}

// saturation is what the pipeline carried while writers committed as fast
// as they could.
type saturation struct {
	committed, consumed float64 // events/s over the phase
	backlog             int64   // committed but not consumed when the writers stopped
	drained             time.Duration
}

// saturate runs writersInFlight writers, one event per transaction, for d
// while the relay and consumer run, and counts what got through.
func (p *pipeline) saturate(b *testing.B, d time.Duration) saturation {
	seq0, consumed0 := p.nextSeq.Load(), p.consumedCount.Load()
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range writersInFlight {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				p.commit(b, 1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	committed, consumed := p.nextSeq.Load()-seq0, p.consumedCount.Load()-consumed0
	return saturation{
		committed: float64(committed) / elapsed,
		consumed:  float64(consumed) / elapsed,
		backlog:   committed - consumed,
		drained:   p.waitConsumed(b),
	}
}

// drainBacklog stops the relay, commits backlogEvents events, starts the
// relay again and reports the events/s from then until the consumer has
// applied the last one.
func (p *pipeline) drainBacklog(b *testing.B) float64 {
	p.waitConsumed(b)
	p.stopRelay()
	var wg sync.WaitGroup
	per := backlogEvents / backlogTxEvents / writersInFlight
	for range writersInFlight {
		wg.Go(func() {
			for range per {
				p.commit(b, backlogTxEvents)
			}
		})
	}
	wg.Wait()
	n := per * writersInFlight * backlogTxEvents
	start := time.Now()
	p.stopRelay = p.startRelay(b)
	p.waitConsumed(b)
	return float64(n) / time.Since(start).Seconds()
}

// writeResult is one writer's throughput and latency.
type writeResult struct {
	name     string
	tps      float64
	p50, p99 time.Duration
}

// measureWrites runs the use case's unit of work (tenant, note, one outbox
// event through outbox.Append) from writersInFlight goroutines for d, with
// no relay running, on a schema of its own.
func measureWrites(b *testing.B, d time.Duration) writeResult {
	db := postgres.NewDB(writerPool(b, pgtest.NewSchema(b, fstest.MapFS{"00001_notes.sql": &fstest.MapFile{Data: []byte(notesMigration)}})))
	ctx := tenantCtx(companyA)
	var (
		mu  sync.Mutex
		lat []time.Duration
		wg  sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for range writersInFlight {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) {
				m, err := outbox.NewMessage(ctx, "notes", "notes.note.created.v1", companyA, wrapperspb.Int64(1), time.Now())
				if err != nil {
					b.Error(err)
					return
				}
				t0 := time.Now()
				if err := noteWithEvents(ctx, db, m); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return writeResult{
		name: "outbox.Append (Go, pgx)",
		tps:  float64(len(lat)) / elapsed.Seconds(),
		p50:  percentile(lat, 50), p99: percentile(lat, 99),
	}
}

// writerPool is a runtime-role pool with a connection for each writer and
// one for the relay, as a service sized for the load would have: pgbench
// gets a connection per client too.
func writerPool(b *testing.B, s pgtest.Schema) *pgxpool.Pool {
	return pgtest.OpenPool(b, postgres.Config{URL: s.AppURL, Schema: s.Name, MaxConns: writersInFlight + 1})
}

// pgbenchScript is the same transaction as measureWrites', in SQL: the
// tenant, the domain insert, the outbox insert with a payload of the same
// size.
var pgbenchScript = `BEGIN;
SELECT set_config('ariesone.company_id', '` + companyA + `', true);
INSERT INTO notes (id, company_id, body) VALUES (gen_random_uuid(), '` + companyA + `', 'bench');
INSERT INTO outbox (id, type, payload_type, company_id, source, occur_time, payload)
  VALUES (gen_random_uuid(), 'notes.note.created.v1', 'google.protobuf.Int64Value', '` + companyA + `', 'notes', now(), '\x0801'::bytea);
COMMIT;
`

// pgbenchWrites runs pgbenchScript as the runtime role (row-level security
// applies to it as to the service) on a schema of its own.
func pgbenchWrites(b *testing.B, d time.Duration) writeResult {
	s := pgtest.NewSchema(b, fstest.MapFS{"00001_notes.sql": &fstest.MapFile{Data: []byte(notesMigration)}})
	script := filepath.Join(b.TempDir(), "outbox.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o600); err != nil {
		b.Fatal(err)
	}
	r := pgtest.Pgbench(b, s.AppURL, []string{"PGOPTIONS=-c search_path=" + s.Name},
		"-n", "-M", "prepared", "-c", strconv.Itoa(writersInFlight), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())), "-f", script)
	return writeResult{name: "pgbench, same statements (SQL)", tps: r.TPS, p50: r.Percentile(50), p99: r.Percentile(99)}
}

// percentile returns the q-th percentile of sorted durations.
func percentile(sorted []time.Duration, q int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*q/100)]
}

// runUntil runs loop until b ends or the returned function is called; a
// loop that fails fails the benchmark.
func runUntil(b *testing.B, name string, loop func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := loop(ctx); err != nil && ctx.Err() == nil {
			b.Errorf("%s: %v", name, err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	b.Cleanup(stop)
	return stop
}

func randomName(b *testing.B) string {
	buf := make([]byte, 6)
	if _, err := rand.Read(buf); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(buf)
}

// deleteBrokerObjects removes the benchmark's queue, dead-letter queue and
// exchanges.
func deleteBrokerObjects(b *testing.B, url, exchange, queue string) {
	conn, err := amqp.Dial(url)
	if err != nil {
		b.Errorf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		b.Errorf("cleanup: %v", err)
		return
	}
	defer ch.Close()
	for _, q := range []string{queue, queue + ".dlq"} {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil {
			b.Errorf("cleanup queue %s: %v", q, err)
			return
		}
	}
	for _, x := range []string{exchange, exchange + ".dlx"} {
		if err := ch.ExchangeDelete(x, false, false); err != nil {
			b.Errorf("cleanup exchange %s: %v", x, err)
			return
		}
	}
}
