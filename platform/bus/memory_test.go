package bus

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func newMemorySubject(cfg MemoryConfig) subject {
	m := NewMemory(cfg)
	return subject{
		bus:   m,
		queue: func(t *testing.T) string { return "memory." + randomSuffix(t) },
		deadLetters: func(t *testing.T, ctx context.Context, queue string, n int) []Delivery {
			t.Helper()
			for {
				var out []Delivery
				for _, dl := range m.DeadLetters() {
					if dl.Queue == queue {
						out = append(out, dl.Delivery)
					}
				}
				if len(out) >= n {
					return out
				}
				select {
				case <-ctx.Done():
					t.Fatalf("%d dead letters in %s, want %d", len(out), queue, n)
				case <-time.After(10 * time.Millisecond):
				}
			}
		},
	}
}

func TestMemory(t *testing.T) {
	t.Parallel()
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			b.run(t, newMemorySubject(MemoryConfig{}))
		})
	}
}

func TestMemoryFullQueueRefusesPublish(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	m := NewMemory(MemoryConfig{Capacity: 2})
	release := make(chan struct{})
	rec := newRecorder()
	consume(t, m, Subscription{Queue: "full", Bindings: []string{"#"}, DeliveryLimit: 1}, blockFirst(rec, release, nil))
	defer close(release)
	// The consumer holds the first message, the queue the next two.
	publishAll(t, ctx, m, []Message{newMessage(t, "a")})
	publishAll(t, ctx, m, []Message{newMessage(t, "b"), newMessage(t, "c")})
	errs := m.Publish(ctx, []Message{newMessage(t, "d")})
	if !errors.Is(errs[0], ErrNacked) {
		t.Fatalf("publish to a full queue: %v, want ErrNacked", errs[0])
	}
}

func TestMemoryRejectsIncompleteMessages(t *testing.T) {
	t.Parallel()
	m := NewMemory(MemoryConfig{})
	consume(t, m, Subscription{Queue: "q", Bindings: []string{"#"}, DeliveryLimit: 1}, func(context.Context, []Delivery) error { return nil })
	msg := newMessage(t, "a")
	msg.PayloadType = ""
	if err := m.Publish(t.Context(), []Message{msg})[0]; err == nil || errors.Is(err, ErrUnroutable) {
		t.Fatalf("publish without payload type: %v, want a validation error", err)
	}
}

func TestMemoryPrivateQueueFansOut(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	m := NewMemory(MemoryConfig{})
	recs := []*recorder{newRecorder(), newRecorder()}
	var mu sync.Mutex
	fails := 0
	for _, rec := range recs {
		consume(t, m, Subscription{Bindings: []string{"live.#"}}, func(_ context.Context, b []Delivery) error {
			for _, d := range b {
				if d.Type == "live.bad" {
					mu.Lock()
					fails++
					mu.Unlock()
					return errors.New("bad")
				}
			}
			rec.record(b, true)
			return nil
		})
	}
	// Both private queues must exist before publishing; until then a
	// message reaches fewer than two.
	for {
		m.mu.Lock()
		n := len(m.private)
		m.mu.Unlock()
		if n == 2 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("private queues never declared")
		case <-time.After(10 * time.Millisecond):
		}
	}
	bad, good := newMessage(t, "live.bad"), newMessage(t, "live.good")
	publishAll(t, ctx, m, []Message{bad, good})
	for _, rec := range recs {
		rec.waitFor(t, ctx, []string{good.ID})
	}
	// Private queues have no dead-letter queue: the bad message is tried
	// twice per queue and dropped.
	mu.Lock()
	defer mu.Unlock()
	if fails != 2*privateDeliveryLimit {
		t.Errorf("bad message failed %d times, want %d", fails, 2*privateDeliveryLimit)
	}
	if dl := m.DeadLetters(); len(dl) != 0 {
		t.Errorf("dead letters from private queues: %v", dl)
	}
}
