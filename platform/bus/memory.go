package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// DefaultMemoryCapacity is how many messages a Memory queue holds when
// MemoryConfig sets no capacity.
const DefaultMemoryCapacity = 10_000

// MemoryConfig configures the in-process bus; the zero value is usable.
type MemoryConfig struct {
	// Capacity bounds each queue. Publishing to a full queue fails with
	// ErrNacked, as a broker queue with reject-publish overflow does, so a
	// consumer that stopped shows up as publish errors instead of as memory
	// growing without end.
	Capacity int
	// HandlerTimeout bounds one Handler call, as Config.HandlerTimeout.
	HandlerTimeout time.Duration
	// Logger receives the stream deliveries a handler failed on (a stream
	// does not retry them, so the log is all that is left of them); nil
	// discards them.
	Logger *slog.Logger
}

// Memory is the bus without a broker, for local runs without AMQP_URL and
// for tests of code that publishes or consumes. It routes like the topic
// exchange (the same binding patterns), batches, retries and counts
// deliveries like the RabbitMQ subscriber, and keeps the messages that
// exhausted their delivery limit in a dead-letter list (DeadLetters).
//
// It is NOT durable: everything in it is lost when the process exits, and
// it only reaches consumers in the same process, so it cannot connect
// services running as separate processes. Never use it in production.
//
// A named queue comes into being with the first Consume of its
// subscription and keeps its messages between consumers, as a durable
// queue does; a private one (empty Queue) lives as long as its Consume. A
// stream comes into being with the first ConsumeStream of its subscription
// and keeps every message for MaxAge, consumed or not, as a RabbitMQ stream
// does; Capacity does not apply to it, since a stream refuses nothing.
type Memory struct {
	capacity       int
	handlerTimeout time.Duration
	log            *slog.Logger
	now            func() time.Time // when a stream stores a message; tests move it

	mu      sync.Mutex
	named   map[string]*memoryQueue
	private map[*memoryQueue]struct{}
	streams map[string]*memoryStream
	dead    []DeadLetter
}

var (
	_ Publisher        = (*Memory)(nil)
	_ Subscriber       = (*Memory)(nil)
	_ StreamSubscriber = (*Memory)(nil)
)

// DeadLetter is a message the in-process bus gave up on: its queue, the
// last delivery of it, and the error of that delivery.
type DeadLetter struct {
	Queue    string
	Delivery Delivery
	Err      error
}

// memoryQueue is one queue of the in-process bus. Its fields are guarded by
// Memory.mu, except ready, which wakes a waiting consumer.
type memoryQueue struct {
	name     string
	bindings map[string]bool
	limit    int
	items    []memoryItem
	ready    chan struct{} // holds a token while items may be waiting
}

// memoryItem is a queued message and how often it was delivered.
type memoryItem struct {
	msg        Message
	deliveries int64
}

// NewMemory returns an empty in-process bus.
func NewMemory(cfg MemoryConfig) *Memory {
	if cfg.Capacity <= 0 {
		cfg.Capacity = DefaultMemoryCapacity
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = DefaultHandlerTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Memory{
		capacity:       cfg.Capacity,
		handlerTimeout: cfg.HandlerTimeout,
		log:            cfg.Logger,
		now:            time.Now,
		named:          make(map[string]*memoryQueue),
		private:        make(map[*memoryQueue]struct{}),
		streams:        make(map[string]*memoryStream),
	}
}

// Publish routes each message to every queue and stream with a matching
// binding; see Publisher. A message is taken by all its queues or by none.
func (m *Memory) Publish(ctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	if err := ctx.Err(); err != nil {
		fill(errs, fmt.Errorf("bus: publish: %w", err))
		return errs
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, msg := range msgs {
		errs[i] = m.route(msg)
	}
	return errs
}

// route enqueues msg on its queues and appends it to its streams. The
// caller holds m.mu.
func (m *Memory) route(msg Message) error {
	if err := checkMessage(msg); err != nil {
		return err
	}
	var targets []*memoryQueue
	for q := range m.queues() {
		if q.matches(msg.Type) {
			if len(q.items) >= m.capacity {
				return fmt.Errorf("%w: %s: queue %q is full (%d messages)", ErrNacked, msg.ID, q.name, m.capacity)
			}
			targets = append(targets, q)
		}
	}
	var streams []*memoryStream
	for _, s := range m.streams {
		if matchesAny(s.bindings, msg.Type) {
			streams = append(streams, s)
		}
	}
	if len(targets) == 0 && len(streams) == 0 {
		return fmt.Errorf("%w: %s (type %s) reached no queue", ErrUnroutable, msg.ID, msg.Type)
	}
	for _, q := range targets {
		q.items = append(q.items, memoryItem{msg: cloneMessage(msg)})
		q.signal()
	}
	now := m.now()
	for _, s := range streams {
		s.append(msg, now)
	}
	return nil
}

// queues yields every queue, named and private. The caller holds m.mu.
func (m *Memory) queues() func(func(*memoryQueue) bool) {
	return func(yield func(*memoryQueue) bool) {
		for _, q := range m.named {
			if !yield(q) {
				return
			}
		}
		for q := range m.private {
			if !yield(q) {
				return
			}
		}
	}
}

// Consume delivers the subscription's messages to h until ctx ends; see
// Subscriber. Several Consume calls on one named queue compete for its
// messages, as consumers of one broker queue do.
func (m *Memory) Consume(ctx context.Context, sub Subscription, h Handler) error {
	sub, err := sub.withDefaults()
	if err != nil {
		return err
	}
	if h == nil {
		return errors.New("bus: Consume needs a handler")
	}
	q := m.declare(sub)
	if sub.Queue == "" {
		defer func() {
			m.mu.Lock()
			delete(m.private, q)
			m.mu.Unlock()
		}()
	}
	for ctx.Err() == nil {
		batch := m.take(q, sub.MaxBatch)
		if len(batch) == 0 {
			select {
			case <-q.ready:
			case <-ctx.Done():
			}
			continue
		}
		deliveries := make([]Delivery, len(batch))
		for i, it := range batch {
			deliveries[i] = Delivery{Message: it.msg, Redelivered: it.deliveries > 0, DeliveryCount: it.deliveries}
		}
		outcomes := applyBatch(ctx, h, deliveries, m.handlerTimeout)
		m.settle(q, batch, deliveries, outcomes)
	}
	return nil
}

// declare returns sub's queue, creating it or adding bindings to it.
func (m *Memory) declare(sub Subscription) *memoryQueue {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.named[sub.Queue]
	if q == nil {
		q = &memoryQueue{name: sub.Queue, bindings: make(map[string]bool), ready: make(chan struct{}, 1)}
		if sub.Queue == "" {
			m.private[q] = struct{}{}
		} else {
			m.named[sub.Queue] = q
		}
	}
	q.limit = sub.DeliveryLimit
	for _, b := range sub.Bindings {
		q.bindings[b] = true
	}
	return q
}

// take removes up to n messages from the front of q.
func (m *Memory) take(q *memoryQueue, n int) []memoryItem {
	m.mu.Lock()
	defer m.mu.Unlock()
	n = min(n, len(q.items))
	batch := slices.Clone(q.items[:n])
	q.items = slices.Delete(q.items, 0, n)
	if len(q.items) > 0 {
		// Another consumer of the queue may be waiting for these.
		q.signal()
	}
	return batch
}

// settle puts failed messages back at the front of q, in order, or gives up
// on those that reached the delivery limit.
func (m *Memory) settle(q *memoryQueue, batch []memoryItem, deliveries []Delivery, outcomes []error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var again []memoryItem
	for i, err := range outcomes {
		if err == nil {
			continue
		}
		it := batch[i]
		it.deliveries++
		if it.deliveries < int64(q.limit) {
			again = append(again, it)
			continue
		}
		if q.name != "" {
			m.dead = append(m.dead, DeadLetter{Queue: q.name, Delivery: deliveries[i], Err: err})
		}
	}
	if len(again) > 0 {
		q.items = slices.Insert(q.items, 0, again...)
		q.signal()
	}
}

// DeadLetters returns the messages given up on so far, oldest first. A
// private queue drops such messages instead, as it does over RabbitMQ.
func (m *Memory) DeadLetters() []DeadLetter {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.dead)
}

// matches reports whether a message of type key reaches q.
func (q *memoryQueue) matches(key string) bool { return matchesAny(q.bindings, key) }

// matchesAny reports whether key matches one of the binding patterns.
func matchesAny(bindings map[string]bool, key string) bool {
	for b := range bindings {
		if topicMatches(b, key) {
			return true
		}
	}
	return false
}

// signal wakes a consumer waiting on q, if none is already due to wake.
func (q *memoryQueue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// cloneMessage copies msg's payload and trace, so neither the publisher
// reusing its buffers nor one consumer changing its delivery affects
// another queue's copy.
func cloneMessage(msg Message) Message {
	msg.Payload = slices.Clone(msg.Payload)
	msg.Trace = maps.Clone(msg.Trace)
	return msg
}
