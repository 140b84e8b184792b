package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// StreamSubscription says which replayable stream a consumer reads. Unlike
// a queue, a stream is not consumed away: every consumer (every replica of
// every service) reads all of it, and a consumer that starts late reads
// back to a point in time. It is for state every process must rebuild from
// recent history, such as the set of revoked sessions and keys.
type StreamSubscription struct {
	// Name is the durable stream, "ariesone.<purpose>", for example
	// "ariesone.revocations". Every process declares it with the same
	// bindings and MaxAge.
	Name string
	// Bindings are the routing-key patterns bound to it.
	Bindings []string
	// MaxAge is how long the broker keeps a message (the stream's
	// x-max-age); older ones are discarded. Every declarer must use the same
	// value.
	MaxAge time.Duration
	// From is where a consumer's first attach starts reading: the messages
	// stored at or after it. A reattach after a lost connection resumes
	// after the last message delivered, so nothing in between is missed.
	// The zero time reads everything the stream holds. RabbitMQ takes it in
	// whole seconds, so it may also deliver messages stored up to a second
	// earlier: more history, never less.
	From time.Time
}

// StreamSubscriber reads streams.
type StreamSubscriber interface {
	// ConsumeStream delivers the stream's messages to h, in the order the
	// stream holds them, until ctx ends, declaring the stream and its
	// bindings first. attached(true) is called once the consumer is
	// attached and has read everything the stream held when it attached
	// (caught up); attached(false) when it loses the broker, and when it
	// returns, since from then on nothing keeps the caller's state current.
	// attached is called from the consuming goroutine, between handler
	// calls, and may be nil. It reconnects after broker restarts. An error
	// from h is logged and the message is not delivered again: a stream has
	// no redelivery. It returns nil when ctx ends, and an error only for
	// what retrying cannot fix: an invalid subscription, or a stream the
	// broker refuses to declare as asked (for instance one declared with
	// another MaxAge).
	ConsumeStream(ctx context.Context, sub StreamSubscription, h Handler, attached func(bool)) error
}

// streamMaxBatch is the most stream messages handed to one Handler call.
// Catching up on an hour of history goes batch by batch; a live stream
// hands over whatever arrived together.
const streamMaxBatch = 64

// check rejects a stream subscription that could never work. Both
// implementations use it, so they agree on what a subscription means.
func (s StreamSubscription) check() error {
	if s.Name == "" {
		return errors.New("bus: stream subscription has no name")
	}
	if len(s.Bindings) == 0 {
		return fmt.Errorf("bus: stream %q has no bindings, so it would receive nothing", s.Name)
	}
	for _, b := range s.Bindings {
		if b == "" {
			return fmt.Errorf("bus: stream %q has an empty binding", s.Name)
		}
	}
	if s.MaxAge <= 0 {
		return fmt.Errorf("bus: stream %q needs a MaxAge; a stream without one would grow without end", s.Name)
	}
	return nil
}

// maxAgeArg is MaxAge as the stream's x-max-age, in whole seconds rounded
// up. The broker compares the argument as a string when the stream is
// declared again, so "3600s" and "1h" conflict: every declarer must spell
// the same age the same way, and this is the one spelling.
func maxAgeArg(d time.Duration) string {
	return fmt.Sprintf("%ds", int64((d+time.Second-1)/time.Second))
}

// logStreamFailures logs the deliveries h failed on. A stream has no
// redelivery and no dead-letter queue, so the log is all that is left of
// them; the consumer moves on rather than stall every replica on one bad
// message.
func logStreamFailures(log *slog.Logger, batch []Delivery, outcomes []error) {
	for i, err := range outcomes {
		if err != nil {
			log.Error("stream delivery failed; skipped", "message_id", batch[i].ID, "type", batch[i].Type, "error", err)
		}
	}
}
