package outbox_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/outbox"
)

// newRelay builds a relay on the fixture's runtime pool. The poll interval
// is a minute unless cfg says otherwise, so a test that sees events move
// within waitLimit saw something other than polling move them.
func newRelay(t testing.TB, f fixture, pub bus.Publisher, cfg outbox.RelayConfig) *outbox.Relay {
	t.Helper()
	cfg.Pool = f.app.Pool()
	cfg.Schema = f.schema
	cfg.Publisher = pub
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Minute
	}
	relay, err := outbox.NewRelay(cfg)
	if err != nil {
		t.Fatalf("NewRelay: %v", err)
	}
	return relay
}

// unsentIDs lists the events not yet marked sent, in publish order.
func unsentIDs(t testing.TB, f fixture) []string {
	t.Helper()
	rows, err := f.super.Query(context.Background(), "select id::text from outbox where sent_at is null order by seq")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRelayPublishesEveryEventOnceInAppendOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var want []bus.Message
	for i, tenant := range []string{companyA, companyB, "", companyA} {
		batch := []bus.Message{newEvent(t, tenant, fmt.Sprint(i, "a")), newEvent(t, tenant, fmt.Sprint(i, "b"))}
		appendInTx(t, f, tenant, batch...)
		want = append(want, batch...)
	}
	pub := newRecordingPublisher()
	// A batch smaller than the backlog: order must hold across rounds.
	relay := newRelay(t, f, pub, outbox.RelayConfig{BatchSize: 3})

	n, err := relay.PublishPending(context.Background())
	if err != nil {
		t.Fatalf("PublishPending: %v", err)
	}
	if n != len(want) {
		t.Errorf("PublishPending confirmed %d, want %d", n, len(want))
	}
	if diff := cmp.Diff(want, pub.waitConfirmed(t, len(want)), equateEmpty); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if got := unsentIDs(t, f); len(got) != 0 {
		t.Errorf("unsent after publishing: %v", got)
	}
	// Sent events are not published again.
	if n, err := relay.PublishPending(context.Background()); err != nil || n != 0 {
		t.Errorf("second PublishPending = %d, %v; want 0, nil", n, err)
	}
	if got := len(pub.confirmedIDs()); got != len(want) {
		t.Errorf("%d events confirmed in all, want %d", got, len(want))
	}
}

// retryState is what the outbox says about a failing event.
type retryState struct {
	attempts  int
	lastError string
	// delay is how far in the future the next attempt lies, as seen by
	// the database right after the round.
	delay time.Duration
}

func readRetryState(t *testing.T, f fixture, id string) retryState {
	t.Helper()
	var s retryState
	var delaySec float64
	err := f.super.QueryRow(context.Background(), `
		select attempts, coalesce(last_error, ''), extract(epoch from next_attempt_at - now())::float8
		from outbox where id = $1`, id).Scan(&s.attempts, &s.lastError, &delaySec)
	if err != nil {
		t.Fatal(err)
	}
	s.delay = time.Duration(delaySec * float64(time.Second))
	return s
}

// makeDue moves an event's next attempt to now, standing in for the wait.
func makeDue(t *testing.T, f fixture, id string) {
	t.Helper()
	if _, err := f.super.Exec(context.Background(), "update outbox set next_attempt_at = now() where id = $1", id); err != nil {
		t.Fatal(err)
	}
}

func TestRelayRetriesFailedEventsWithGrowingBackoff(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first, flaky, last := newEvent(t, companyA, "first"), newEvent(t, companyA, "flaky"), newEvent(t, companyA, "last")
	appendInTx(t, f, companyA, first, flaky, last)

	pub := newRecordingPublisher()
	pub.fail = func(m bus.Message, attempt int) error {
		if m.ID == flaky.ID && attempt <= 2 {
			return fmt.Errorf("attempt %d: %w", attempt, errRefused)
		}
		return nil
	}
	// Hours, so the bounds below hold however slow the machine.
	relay := newRelay(t, f, pub, outbox.RelayConfig{RetryBase: time.Hour, RetryMax: 16 * time.Hour})
	ctx := context.Background()

	if _, err := relay.PublishPending(ctx); err != nil {
		t.Fatalf("round 1: %v", err)
	}
	if diff := cmp.Diff([]string{first.ID, last.ID}, pub.confirmedIDs()); diff != "" {
		t.Errorf("confirmed after round 1 (-want +got):\n%s", diff)
	}
	s1 := readRetryState(t, f, flaky.ID)
	if s1.attempts != 1 || s1.lastError == "" || s1.delay < 30*time.Minute || s1.delay > time.Hour {
		t.Errorf("after 1 failure: %+v, want 1 attempt, an error, next attempt in [30m, 1h]", s1)
	}
	// Not due yet: nothing to publish.
	if n, err := relay.PublishPending(ctx); err != nil || n != 0 {
		t.Errorf("round before the retry is due = %d, %v; want 0, nil", n, err)
	}

	makeDue(t, f, flaky.ID)
	if _, err := relay.PublishPending(ctx); err != nil {
		t.Fatalf("round 2: %v", err)
	}
	s2 := readRetryState(t, f, flaky.ID)
	if s2.attempts != 2 || s2.delay < time.Hour || s2.delay > 2*time.Hour || s2.delay <= s1.delay {
		t.Errorf("after 2 failures: %+v (after 1: %+v), want 2 attempts, next attempt in [1h, 2h], later than before", s2, s1)
	}

	makeDue(t, f, flaky.ID)
	if _, err := relay.PublishPending(ctx); err != nil {
		t.Fatalf("round 3: %v", err)
	}
	if diff := cmp.Diff([]string{first.ID, last.ID, flaky.ID}, pub.confirmedIDs()); diff != "" {
		t.Errorf("confirmed after the retry (-want +got):\n%s", diff)
	}
	if got := unsentIDs(t, f); len(got) != 0 {
		t.Errorf("unsent after the retry: %v", got)
	}
}

func TestRunningRelayRetriesWhenDueWithoutWaitingForThePoll(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	flaky := newEvent(t, companyB, "flaky")
	pub := newRecordingPublisher()
	pub.fail = func(m bus.Message, attempt int) error {
		if attempt <= 3 {
			return errRefused
		}
		return nil
	}
	relay := newRelay(t, f, pub, outbox.RelayConfig{RetryBase: 10 * time.Millisecond, RetryMax: 40 * time.Millisecond})
	runRelay(t, relay)
	appendInTx(t, f, companyB, flaky)

	got := pub.waitConfirmed(t, 1)
	if diff := cmp.Diff([]string{flaky.ID}, ids(got)); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}
	pub.mu.Lock()
	attempts := pub.attempts[flaky.ID]
	pub.mu.Unlock()
	if attempts != 4 {
		t.Errorf("publish attempts = %d, want 4 (3 refused, then confirmed)", attempts)
	}
}

func TestRelayWakesOnNotification(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := newRecordingPublisher()
	reg := prometheus.NewRegistry()
	// Polling every minute: only a notification moves events within
	// waitLimit.
	relay := newRelay(t, f, pub, outbox.RelayConfig{Registerer: reg})
	stop := runRelay(t, relay)

	var want []bus.Message
	for i := range 3 {
		// Each append waits for the previous one to be published, so the
		// relay is idle, waiting on its next poll, when the event commits.
		e := newEvent(t, companyA, fmt.Sprint("wake ", i))
		appendInTx(t, f, companyA, e)
		want = append(want, e)
		if diff := cmp.Diff(ids(want), ids(pub.waitConfirmed(t, len(want)))); diff != "" {
			t.Fatalf("published (-want +got):\n%s", diff)
		}
	}
	stop()
	if got := metricValue(t, reg, "ariesone_outbox_published_total"); got != 3 {
		t.Errorf("ariesone_outbox_published_total = %v, want 3", got)
	}
}

// metricValue reads the value of a counter or gauge registered in reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != name || len(mf.GetMetric()) != 1 {
			continue
		}
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

func TestRelayListensAgainAfterItsConnectionDrops(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := newRecordingPublisher()
	relay := newRelay(t, f, pub, outbox.RelayConfig{})
	runRelay(t, relay)

	before := newEvent(t, companyA, "before")
	appendInTx(t, f, companyA, before)
	pub.waitConfirmed(t, 1)

	// Kill the listening session, as a failover or an idle-connection
	// reaper would.
	var killed int
	err := f.super.QueryRow(context.Background(), `
		select count(pg_terminate_backend(pid)) from pg_stat_activity
		where datname = current_database() and query ilike 'listen %'`).Scan(&killed)
	if err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening sessions, want 1", killed)
	}

	after := newEvent(t, companyA, "after")
	appendInTx(t, f, companyA, after)
	if diff := cmp.Diff([]string{before.ID, after.ID}, ids(pub.waitConfirmed(t, 2))); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

func TestRelaysShareTheWorkAndPublishEachEventOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const events, batch = 120, 10
	var want []string
	for i := range events / 10 {
		var msgs []bus.Message
		for j := range 10 {
			msgs = append(msgs, newEvent(t, companyA, fmt.Sprint(i, "/", j)))
		}
		appendInTx(t, f, companyA, msgs...)
		want = append(want, ids(msgs)...)
	}

	// Hold each relay's first batch until both relays hold one: they then
	// have rows locked at the same time, which is when SKIP LOCKED matters.
	// Without it the second relay would block (and the barrier time out),
	// or take the same rows.
	var (
		barrier  sync.WaitGroup
		released = make(chan struct{})
	)
	barrier.Add(2)
	go func() { barrier.Wait(); close(released) }()
	gated := func() func(context.Context) {
		var once sync.Once
		return func(ctx context.Context) {
			once.Do(func() {
				barrier.Done()
				select {
				case <-released:
				case <-time.After(waitLimit):
					t.Errorf("the other relay did not start publishing within %s", waitLimit)
				}
			})
		}
	}
	pubs := []*recordingPublisher{newRecordingPublisher(), newRecordingPublisher()}
	for _, p := range pubs {
		p.gate = gated()
		runRelay(t, newRelay(t, f, p, outbox.RelayConfig{BatchSize: batch}))
	}

	deadline := time.After(waitLimit)
	for {
		if len(unsentIDs(t, f)) == 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("%d events still unsent after %s", len(unsentIDs(t, f)), waitLimit)
		case <-pubs[0].changed:
		case <-pubs[1].changed:
		case <-time.After(100 * time.Millisecond):
		}
	}

	first := [2][]string{pubs[0].firstBatch(), pubs[1].firstBatch()}
	for _, id := range first[0] {
		if slices.Contains(first[1], id) {
			t.Errorf("event %s was in both relays' first batches", id)
		}
	}
	got := append(pubs[0].confirmedIDs(), pubs[1].confirmedIDs()...)
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events published by the two relays together (-want +got):\n%s", diff)
	}
}

func TestRelayPublishesToTheInProcessBus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mem := bus.NewMemory(bus.MemoryConfig{})

	var (
		mu       sync.Mutex
		received []bus.Message
		got      = make(chan struct{}, 1)
	)
	consumeCtx, stopConsuming := context.WithCancel(context.Background())
	consumed := make(chan error, 1)
	go func() {
		consumed <- mem.Consume(consumeCtx, bus.Subscription{Queue: "test.events", Bindings: []string{"notes.#"}, DeliveryLimit: 5},
			func(_ context.Context, batch []bus.Delivery) error {
				mu.Lock()
				defer mu.Unlock()
				for _, d := range batch {
					received = append(received, d.Message)
				}
				select {
				case got <- struct{}{}:
				default:
				}
				return nil
			})
	}()
	t.Cleanup(func() {
		stopConsuming()
		if err := <-consumed; err != nil {
			t.Errorf("Consume: %v", err)
		}
	})

	// Until the consumer has declared its queue the bus refuses events as
	// unroutable; the relay retries them.
	runRelay(t, newRelay(t, f, mem, outbox.RelayConfig{RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond}))
	want := []bus.Message{newEvent(t, companyA, "one"), newEvent(t, "", "two"), newEvent(t, companyA, "three")}
	appendInTx(t, f, companyA, want...)

	deadline := time.After(waitLimit)
	for {
		mu.Lock()
		n := len(received)
		mu.Unlock()
		if n >= len(want) {
			break
		}
		select {
		case <-got:
		case <-deadline:
			t.Fatalf("%d events consumed after %s, want %d", n, waitLimit, len(want))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, received, equateEmpty); diff != "" {
		t.Errorf("consumed (-want +got):\n%s", diff)
	}
}

func TestRelayStopsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := newRecordingPublisher()
	relay := newRelay(t, f, pub, outbox.RelayConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Already ended: Run still makes its last round, which publishes what
	// was committed before shutdown.
	e := newEvent(t, companyA, "at shutdown")
	appendInTx(t, f, companyA, e)
	if err := relay.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if diff := cmp.Diff([]string{e.ID}, pub.confirmedIDs()); diff != "" {
		t.Errorf("published at shutdown (-want +got):\n%s", diff)
	}
}

func TestNewRelayRejectsIncompleteConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := newRecordingPublisher()
	for name, cfg := range map[string]outbox.RelayConfig{
		"no pool":      {Schema: f.schema, Publisher: pub},
		"no publisher": {Pool: f.app.Pool(), Schema: f.schema},
		"no schema":    {Pool: f.app.Pool(), Publisher: pub},
		"max < base":   {Pool: f.app.Pool(), Schema: f.schema, Publisher: pub, RetryBase: time.Minute, RetryMax: time.Second},
	} {
		if _, err := outbox.NewRelay(cfg); err == nil {
			t.Errorf("%s: NewRelay succeeded", name)
		}
	}
}
