package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The behaviours every implementation shares are written once, against the
// interfaces, and run for the in-process bus (memory_test.go) and for
// RabbitMQ (amqp_test.go).

// testTimeout bounds every wait of a test, so a broken bus fails the test
// instead of hanging it. Nothing asserts on how long anything takes.
const testTimeout = 60 * time.Second

// subject is one implementation under test, fresh for each test.
type subject struct {
	bus interface {
		Publisher
		Subscriber
	}
	// queue returns a queue name unused by any other test.
	queue func(t *testing.T) string
	// deadLetters waits until queue has given up on n messages and returns
	// them.
	deadLetters func(t *testing.T, ctx context.Context, queue string, n int) []Delivery
}

// behaviours lists the shared tests.
var behaviours = []struct {
	name string
	run  func(t *testing.T, s subject)
}{
	{"RoundTrip", testRoundTrip},
	{"Unroutable", testUnroutable},
	{"BatchesUnderLoad", testBatchesUnderLoad},
	{"HandlerErrorRetriesEachDelivery", testHandlerErrorRetriesEachDelivery},
	{"PoisonMessageDeadLettered", testPoisonMessageDeadLettered},
}

func randomSuffix(t *testing.T) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// newMessage returns a complete message of type typ with a fresh id.
func newMessage(t *testing.T, typ string) Message {
	return Message{
		ID:          "evt-" + randomSuffix(t),
		Type:        typ,
		PayloadType: "ariesone.test.v1.Event",
		CompanyID:   "company-1",
		Source:      "test",
		OccurTime:   time.Now().UTC(),
		Payload:     []byte("payload"),
	}
}

// publishAll publishes msgs until each is confirmed, retrying the failures
// (a queue not declared yet, a connection being replaced) until ctx ends.
func publishAll(t *testing.T, ctx context.Context, p Publisher, msgs []Message) {
	t.Helper()
	for len(msgs) > 0 {
		var failed []Message
		var last error
		for i, err := range p.Publish(ctx, msgs) {
			if err != nil {
				failed, last = append(failed, msgs[i]), err
			}
		}
		if len(failed) > 0 {
			select {
			case <-ctx.Done():
				t.Fatalf("%d messages still unconfirmed when the test ran out of time; last error: %v", len(failed), last)
			case <-time.After(50 * time.Millisecond):
			}
		}
		msgs = failed
	}
}

// consume runs Consume in the background until the test ends and fails the
// test if it returns an error.
func consume(t *testing.T, s Subscriber, sub Subscription, h Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Consume(ctx, sub, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Consume: %v", err)
		}
	})
}

// recorder collects what a handler saw.
type recorder struct {
	mu      sync.Mutex
	batches [][]Delivery
	seen    map[string]int // id → successful deliveries
	changed chan struct{}
}

func newRecorder() *recorder {
	return &recorder{seen: make(map[string]int), changed: make(chan struct{}, 1)}
}

// record notes a handled batch; ok says whether the handler succeeded.
func (r *recorder) record(batch []Delivery, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, slices.Clone(batch))
	if ok {
		for _, d := range batch {
			r.seen[d.ID]++
		}
	}
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until every id in ids was handled successfully.
func (r *recorder) waitFor(t *testing.T, ctx context.Context, ids []string) {
	t.Helper()
	for {
		r.mu.Lock()
		var missing []string
		for _, id := range ids {
			if r.seen[id] == 0 {
				missing = append(missing, id)
			}
		}
		r.mu.Unlock()
		if len(missing) == 0 {
			return
		}
		select {
		case <-r.changed:
		case <-ctx.Done():
			t.Fatalf("%d of %d messages never handled, for example %s", len(missing), len(ids), missing[0])
		}
	}
}

func ids(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func testRoundTrip(t *testing.T, s subject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	got := make(chan Delivery, 10)
	consume(t, s.bus, Subscription{Queue: s.queue(t), Bindings: []string{"company.location.*.v1"}, DeliveryLimit: 3},
		func(_ context.Context, batch []Delivery) error {
			for _, d := range batch {
				got <- d
			}
			return nil
		})
	want := sampleMessage()
	want.ID = "evt-" + randomSuffix(t)
	publishAll(t, ctx, s.bus, []Message{want})
	select {
	case d := <-got:
		if diff := cmp.Diff(Delivery{Message: want}, d); diff != "" {
			t.Errorf("delivery (-want +got):\n%s", diff)
		}
	case <-ctx.Done():
		t.Fatal("no delivery")
	}
}

func testUnroutable(t *testing.T, s subject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	rec := newRecorder()
	consume(t, s.bus, Subscription{Queue: s.queue(t), Bindings: []string{"routed.#"}, DeliveryLimit: 3},
		func(_ context.Context, batch []Delivery) error { rec.record(batch, true); return nil })
	routed := newMessage(t, "routed.thing.created.v1")
	publishAll(t, ctx, s.bus, []Message{routed}) // also waits for the binding

	batch := []Message{newMessage(t, "routed.thing.updated.v1"), newMessage(t, "nobody.listens.v1"), newMessage(t, "routed.x")}
	errs := s.bus.Publish(ctx, batch)
	if len(errs) != len(batch) {
		t.Fatalf("Publish returned %d results for %d messages", len(errs), len(batch))
	}
	for i, wantUnroutable := range []bool{false, true, false} {
		switch {
		case wantUnroutable && !errors.Is(errs[i], ErrUnroutable):
			t.Errorf("message %d (%s): err = %v, want ErrUnroutable", i, batch[i].Type, errs[i])
		case !wantUnroutable && errs[i] != nil:
			t.Errorf("message %d (%s): err = %v, want nil", i, batch[i].Type, errs[i])
		}
	}
	rec.waitFor(t, ctx, []string{routed.ID, batch[0].ID, batch[2].ID})
}

// blockFirst returns a handler that holds its first call until release is
// closed, so the messages published meanwhile pile up behind it, and
// records every call in rec; fail decides whether a batch fails.
func blockFirst(rec *recorder, release <-chan struct{}, fail func([]Delivery) bool) Handler {
	var once sync.Once
	return func(_ context.Context, batch []Delivery) error {
		once.Do(func() { <-release })
		if fail != nil && fail(batch) {
			rec.record(batch, false)
			return errors.New("refused by the test")
		}
		rec.record(batch, true)
		return nil
	}
}

// pileUp publishes a warm-up message until the queue takes it (so the
// consumer is bound and blocked on it), then msgs, then releases the
// consumer.
func pileUp(t *testing.T, ctx context.Context, p Publisher, typ string, msgs []Message, release chan struct{}) Message {
	t.Helper()
	warm := newMessage(t, typ)
	publishAll(t, ctx, p, []Message{warm})
	publishAll(t, ctx, p, msgs)
	close(release)
	return warm
}

func testBatchesUnderLoad(t *testing.T, s subject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	rec, release := newRecorder(), make(chan struct{})
	consume(t, s.bus, Subscription{Queue: s.queue(t), Bindings: []string{"load.#"}, Prefetch: 50, MaxBatch: 10, DeliveryLimit: 3},
		blockFirst(rec, release, nil))
	var msgs []Message
	for range 200 {
		msgs = append(msgs, newMessage(t, "load.item.v1"))
	}
	warm := pileUp(t, ctx, s.bus, "load.warm.v1", msgs, release)
	rec.waitFor(t, ctx, append(ids(msgs), warm.ID))

	rec.mu.Lock()
	defer rec.mu.Unlock()
	largest := 0
	for _, b := range rec.batches {
		largest = max(largest, len(b))
		if len(b) > 10 {
			t.Errorf("batch of %d, above MaxBatch 10", len(b))
		}
	}
	// With a backlog waiting in the prefetch, a batch comes out full. (A
	// consumer that only batched what happened to be handed over at the
	// instant it looked got batches of one to three.)
	if largest != 10 {
		t.Errorf("largest batch = %d over %d calls, want full batches of MaxBatch 10 under load", largest, len(rec.batches))
	}
	for id, n := range rec.seen {
		if n != 1 {
			t.Errorf("message %s handled %d times, want once", id, n)
		}
	}
}

func testHandlerErrorRetriesEachDelivery(t *testing.T, s subject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	rec, release := newRecorder(), make(chan struct{})
	queue := s.queue(t)
	// Every batch of more than one fails; every single delivery succeeds.
	consume(t, s.bus, Subscription{Queue: queue, Bindings: []string{"retry.#"}, Prefetch: 20, MaxBatch: 5, DeliveryLimit: 3},
		blockFirst(rec, release, func(b []Delivery) bool { return len(b) > 1 }))
	var msgs []Message
	for range 20 {
		msgs = append(msgs, newMessage(t, "retry.item.v1"))
	}
	warm := pileUp(t, ctx, s.bus, "retry.warm.v1", msgs, release)
	rec.waitFor(t, ctx, append(ids(msgs), warm.ID))

	rec.mu.Lock()
	defer rec.mu.Unlock()
	failedBatches := 0
	for _, b := range rec.batches {
		if len(b) > 1 {
			failedBatches++
		}
		for _, d := range b {
			// The retry happens in the consumer: nothing went back to the
			// queue.
			if d.DeliveryCount != 0 || d.Redelivered {
				t.Errorf("message %s delivered again (count %d); want the retry without a redelivery", d.ID, d.DeliveryCount)
			}
		}
	}
	if failedBatches == 0 {
		t.Errorf("no batch of more than one in %d calls; the retry path was not exercised", len(rec.batches))
	}
	for id, n := range rec.seen {
		if n != 1 {
			t.Errorf("message %s applied %d times, want once", id, n)
		}
	}
	if dl := s.deadLetters(t, ctx, queue, 0); len(dl) != 0 {
		t.Errorf("dead letters: %v", dl)
	}
}

func testPoisonMessageDeadLettered(t *testing.T, s subject) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	const limit = 3
	queue := s.queue(t)
	poison := newMessage(t, "poison.item.v1")
	var (
		mu     sync.Mutex
		counts []int64 // DeliveryCount of each delivery of the poison
	)
	rec := newRecorder()
	consume(t, s.bus, Subscription{Queue: queue, Bindings: []string{"poison.#"}, Prefetch: 10, MaxBatch: 5, DeliveryLimit: limit},
		func(_ context.Context, batch []Delivery) error {
			for _, d := range batch {
				if d.ID != poison.ID {
					continue
				}
				if len(batch) == 1 {
					// Every delivery ends in a call with it alone: the
					// batch of one, or the retry after its batch failed.
					mu.Lock()
					counts = append(counts, d.DeliveryCount)
					mu.Unlock()
				}
				rec.record(batch, false)
				return fmt.Errorf("poison %s", d.ID)
			}
			rec.record(batch, true)
			return nil
		})
	warm := newMessage(t, "poison.warm.v1")
	publishAll(t, ctx, s.bus, []Message{warm})
	good := []Message{poison}
	for range 10 {
		good = append(good, newMessage(t, "poison.good.v1"))
	}
	publishAll(t, ctx, s.bus, good)
	good = good[1:]

	dead := s.deadLetters(t, ctx, queue, 1)
	rec.waitFor(t, ctx, ids(good))
	if len(dead) != 1 || dead[0].ID != poison.ID || dead[0].Type != poison.Type {
		t.Fatalf("dead letters = %+v, want just the poison %s of type %s", dead, poison.ID, poison.Type)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]int64{0, 1, 2}, counts); diff != "" {
		t.Errorf("delivery counts of the poison (-want +got):\n%s", diff)
	}
}
