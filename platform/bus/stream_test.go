package bus

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The stream behaviours both implementations share are written once, like
// behaviours, and run for RabbitMQ and for the in-process bus.

// streamSubject is one implementation of streams under test, fresh for each
// test.
type streamSubject struct {
	// pub publishes to the exchange the streams are bound to.
	pub Publisher
	// replica returns a subscriber standing for one more process: over
	// RabbitMQ a bus with a connection of its own, in process the same bus.
	replica func(t *testing.T) StreamSubscriber
	// stream returns a stream name unused by any other test.
	stream func(t *testing.T) string
	// resolution is how finely From is honoured: RabbitMQ takes whole
	// seconds.
	resolution time.Duration
}

var streamBehaviours = []struct {
	name string
	run  func(t *testing.T, s streamSubject)
}{
	{"EveryReplicaReadsEveryBoundMessage", testStreamFanOut},
	{"LateReplicaReadsBackToFrom", testStreamFrom},
	{"AttachedAfterBacklog", testStreamAttachedAfterBacklog},
	{"HandlerErrorSkipsTheMessage", testStreamHandlerError},
	{"RefusesWhatCannotWork", testStreamRefuses},
}

func TestStreamAMQP(t *testing.T) {
	t.Parallel()
	for _, b := range streamBehaviours {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := newBrokerSubject(t, nil)
			b.run(t, streamSubject{
				pub:        s.bus,
				replica:    func(t *testing.T) StreamSubscriber { return s.replica(t, s.url) },
				stream:     s.stream,
				resolution: time.Second,
			})
		})
	}
}

func TestStreamMemory(t *testing.T) {
	t.Parallel()
	for _, b := range streamBehaviours {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			m := NewMemory(MemoryConfig{})
			b.run(t, streamSubject{
				pub:        m,
				replica:    func(*testing.T) StreamSubscriber { return m },
				stream:     func(t *testing.T) string { return "memory.stream." + randomSuffix(t) },
				resolution: time.Millisecond,
			})
		})
	}
}

// streamConsumer records what one ConsumeStream handed over and what it
// reported through attached.
type streamConsumer struct {
	mu      sync.Mutex
	got     []Delivery
	reports []attachReport
	changed chan struct{}
}

// attachReport is one call of attached, with how many messages the
// handler had taken by then.
type attachReport struct {
	attached bool
	handled  int
}

// startStream runs ConsumeStream in the background until the test ends,
// recording every message its handler takes; check, when set, may refuse a
// batch first. The test fails if ConsumeStream returns an error or returns
// without reporting attached(false).
func startStream(t *testing.T, s StreamSubscriber, sub StreamSubscription, check func([]Delivery) error) *streamConsumer {
	t.Helper()
	c := &streamConsumer{changed: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.ConsumeStream(ctx, sub, func(_ context.Context, batch []Delivery) error {
			if check != nil {
				if err := check(batch); err != nil {
					return err
				}
			}
			c.update(func() { c.got = append(c.got, batch...) })
			return nil
		}, func(attached bool) {
			c.update(func() { c.reports = append(c.reports, attachReport{attached, len(c.got)}) })
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ConsumeStream: %v", err)
		}
		if r := c.snapshotReports(); len(r) > 0 && r[len(r)-1].attached {
			t.Error("ConsumeStream returned with the consumer still reported attached")
		}
	})
	return c
}

func (c *streamConsumer) update(f func()) {
	c.mu.Lock()
	f()
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

func (c *streamConsumer) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.got))
	for i, d := range c.got {
		out[i] = d.ID
	}
	return out
}

func (c *streamConsumer) snapshotReports() []attachReport {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reports)
}

// waitUntil waits until cond holds, failing the test when ctx ends first.
func (c *streamConsumer) waitUntil(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-c.changed:
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v (handled %d messages, attach reports %v)", what, ctx.Err(), len(c.ids()), c.snapshotReports())
		}
	}
}

// waitReports waits until attached was called n times and returns the
// reports.
func (c *streamConsumer) waitReports(t *testing.T, ctx context.Context, n int) []attachReport {
	t.Helper()
	c.waitUntil(t, ctx, "attach reports", func() bool { return len(c.snapshotReports()) >= n })
	return c.snapshotReports()
}

// waitIDs waits until the handler took every id in want.
func (c *streamConsumer) waitIDs(t *testing.T, ctx context.Context, want []string) {
	t.Helper()
	c.waitUntil(t, ctx, "messages", func() bool {
		got := c.ids()
		for _, id := range want {
			if !slices.Contains(got, id) {
				return false
			}
		}
		return true
	})
}

// newMessages returns n messages of type typ.
func newMessages(t *testing.T, typ string, n int) []Message {
	out := make([]Message, n)
	for i := range out {
		out[i] = newMessage(t, typ)
	}
	return out
}

func testStreamFanOut(t *testing.T, s streamSubject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	sub := StreamSubscription{Name: s.stream(t), Bindings: []string{"rev.session.#", "rev.key.*.v1"}, MaxAge: time.Hour}
	replicas := []*streamConsumer{startStream(t, s.replica(t), sub, nil), startStream(t, s.replica(t), sub, nil)}
	for _, r := range replicas {
		r.waitReports(t, ctx, 1) // the stream and its bindings exist
	}
	bound := []Message{
		newMessage(t, "rev.session.revoked.v1"),
		newMessage(t, "rev.key.revoked.v1"),
		newMessage(t, "rev.session.expired.v1"),
	}
	publishAll(t, ctx, s.pub, bound[:2])
	if err := s.pub.Publish(ctx, []Message{newMessage(t, "rev.key.revoked.v2")})[0]; !errors.Is(err, ErrUnroutable) {
		t.Errorf("publishing a type no binding matches: %v, want ErrUnroutable", err)
	}
	// The last message follows the unbound one in the stream: once it is
	// in, the unbound one would have been too.
	publishAll(t, ctx, s.pub, bound[2:])
	for i, r := range replicas {
		r.waitIDs(t, ctx, ids(bound))
		if diff := cmp.Diff(ids(bound), r.ids()); diff != "" {
			t.Errorf("replica %d read (-want +got):\n%s", i, diff)
		}
		if diff := cmp.Diff([]attachReport{{true, 0}}, r.snapshotReports(), cmp.AllowUnexported(attachReport{})); diff != "" {
			t.Errorf("replica %d attach reports (-want +got):\n%s", i, diff)
		}
	}
}

func testStreamFrom(t *testing.T, s streamSubject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	sub := StreamSubscription{Name: s.stream(t), Bindings: []string{"from.#"}, MaxAge: time.Hour}
	first := startStream(t, s.replica(t), sub, nil)
	first.waitReports(t, ctx, 1)

	beforeA := time.Now()
	a := newMessages(t, "from.a.v1", 3)
	publishAll(t, ctx, s.pub, a)
	// A From that every message of a was stored before, in the unit the
	// implementation resolves From to, and then b stored at or after it.
	afterA := time.Now().Truncate(s.resolution).Add(s.resolution)
	if !sleep(ctx, time.Until(afterA)) {
		t.Fatal("ran out of time")
	}
	b := newMessages(t, "from.b.v1", 3)
	publishAll(t, ctx, s.pub, b)

	for _, tc := range []struct {
		name string
		from time.Time
		want []Message
	}{
		{"from before a", beforeA, slices.Concat(a, b)},
		{"from between a and b", afterA, b},
		{"from the beginning", time.Time{}, slices.Concat(a, b)},
	} {
		late := sub
		late.From = tc.from
		c := startStream(t, s.replica(t), late, nil)
		c.waitReports(t, ctx, 1)
		c.waitIDs(t, ctx, ids(tc.want))
		if diff := cmp.Diff(ids(tc.want), c.ids()); diff != "" {
			t.Errorf("%s: read (-want +got):\n%s", tc.name, diff)
		}
	}
	// Delivery to each replica is its own; the first may still be reading b.
	first.waitIDs(t, ctx, ids(slices.Concat(a, b)))
	if diff := cmp.Diff(ids(slices.Concat(a, b)), first.ids()); diff != "" {
		t.Errorf("the replica attached from the start read (-want +got):\n%s", diff)
	}
}

func testStreamAttachedAfterBacklog(t *testing.T, s streamSubject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	sub := StreamSubscription{Name: s.stream(t), Bindings: []string{"backlog.#"}, MaxAge: time.Hour}
	startStream(t, s.replica(t), sub, nil).waitReports(t, ctx, 1)
	// More than a prefetch and several batches.
	backlog := newMessages(t, "backlog.item.v1", 5*streamMaxBatch+7)
	publishAll(t, ctx, s.pub, backlog)

	late := startStream(t, s.replica(t), sub, nil)
	reports := late.waitReports(t, ctx, 1)
	if diff := cmp.Diff([]attachReport{{true, len(backlog)}}, reports, cmp.AllowUnexported(attachReport{})); diff != "" {
		t.Errorf("attach reports (-want +got), handled counted at each report:\n%s", diff)
	}
	if diff := cmp.Diff(ids(backlog), late.ids()); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
}

func testStreamHandlerError(t *testing.T, s streamSubject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	sub := StreamSubscription{Name: s.stream(t), Bindings: []string{"poison.#"}, MaxAge: time.Hour}
	msgs := []Message{newMessage(t, "poison.good.v1"), newMessage(t, "poison.bad.v1"), newMessage(t, "poison.good.v1")}
	bad := msgs[1].ID
	var (
		mu    sync.Mutex
		tries int
	)
	c := startStream(t, s.replica(t), sub, func(batch []Delivery) error {
		for _, d := range batch {
			if d.ID == bad {
				mu.Lock()
				tries++
				mu.Unlock()
				return errors.New("refused by the test")
			}
		}
		return nil
	})
	c.waitReports(t, ctx, 1)
	publishAll(t, ctx, s.pub, msgs)
	next := newMessage(t, "poison.good.v1")
	publishAll(t, ctx, s.pub, []Message{next})
	want := []string{msgs[0].ID, msgs[2].ID, next.ID}
	c.waitIDs(t, ctx, want)
	if diff := cmp.Diff(want, c.ids()); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	// Tried in its batch and then alone (the Handler contract), never
	// delivered again.
	if tries == 0 || tries > 2 {
		t.Errorf("the failing message was tried %d times, want 1 or 2", tries)
	}
}

func testStreamRefuses(t *testing.T, s streamSubject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	name := s.stream(t)
	good := StreamSubscription{Name: name, Bindings: []string{"refuse.#"}, MaxAge: time.Hour}
	handler := func(context.Context, []Delivery) error { return nil }
	r := s.replica(t)
	for _, tc := range []struct {
		name   string
		change func(*StreamSubscription)
	}{
		{"no name", func(s *StreamSubscription) { s.Name = "" }},
		{"no bindings", func(s *StreamSubscription) { s.Bindings = nil }},
		{"an empty binding", func(s *StreamSubscription) { s.Bindings = []string{"refuse.#", ""} }},
		{"no MaxAge", func(s *StreamSubscription) { s.MaxAge = 0 }},
	} {
		sub := good
		tc.change(&sub)
		if err := r.ConsumeStream(ctx, sub, handler, nil); err == nil {
			t.Errorf("%s: ConsumeStream = nil, want an error", tc.name)
		}
	}
	if err := r.ConsumeStream(ctx, good, nil, nil); err == nil {
		t.Error("no handler: ConsumeStream = nil, want an error")
	}

	startStream(t, s.replica(t), good, nil).waitReports(t, ctx, 1)
	other := good
	other.MaxAge = 2 * time.Hour
	if err := r.ConsumeStream(ctx, other, handler, nil); err == nil {
		t.Error("another MaxAge for an existing stream: ConsumeStream = nil, want an error")
	}
}

// TestAMQPStreamResumesAfterLostConnection cuts a stream consumer's
// connection twice, through a proxy in front of the broker: while it is
// reading a backlog, and once it has caught up. Each time it must resume
// right after the last message it handled, and report itself detached
// until it has caught up again.
func TestAMQPStreamResumesAfterLostConnection(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	s := newBrokerSubject(t, nil)
	proxy := newTCPProxy(t, s.url)
	consumerBus := s.replica(t, proxy.url(t, s.url))
	sub := StreamSubscription{Name: s.stream(t), Bindings: []string{"resume.#"}, MaxAge: time.Hour}
	if err := declareStream(s.channel(t), s.exchange, sub); err != nil {
		t.Fatal(err)
	}
	// Far more than one prefetch, so the first cut leaves most of it to
	// read after the reconnect.
	backlog := newMessages(t, "resume.backlog.v1", 6*streamPrefetch)
	publishAll(t, ctx, s.bus, backlog)

	var once sync.Once
	c := startStream(t, consumerBus, sub, func([]Delivery) error {
		once.Do(proxy.cut) // during the first batch
		return nil
	})
	c.waitIDs(t, ctx, ids(backlog))
	c.waitReports(t, ctx, 1)

	proxy.cut()
	c.waitReports(t, ctx, 2)
	more := newMessages(t, "resume.more.v1", 20)
	publishAll(t, ctx, s.bus, more)
	c.waitIDs(t, ctx, ids(more))
	reports := c.waitReports(t, ctx, 3)

	if diff := cmp.Diff(ids(slices.Concat(backlog, more)), c.ids()); diff != "" {
		t.Errorf("read across two lost connections (-want +got):\n%s", diff)
	}
	var attached []bool
	for _, r := range reports {
		attached = append(attached, r.attached)
	}
	if diff := cmp.Diff([]bool{true, false, true}, attached); diff != "" {
		t.Errorf("attach reports (-want +got):\n%s", diff)
	}
	if n := testutil.ToFloat64(consumerBus.metrics.reconnects.WithLabelValues(s.exchange)); n < 2 {
		t.Errorf("reconnects_total = %v, want at least 2 (one per cut)", n)
	}
}

// TestMemoryStreamPrunesByMaxAge moves the in-process bus's clock past a
// stream's MaxAge: what aged out is gone for a consumer attaching later.
func TestMemoryStreamPrunesByMaxAge(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	m := NewMemory(MemoryConfig{})
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	m.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	sub := StreamSubscription{Name: "memory.prune", Bindings: []string{"prune.#"}, MaxAge: time.Hour}
	startStream(t, m, sub, nil).waitReports(t, ctx, 1)
	old := newMessage(t, "prune.old.v1")
	publishAll(t, ctx, m, []Message{old})
	advance(time.Hour + time.Second)
	recent := newMessage(t, "prune.recent.v1")
	publishAll(t, ctx, m, []Message{recent})

	c := startStream(t, m, sub, nil) // From zero: everything still held
	c.waitReports(t, ctx, 1)
	if diff := cmp.Diff([]string{recent.ID}, c.ids()); diff != "" {
		t.Errorf("read after %v aged out (-want +got):\n%s", old.ID, diff)
	}
}
