package bus

import (
	"context"
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
	From time.Time
}

// StreamSubscriber reads streams.
type StreamSubscriber interface {
	// ConsumeStream delivers the stream's messages to h, in the order the
	// stream holds them, until ctx ends, declaring the stream and its
	// bindings first. attached(true) is called once the consumer is
	// attached and has read everything the stream held when it attached
	// (caught up); attached(false) when it loses the broker. It reconnects
	// after broker restarts. An error from h is logged and the message is
	// not delivered again: a stream has no redelivery. It returns nil when
	// ctx ends.
	ConsumeStream(ctx context.Context, sub StreamSubscription, h Handler, attached func(bool)) error
}
