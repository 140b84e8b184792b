package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// streamPrefetch bounds the stream deliveries unacknowledged on a channel.
// The broker refuses to attach a stream consumer without one. A stream
// never redelivers or removes a message, so acknowledgements only return
// credit: two batches' worth keeps the next batch arriving while one is
// handled.
const streamPrefetch = 2 * streamMaxBatch

// streamOffsetKey is the consumer argument saying where a stream consumer
// attaches, and the header carrying each delivery's offset in the stream.
const streamOffsetKey = "x-stream-offset"

// headerStreamMarker marks the message a stream consumer appends when it
// attaches; its value is that attach's own id. Reading it back means
// everything the stream held before has been read, which is how the
// consumer knows it has caught up: the broker does not say. Markers are
// never handed to a handler, whoever appended them.
const headerStreamMarker = "ariesone-stream-marker"

// ConsumeStream declares sub's stream queue and delivers its messages to h,
// in stream order, until ctx ends or the bus closes, across reconnects; see
// StreamSubscriber.
//
// The first attach starts at sub.From; every later one at the offset after
// the last message handled, so a lost connection costs neither a gap nor a
// duplicate (unless the stream's retention removed what was missed).
func (a *AMQP) ConsumeStream(ctx context.Context, sub StreamSubscription, h Handler, attached func(bool)) error {
	if err := sub.check(); err != nil {
		return err
	}
	if h == nil {
		return errors.New("bus: ConsumeStream needs a handler")
	}
	r := &streamReader{a: a, sub: sub, h: h, notify: attached, log: a.log.With("stream", sub.Name), next: -1}
	a.metrics.streamCaughtUp.WithLabelValues(sub.Name).Set(0)
	defer r.setAttached(false)
	return a.runConsumer(ctx,
		func(ctx context.Context) (bool, error) {
			started, err := r.session(ctx)
			r.setAttached(false)
			return started, err
		},
		func(err error, retryIn time.Duration) {
			r.log.Warn("stream consumer detached; reattaching", "error", err, "retry_in", retryIn, "resume_offset", r.next)
		})
}

// streamReader is one ConsumeStream: where it is in the stream and whether
// it has caught up. Only the ConsumeStream goroutine touches it.
type streamReader struct {
	a      *AMQP
	sub    StreamSubscription
	h      Handler
	notify func(bool)
	log    *slog.Logger

	next     int64  // offset to resume at; -1 until a message was handled
	marker   string // the current attach's marker id
	attached bool   // caught up on the current attach
}

// session attaches on one channel and consumes until it fails or ctx ends.
// started reports whether it got as far as consuming.
func (r *streamReader) session(ctx context.Context) (started bool, err error) {
	a := r.a
	conn, _, err := a.connection(ctx)
	if err != nil {
		return false, err
	}
	ch, err := conn.Channel()
	if err != nil {
		return false, fmt.Errorf("bus: open stream channel: %w", err)
	}
	defer func() { _ = ch.Close() }()
	if err := ch.Qos(streamPrefetch, 0, false); err != nil {
		return false, fmt.Errorf("bus: set stream prefetch: %w", err)
	}
	if err := declareStream(ch, a.cfg.Exchange, r.sub); err != nil {
		return false, err
	}
	// The marker is published on this channel, confirmed: see
	// publishMarker.
	if err := ch.Confirm(false); err != nil {
		return false, fmt.Errorf("bus: confirm mode on the stream channel: %w", err)
	}
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	offset := r.offset()
	incoming, err := ch.Consume(r.sub.Name, a.consumerTag(), false, false, false, false, amqp.Table{streamOffsetKey: offset})
	if err != nil {
		var amqpErr *amqp.Error
		if errors.As(err, &amqpErr) && amqpErr.Code == amqp.PreconditionFailed {
			// Seen while the broker starts: the stream has no replica on
			// this node yet. Unlike a declaration's, this refusal passes,
			// so it is not wrapped as one that retrying cannot fix.
			return false, fmt.Errorf("bus: consume stream %s: %s", r.sub.Name, amqpErr.Reason)
		}
		return false, fmt.Errorf("bus: consume stream %s: %w", r.sub.Name, err)
	}
	done := make(chan struct{})
	defer close(done)
	deliveries := buffer(incoming, streamPrefetch, done)

	dc, err := r.publishMarker(ctx, ch)
	if err != nil {
		return true, err
	}
	r.log.Debug("stream consumer attached", "offset", offset)
	confirmed := dc.Done()
	for {
		select {
		case <-ctx.Done():
			return true, nil
		case <-confirmed:
			confirmed = nil
			if err := markerOutcome(ch, dc, returns); err != nil {
				return true, err
			}
		case d, ok := <-deliveries:
			if !ok {
				return true, fmt.Errorf("bus: deliveries of stream %s stopped: %w", r.sub.Name, errConnectionLost)
			}
			// Unlike a queue's, a stream's deliveries are worth handling
			// even when the channel closed meanwhile: nothing redelivers
			// them, and the resume offset moves past them.
			batch, open := drainReady(deliveries, d, streamMaxBatch)
			if err := r.handle(ctx, ch, batch); err != nil {
				return true, err
			}
			if !open {
				return true, fmt.Errorf("bus: deliveries of stream %s stopped: %w", r.sub.Name, errConnectionLost)
			}
		}
	}
}

// offset is where an attach starts: after the last message handled, or at
// From on the first attach. The broker reads a timestamp argument in whole
// seconds and one before the epoch would not encode, so the zero From (or
// any before 1970) asks for the whole stream by name.
func (r *streamReader) offset() any {
	switch {
	case r.next >= 0:
		return r.next
	case r.sub.From.Unix() <= 0:
		return "first"
	default:
		return r.sub.From
	}
}

// publishMarker appends this attach's marker to the stream.
//
// It goes through the default exchange, straight to the stream queue by
// name: published to the topic exchange under any routing key, it would
// also reach every queue bound to "#" (an event log, a live feed), whose
// consumers would take it for an event. It is mandatory and confirmed
// because the caller stays detached, failing closed, until the marker comes
// back: a marker the broker dropped (the stream deleted since the declare)
// or refused must end the attach, so that the next one declares the stream
// and tries again, rather than leave the consumer waiting for ever.
func (r *streamReader) publishMarker(ctx context.Context, ch *amqp.Channel) (*amqp.DeferredConfirmation, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	r.marker = "marker-" + hex.EncodeToString(b[:])
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", r.sub.Name, true, false, amqp.Publishing{
		Headers:      amqp.Table{headerStreamMarker: r.marker},
		MessageId:    r.marker,
		DeliveryMode: amqp.Persistent,
		Timestamp:    time.Now(),
	})
	if err != nil {
		return nil, fmt.Errorf("bus: publish the marker of stream %s: %w", r.sub.Name, err)
	}
	return dc, nil
}

// markerOutcome reports a marker that did not make it into the stream. The
// broker sends a return before the confirm of the same message, so once the
// confirm is in, a return, if any, is waiting.
func markerOutcome(ch *amqp.Channel, dc *amqp.DeferredConfirmation, returns <-chan amqp.Return) error {
	select {
	case ret, ok := <-returns:
		if ok {
			return fmt.Errorf("%w: stream marker returned: %s", ErrUnroutable, ret.ReplyText)
		}
	default:
	}
	switch {
	case dc.Acked():
		return nil
	case ch.IsClosed():
		return fmt.Errorf("bus: no confirm for the stream marker: %w", errConnectionLost)
	default:
		return fmt.Errorf("%w: stream marker", ErrNacked)
	}
}

// handle hands batch to h, minus markers and undecodable deliveries, and
// acknowledges it. On its own marker it first hands over what preceded it
// and then reports the consumer caught up, so attached(true) comes only
// after the backlog.
func (r *streamReader) handle(ctx context.Context, ch *amqp.Channel, batch []amqp.Delivery) error {
	m := r.a.metrics
	m.consumed.WithLabelValues(r.sub.Name).Add(float64(len(batch)))
	var msgs []Delivery
	flush := func() {
		if len(msgs) == 0 {
			return
		}
		logStreamFailures(r.log, msgs, applyBatch(ctx, r.h, msgs, r.a.cfg.HandlerTimeout))
		msgs = nil
	}
	for _, d := range batch {
		if id, ok := d.Headers[headerStreamMarker]; ok {
			if id == r.marker {
				flush()
				r.setAttached(true)
			}
			continue
		}
		msg, err := decodeDelivery(d)
		if err != nil {
			// Nothing could ever decode it: skip it, or every replica
			// would stall on it.
			r.log.Error("undecodable stream delivery; skipped", "message_id", d.MessageId, "error", err)
			continue
		}
		msgs = append(msgs, msg)
	}
	flush()
	for i := len(batch) - 1; i >= 0; i-- {
		if off, ok := deliveryOffset(batch[i]); ok {
			r.next = off + 1
			break
		}
	}
	last := batch[len(batch)-1].DeliveryTag
	if err := ch.Ack(last, true); err != nil {
		return fmt.Errorf("bus: acknowledge deliveries of stream %s: %w", r.sub.Name, err)
	}
	m.acked.WithLabelValues(r.sub.Name).Add(float64(len(batch)))
	return nil
}

// deliveryOffset returns a stream delivery's offset in the stream.
func deliveryOffset(d amqp.Delivery) (int64, bool) {
	h := headerReader{table: d.Headers, id: d.MessageId}
	if _, ok := d.Headers[streamOffsetKey]; !ok {
		return 0, false
	}
	off := h.count(streamOffsetKey)
	return off, h.err == nil
}

// setAttached reports a change of attachment to the caller and the gauge.
func (r *streamReader) setAttached(v bool) {
	if r.attached == v {
		return
	}
	r.attached = v
	if v {
		r.log.Info("stream consumer caught up")
		r.a.metrics.streamCaughtUp.WithLabelValues(r.sub.Name).Set(1)
	} else {
		r.a.metrics.streamCaughtUp.WithLabelValues(r.sub.Name).Set(0)
	}
	if r.notify != nil {
		r.notify(v)
	}
}
