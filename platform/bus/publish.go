package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// publishWindow is the most messages awaiting a confirm at once. A larger
// batch is published window by window. It also sizes the buffer of returned
// messages, which is what makes correlating returns reliable (see
// awaitConfirms).
const publishWindow = 256

// publisher is the bus's one confirm-mode channel. Publish calls take turns
// on it: the outbox relay publishes one batch at a time anyway, and a
// channel shared by concurrent batches would mix their returns.
type publisher struct {
	turn    chan struct{} // holds a token while a Publish runs
	ch      *amqp.Channel // nil until first needed and after a failure
	returns chan amqp.Return
}

func (p *publisher) init() { p.turn = make(chan struct{}, 1) }

// close waits up to timeout for a running Publish and closes the channel.
func (p *publisher) close(timeout time.Duration) {
	select {
	case p.turn <- struct{}{}:
		defer func() { <-p.turn }()
	case <-time.After(timeout):
		return
	}
	p.discard()
}

// discard closes the channel so the next window starts on a fresh one: no
// confirm or return from an abandoned window can be mistaken for a later
// one's.
func (p *publisher) discard() {
	if p.ch != nil {
		_ = p.ch.Close()
	}
	p.ch, p.returns = nil, nil
}

// Publish sends msgs to the exchange as persistent, mandatory messages and
// waits for the broker's verdict on each; see Publisher. It waits for a
// connection if there is none, within ctx or ConfirmTimeout, whichever ends
// first.
func (a *AMQP) Publish(ctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	if len(msgs) == 0 {
		return errs
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.ConfirmTimeout)
	defer cancel()
	select {
	case a.pub.turn <- struct{}{}:
		defer func() { <-a.pub.turn }()
	case <-ctx.Done():
		fill(errs, fmt.Errorf("bus: waiting to publish: %w", ctx.Err()))
		return errs
	}
	a.mu.Lock()
	closed := a.closed
	a.mu.Unlock()
	if closed {
		fill(errs, ErrClosed)
		return errs
	}
	for start := 0; start < len(msgs); start += publishWindow {
		end := min(start+publishWindow, len(msgs))
		a.publishWindow(ctx, msgs[start:end], errs[start:end])
	}
	return errs
}

// publishWindow publishes msgs and records each one's outcome in errs.
func (a *AMQP) publishWindow(ctx context.Context, msgs []Message, errs []error) {
	ch, err := a.publishChannel(ctx)
	if err != nil {
		fill(errs, err)
		return
	}
	pending := make([]*amqp.DeferredConfirmation, len(msgs))
	for i, m := range msgs {
		key, p, err := encodeMessage(m)
		if err != nil {
			errs[i] = err
			continue
		}
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, a.cfg.Exchange, key, true, false, p)
		if err != nil {
			// The channel is unusable (or ctx ended): nothing after this
			// message was sent either.
			for j := i; j < len(msgs); j++ {
				if errs[j] == nil {
					errs[j] = fmt.Errorf("bus: publish %s: %w", msgs[j].ID, err)
				}
			}
			a.metrics.publishResult.WithLabelValues(a.cfg.Exchange, resultUnanswered).Add(float64(len(msgs) - i))
			a.pub.discard()
			break
		}
		a.metrics.published.WithLabelValues(a.cfg.Exchange).Inc()
		pending[i] = dc
	}
	a.awaitConfirms(ctx, ch, msgs, pending, errs)
}

// awaitConfirms waits for the confirm of every published message.
//
// A message that no queue takes comes back as basic.return, which the
// broker sends before the basic.ack of the same message, on the same
// channel. The library hands returns over before it processes the next
// frame, and the buffer holds a whole window, so once a message's confirm
// is in, its return (if any) is already in the buffer: draining the buffer
// then and matching by message id tells a routed message from a returned
// one. The buffer must never fill, because the library drops a return it
// cannot hand over within a few seconds, and a dropped return would make an
// unroutable message look delivered.
func (a *AMQP) awaitConfirms(ctx context.Context, ch *amqp.Channel, msgs []Message, pending []*amqp.DeferredConfirmation, errs []error) {
	returns := a.pub.returns
	returned := make(map[string]int)
	drain := func() {
		for {
			select {
			case r, ok := <-returns:
				if !ok {
					returns = nil
					return
				}
				returned[r.MessageId]++
			default:
				return
			}
		}
	}
	for i, dc := range pending {
		if dc == nil {
			continue
		}
	wait:
		for {
			select {
			case <-dc.Done():
				break wait
			case r, ok := <-returns:
				if !ok {
					returns = nil
					continue
				}
				returned[r.MessageId]++
			case <-ctx.Done():
				for j := i; j < len(pending); j++ {
					if pending[j] != nil {
						errs[j] = fmt.Errorf("bus: no confirm for %s: %w", msgs[j].ID, ctx.Err())
						a.metrics.publishResult.WithLabelValues(a.cfg.Exchange, resultUnanswered).Inc()
					}
				}
				a.pub.discard()
				return
			}
		}
		drain()
		id := msgs[i].ID
		result := resultConfirmed
		switch {
		case returned[id] > 0:
			returned[id]--
			errs[i] = fmt.Errorf("%w: %s (type %s) reached no queue on %s", ErrUnroutable, id, msgs[i].Type, a.cfg.Exchange)
			result = resultReturned
		case dc.Acked():
		case ch.IsClosed():
			// The library settles every open confirm negatively when the
			// channel goes: the broker may or may not have the message.
			errs[i] = fmt.Errorf("bus: no confirm for %s: %w", id, errConnectionLost)
			result = resultUnanswered
		default:
			errs[i] = fmt.Errorf("%w: %s", ErrNacked, id)
			result = resultNacked
		}
		a.metrics.publishResult.WithLabelValues(a.cfg.Exchange, result).Inc()
	}
	if ch.IsClosed() {
		a.pub.discard()
	}
}

// errConnectionLost reports a channel or connection that went away while
// messages awaited their confirm.
var errConnectionLost = errors.New("bus: connection to the broker lost")

// publishChannel returns the confirm-mode channel, opening one (waiting for
// a connection if need be) when there is none or it was closed.
func (a *AMQP) publishChannel(ctx context.Context) (*amqp.Channel, error) {
	if a.pub.ch != nil && !a.pub.ch.IsClosed() {
		return a.pub.ch, nil
	}
	a.pub.discard()
	for {
		conn, down, err := a.connection(ctx)
		if err != nil {
			return nil, err
		}
		ch, err := conn.Channel()
		if err == nil {
			if err = ch.Confirm(false); err != nil {
				_ = ch.Close()
			}
		}
		if err == nil {
			a.pub.ch = ch
			a.pub.returns = ch.NotifyReturn(make(chan amqp.Return, publishWindow))
			return ch, nil
		}
		// Most likely the connection died and the manager has not noticed
		// yet; wait for it to, or retry shortly if the connection is fine.
		a.log.Warn("cannot open the publishing channel", "error", err)
		select {
		case <-down:
		case <-time.After(a.cfg.ReconnectMin):
		case <-ctx.Done():
			return nil, fmt.Errorf("bus: open publishing channel: %w", err)
		}
	}
}

// fill sets every entry of errs to err.
func fill(errs []error, err error) {
	for i := range errs {
		errs[i] = err
	}
}
