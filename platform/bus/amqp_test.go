package bus

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	amqp "github.com/rabbitmq/amqp091-go"
)

func TestAMQP(t *testing.T) {
	t.Parallel()
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			b.run(t, newBrokerSubject(t, nil).subject)
		})
	}
}

// TestAMQPReconnect closes the bus's connection from the broker side while
// messages flow and checks that publishing and consuming resume and that
// every confirmed message arrives.
func TestAMQPReconnect(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	reg := prometheus.NewRegistry()
	s := newBrokerSubject(t, func(c *Config) { c.Registerer = reg })
	rec := newRecorder()
	consume(t, s.bus, Subscription{Queue: s.queue(t), Bindings: []string{"reconnect.#"}, Prefetch: 20, MaxBatch: 5, DeliveryLimit: 10},
		func(_ context.Context, batch []Delivery) error { rec.record(batch, true); return nil })

	var before, after []Message
	for range 50 {
		before = append(before, newMessage(t, "reconnect.before.v1"))
		after = append(after, newMessage(t, "reconnect.after.v1"))
	}
	publishAll(t, ctx, s.bus, before)
	rec.waitFor(t, ctx, ids(before))

	closeConnectionFromBroker(t, ctx, s.connName)
	// Publishing right away meets the dead connection; publishAll retries
	// what was not confirmed until the bus has reconnected.
	publishAll(t, ctx, s.bus, after)
	rec.waitFor(t, ctx, ids(after))

	if err := s.amqp.Ping(ctx); err != nil {
		t.Errorf("Ping after reconnecting: %v", err)
	}
	if n := testutil.ToFloat64(s.amqp.metrics.reconnects.WithLabelValues(s.exchange)); n < 1 {
		t.Errorf("reconnects_total = %v, want at least 1", n)
	}
}

// TestAMQPCloseDrains closes the bus while a handler runs: Close waits for
// it, its delivery is acknowledged, and its context was not cancelled.
func TestAMQPCloseDrains(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	s := newBrokerSubject(t, nil)
	queue := s.queue(t)
	entered, release := make(chan struct{}), make(chan struct{})
	handlerErr := make(chan error, 1)
	consumeDone := make(chan error, 1)
	go func() {
		consumeDone <- s.bus.Consume(context.Background(), Subscription{Queue: queue, Bindings: []string{"drain.#"}, DeliveryLimit: 3},
			func(hctx context.Context, _ []Delivery) error {
				close(entered)
				<-release
				handlerErr <- hctx.Err()
				return nil
			})
	}()
	publishAll(t, ctx, s.bus, []Message{newMessage(t, "drain.item.v1")})
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("handler never called")
	}

	closed := make(chan error, 1)
	go func() { closed <- s.amqp.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a handler was running", err)
	case <-time.After(200 * time.Millisecond):
		// Not proof, but Close had its chance to return too early.
	}
	close(release)
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Close never returned")
	}
	if err := <-consumeDone; err != nil {
		t.Errorf("Consume after Close = %v, want nil", err)
	}
	if err := <-handlerErr; err != nil {
		t.Errorf("handler context ended during shutdown: %v", err)
	}
	if n := s.readyCount(t, queue); n != 0 {
		t.Errorf("%d messages back in the queue after Close, want the drained one acknowledged", n)
	}
	if err := s.bus.Publish(ctx, []Message{newMessage(t, "drain.item.v1")})[0]; !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
}

// TestAMQPUndecodableDeadLettered publishes, behind the bus's back, a
// message it could not have written; the consumer treats it as failed and
// the queue dead-letters it while the next message is handled.
func TestAMQPUndecodableDeadLettered(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	s := newBrokerSubject(t, nil)
	queue := s.queue(t)
	rec := newRecorder()
	consume(t, s.bus, Subscription{Queue: queue, Bindings: []string{"raw.#"}, DeliveryLimit: 2},
		func(_ context.Context, batch []Delivery) error { rec.record(batch, true); return nil })
	warm := newMessage(t, "raw.warm.v1")
	publishAll(t, ctx, s.bus, []Message{warm})
	rec.waitFor(t, ctx, []string{warm.ID})

	ch := s.channel(t)
	if err := ch.PublishWithContext(ctx, s.exchange, "raw.bad.v1", false, false, amqp.Publishing{
		MessageId: "raw-" + randomSuffix(t), // but no type, no headers
		Body:      []byte("not an event"),
	}); err != nil {
		t.Fatal(err)
	}
	next := newMessage(t, "raw.next.v1")
	publishAll(t, ctx, s.bus, []Message{next})
	rec.waitFor(t, ctx, []string{next.ID})

	for {
		d, ok, err := ch.Get(deadLetterQueue(queue), true)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if string(d.Body) != "not an event" {
				t.Errorf("dead letter body %q", d.Body)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("undecodable message never dead-lettered")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestAMQPUnreachableBroker opens a bus on a port nobody listens on: Open
// succeeds (the service starts and reports itself unhealthy), Ping says
// why, and Publish fails every message rather than pretending.
func TestAMQPUnreachableBroker(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	b, err := Open(ctx, Config{URL: "amqp://guest:guest@127.0.0.1:1/", Exchange: "bustest." + randomSuffix(t), ConfirmTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open with the broker down: %v", err)
	}
	defer b.Close()
	if err := b.Ping(ctx); err == nil {
		t.Error("Ping = nil with the broker unreachable")
	}
	for i, err := range b.Publish(ctx, []Message{newMessage(t, "a.b"), newMessage(t, "a.c")}) {
		if err == nil {
			t.Errorf("message %d confirmed with the broker unreachable", i)
		}
	}
}

// TestAMQPConflictingQueueIsAnError declares a queue with other arguments
// first: Consume cannot fix that by retrying and says so.
func TestAMQPConflictingQueueIsAnError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	s := newBrokerSubject(t, nil)
	queue := s.queue(t)
	if _, err := s.channel(t).QueueDeclare(queue, true, false, false, false, nil); err != nil { // classic
		t.Fatal(err)
	}
	err := s.bus.Consume(ctx, Subscription{Queue: queue, Bindings: []string{"#"}, DeliveryLimit: 3},
		func(context.Context, []Delivery) error { return nil })
	if !isPermanent(err) {
		t.Fatalf("Consume on a conflicting queue = %v, want the broker's PRECONDITION_FAILED", err)
	}
}

// TestOpenRejectsBadConfig checks what fails before any connection.
func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"no URL":          {},
		"not a URL":       {URL: "http://example.com"},
		"inverse backoff": {URL: defaultTestURL, ReconnectMin: time.Second, ReconnectMax: time.Millisecond},
	} {
		if _, err := Open(t.Context(), cfg); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

// TestAMQPLostAckRedelivers is the consumer that dies between applying a
// batch and acknowledging it: the handler succeeds, its connection is cut
// before the ack can leave, and the broker delivers the same messages again,
// marked redelivered. (The inbox is what turns that second delivery into no
// second effect; its tests show that half.)
func TestAMQPLostAckRedelivers(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	s := newBrokerSubject(t, nil)
	msg := newMessage(t, "lostack.item.v1")
	type seen struct {
		id          string
		redelivered bool
	}
	deliveries := make(chan seen, 10)
	var cut sync.Once
	consume(t, s.bus, Subscription{Queue: s.queue(t), Bindings: []string{"lostack.#"}, DeliveryLimit: 5},
		func(hctx context.Context, batch []Delivery) error {
			for _, d := range batch {
				deliveries <- seen{d.ID, d.Redelivered}
			}
			// The effect is "applied"; now the process dies before its ack.
			cut.Do(func() { closeConnectionFromBroker(t, hctx, s.connName) })
			return nil
		})
	publishAll(t, ctx, s.bus, []Message{msg})

	var got []seen
	for len(got) < 2 {
		select {
		case d := <-deliveries:
			got = append(got, d)
		case <-ctx.Done():
			t.Fatalf("deliveries %v; want the message, then the same message redelivered", got)
		}
	}
	want := []seen{{msg.ID, false}, {msg.ID, true}}
	if got[0] != want[0] || got[1] != want[1] {
		t.Errorf("deliveries %+v, want %+v", got, want)
	}
}

// TestAMQPQueueDepth counts what waits in a queue no one consumes, and
// refuses a queue that was never declared.
func TestAMQPQueueDepth(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	s := newBrokerSubject(t, nil)
	queue := s.queue(t)
	ch := s.channel(t)
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := ch.PublishWithContext(ctx, "", queue, false, false, amqp.Publishing{Body: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	for n != 3 && ctx.Err() == nil {
		var err error
		if n, err = s.amqp.QueueDepth(ctx, queue); err != nil {
			t.Fatal(err)
		}
	}
	if n != 3 {
		t.Errorf("depth %d, want 3", n)
	}
	if _, err := s.amqp.QueueDepth(ctx, "bustest.never."+randomSuffix(t)); err == nil {
		t.Error("the depth of a queue never declared was reported")
	}
}
