package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// depthInterval is how often a consumer samples its queue's depth for the
// queue_depth gauge: a passive declare, one round trip on its own channel.
const depthInterval = 15 * time.Second

// Consume declares sub's queue and delivers its messages to h in batches
// until ctx ends or the bus closes, across reconnects; see Subscriber. It
// returns nil then, after the batch in hand is settled. It returns an error
// only for what retrying cannot fix: an invalid subscription, or a queue
// the broker refuses to declare as asked (for instance an existing queue
// with other arguments).
func (a *AMQP) Consume(ctx context.Context, sub Subscription, h Handler) error {
	sub, err := sub.withDefaults()
	if err != nil {
		return err
	}
	if h == nil {
		return errors.New("bus: Consume needs a handler")
	}
	log := a.log.With("queue", sub.Queue)
	return a.runConsumer(ctx, func(ctx context.Context) (bool, error) { return a.consumeSession(ctx, sub, h) },
		func(err error, retryIn time.Duration) {
			log.Warn("consumer interrupted; resuming", "error", err, "retry_in", retryIn)
		})
}

// runConsumer runs session, one channel's worth of consuming, again and
// again across lost connections, with backoff (reset once a session got as
// far as consuming), until ctx ends or the bus closes; interrupted hears of
// each lost session. It returns nil then, or the error of a session that
// retrying cannot fix. The bus's Close waits for it.
func (a *AMQP) runConsumer(ctx context.Context, session func(context.Context) (started bool, err error),
	interrupted func(err error, retryIn time.Duration)) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return ErrClosed
	}
	a.consumers.Add(1)
	a.mu.Unlock()
	defer a.consumers.Done()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(a.stopping, cancel)
	defer stop()

	wait := newBackoff(a.cfg.ReconnectMin, a.cfg.ReconnectMax)
	for ctx.Err() == nil {
		started, err := session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if isPermanent(err) {
			return err
		}
		if started {
			wait.reset()
		}
		d := wait.next()
		interrupted(err, d)
		if !sleep(ctx, d) {
			return nil
		}
	}
	return nil
}

// consumeSession consumes on one channel until it fails or ctx ends.
// started reports whether it got as far as consuming.
func (a *AMQP) consumeSession(ctx context.Context, sub Subscription, h Handler) (started bool, err error) {
	conn, _, err := a.connection(ctx)
	if err != nil {
		return false, err
	}
	ch, err := conn.Channel()
	if err != nil {
		return false, fmt.Errorf("bus: open consumer channel: %w", err)
	}
	// Closing the channel returns whatever was prefetched and not started.
	defer func() { _ = ch.Close() }()
	if err := ch.Qos(sub.Prefetch, 0, false); err != nil {
		return false, fmt.Errorf("bus: set prefetch: %w", err)
	}
	queue, depth, err := declareQueue(ch, a.cfg.Exchange, sub)
	if err != nil {
		return false, err
	}
	label := metricQueue(sub)
	a.metrics.queueDepth.WithLabelValues(label).Set(float64(depth))
	incoming, err := ch.Consume(queue, a.consumerTag(), false, false, false, false, nil)
	if err != nil {
		return false, fmt.Errorf("bus: consume %s: %w", queue, err)
	}
	done := make(chan struct{})
	defer close(done)
	deliveries := buffer(incoming, sub.Prefetch, done)
	c := consumer{a: a, ch: ch, sub: sub, h: h, queue: label}
	ticker := time.NewTicker(depthInterval)
	defer ticker.Stop()
	for {
		var first amqp.Delivery
		select {
		case <-ctx.Done():
			return true, nil
		case <-ticker.C:
			if q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil); err == nil {
				a.metrics.queueDepth.WithLabelValues(label).Set(float64(q.Messages))
			}
			continue
		case d, ok := <-deliveries:
			if !ok {
				return true, fmt.Errorf("bus: deliveries of %s stopped: %w", queue, errConnectionLost)
			}
			first = d
		}
		batch, open := drainReady(deliveries, first, sub.MaxBatch)
		if !open {
			// Acknowledgements could not be sent; the broker redelivers
			// the batch, so applying it now would only do it twice.
			return true, fmt.Errorf("bus: deliveries of %s stopped: %w", queue, errConnectionLost)
		}
		c.settle(ctx, batch)
	}
}

// buffer moves deliveries from the library's channel into one holding up to
// prefetch of them, so that what the broker has sent is all ready when a
// batch is drained. The library hands deliveries over one at a time
// through an unbuffered channel and needs a moment between two; a batch
// drained from it straight would stop at the first gap and hold one
// delivery (measured: every batch held 1 under a 30,000-event backlog).
// The broker never has more than prefetch deliveries unacknowledged on the
// channel, so the buffer never fills; the pump ends when the library closes
// its channel or when done closes (the session is over, and whatever it had
// not taken goes back to the queue with the channel).
func buffer(in <-chan amqp.Delivery, prefetch int, done <-chan struct{}) <-chan amqp.Delivery {
	out := make(chan amqp.Delivery, prefetch)
	go func() {
		defer close(out)
		for d := range in {
			select {
			case out <- d:
			case <-done:
				return
			}
		}
	}()
	return out
}

// drainReady returns first plus whatever deliveries are already waiting, up
// to max: batching takes what the prefetch brought, it never waits to fill
// a batch. open is false when the delivery channel closed meanwhile.
func drainReady(deliveries <-chan amqp.Delivery, first amqp.Delivery, maxBatch int) (batch []amqp.Delivery, open bool) {
	batch = append(make([]amqp.Delivery, 0, maxBatch), first)
	for len(batch) < maxBatch {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return batch, false
			}
			batch = append(batch, d)
		default:
			return batch, true
		}
	}
	return batch, true
}

// consumer settles the batches of one consuming channel.
type consumer struct {
	a     *AMQP
	ch    *amqp.Channel
	sub   Subscription
	h     Handler
	queue string // metric label
}

// settle decodes batch, applies it and acknowledges or returns each
// delivery. A delivery that cannot be decoded counts as failed.
func (c *consumer) settle(ctx context.Context, batch []amqp.Delivery) {
	m := c.a.metrics
	m.consumed.WithLabelValues(c.queue).Add(float64(len(batch)))
	decoded := make([]Delivery, 0, len(batch))
	source := make([]amqp.Delivery, 0, len(batch))
	var failed []amqp.Delivery
	for _, d := range batch {
		msg, err := decodeDelivery(d)
		if err != nil {
			c.a.log.Warn("undecodable delivery", "queue", c.sub.Queue, "message_id", d.MessageId, "error", err)
			failed = append(failed, d)
			continue
		}
		decoded = append(decoded, msg)
		source = append(source, d)
	}
	var outcomes []error
	if len(decoded) > 0 {
		outcomes = applyBatch(ctx, c.h, decoded, c.a.cfg.HandlerTimeout)
	}
	if len(failed) == 0 && allNil(outcomes) {
		// Every earlier delivery on this channel is settled, so one
		// multiple ack covers exactly this batch.
		if err := c.ch.Ack(batch[len(batch)-1].DeliveryTag, true); err != nil {
			c.a.log.Warn("cannot acknowledge a batch; it will be redelivered", "queue", c.sub.Queue, "error", err)
			return
		}
		m.acked.WithLabelValues(c.queue).Add(float64(len(batch)))
		return
	}
	for i, d := range source {
		if outcomes[i] == nil {
			if err := d.Ack(false); err != nil {
				c.a.log.Warn("cannot acknowledge a delivery; it will be redelivered", "queue", c.sub.Queue, "message_id", d.MessageId, "error", err)
				continue
			}
			m.acked.WithLabelValues(c.queue).Inc()
			continue
		}
		c.a.log.Warn("delivery failed", "queue", c.sub.Queue, "message_id", d.MessageId,
			"type", decoded[i].Type, "delivery_count", decoded[i].DeliveryCount, "error", outcomes[i])
		failed = append(failed, d)
	}
	for _, d := range failed {
		c.reject(d)
	}
}

// reject returns a failed delivery to its queue. A quorum queue counts it
// and dead-letters it after the delivery limit. A private queue has neither
// count nor dead-letter queue: it gets one more try, then it is dropped.
func (c *consumer) reject(d amqp.Delivery) {
	requeue := c.sub.Queue != "" || !d.Redelivered
	if err := d.Nack(false, requeue); err != nil {
		c.a.log.Warn("cannot return a failed delivery; the broker will on reconnect", "queue", c.sub.Queue, "message_id", d.MessageId, "error", err)
		return
	}
	if !requeue {
		c.a.log.Error("dropped a delivery that failed twice on a private queue", "message_id", d.MessageId)
		return
	}
	c.a.metrics.requeued.WithLabelValues(c.queue).Inc()
}

// consumerTag names a consumer in the broker's management tools after the
// connection, unique within it.
func (a *AMQP) consumerTag() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := a.cfg.ConnectionName
	if name == "" {
		name = "ariesone"
	}
	return name + "." + hex.EncodeToString(b[:])
}

// metricQueue labels a subscription's metrics; private queues share one
// label, since their server-chosen names change with every connection.
func metricQueue(sub Subscription) string {
	if sub.Queue == "" {
		return "(private)"
	}
	return sub.Queue
}

// allNil reports whether every outcome is a success.
func allNil(errs []error) bool {
	for _, err := range errs {
		if err != nil {
			return false
		}
	}
	return true
}
