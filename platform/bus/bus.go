// Package bus carries AriesOne's domain events between services: the
// envelope every event travels in, a Publisher the outbox relay hands
// committed events to, and a Subscriber that feeds a consuming service's
// handler. Two implementations share the interfaces: RabbitMQ (amqp091-go),
// and an in-process bus for local runs without a broker.
package bus

import (
	"context"
	"errors"
	"time"
)

// Exchange is the durable topic exchange every service publishes to.
const Exchange = "ariesone.events"

// ContentType of every payload: the event's protobuf message, binary.
const ContentType = "application/protobuf"

// Message is one event in its envelope. Over AMQP, ID is the
// message-id, Type the routing key, PayloadType the type property, OccurTime
// the timestamp; CompanyID, Source and the trace context travel in headers
// (CloudEvents attributes).
type Message struct {
	// ID is the event id, a UUID (v7), unique across AriesOne. Consumers
	// de-duplicate on it.
	ID string
	// Type is the routing key, "<service>.<resource>.<verb>.v<n>", for
	// example "company.location.created.v1".
	Type string
	// PayloadType is the full name of the payload's protobuf message, for
	// example "ariesone.company.v1.LocationCreated".
	PayloadType string
	// CompanyID is the tenant the event belongs to; empty for events that
	// belong to no tenant (an unauthenticated call's audit record).
	CompanyID string
	// Source is the publishing service, for example "company".
	Source string
	// OccurTime is when the change committed (when the event was appended).
	OccurTime time.Time
	// Payload is the protobuf encoding of the event's message.
	Payload []byte
	// Trace carries the W3C trace context ("traceparent", "tracestate") of
	// the call that caused the event, so traces cross the broker.
	Trace map[string]string
}

// Publisher publishes events durably.
type Publisher interface {
	// Publish sends msgs and waits until the broker has taken
	// responsibility for each (a publisher confirm) or refused it. The
	// result has one entry per message, in order: nil when confirmed, an
	// error (ErrUnroutable, ErrNacked, a timeout, a lost connection)
	// otherwise. A confirmed message is never lost; an unconfirmed one may
	// or may not have been delivered, so callers retry it and consumers
	// de-duplicate.
	Publish(ctx context.Context, msgs []Message) []error
}

// ErrUnroutable reports a message the exchange could route to no queue
// (returned under the mandatory flag): nobody is bound for its type, which
// is a topology mistake to notice, not an event to drop.
var ErrUnroutable = errors.New("bus: message unroutable")

// ErrNacked reports a message the broker refused to take.
var ErrNacked = errors.New("bus: message nacked by the broker")

// Delivery is a message as a consumer receives it.
type Delivery struct {
	Message
	// Redelivered is true when the broker delivered it before and it was
	// not acknowledged.
	Redelivered bool
	// DeliveryCount is how many times it was delivered before this one
	// (the quorum queue's x-delivery-count), 0 on the first delivery.
	DeliveryCount int64
}

// Handler applies a batch of deliveries. Returning nil acknowledges all of
// them. Returning an error makes the subscriber retry each delivery of the
// batch on its own, so one bad message cannot hold back the others; a
// delivery that still fails is returned to its queue and, after the queue's
// delivery limit, dead-lettered.
type Handler func(ctx context.Context, batch []Delivery) error

// Subscription says what a consumer receives.
type Subscription struct {
	// Queue is the durable queue name, "<service>.<purpose>", for example
	// "notify.events". Empty means a private queue for this process only
	// (exclusive, deleted when the process goes), for live fan-out to every
	// replica; it is not durable and has no dead-letter handling.
	Queue string
	// Bindings are the routing-key patterns bound to the queue ("#" for
	// everything, "company.user.*.v1").
	Bindings []string
	// Prefetch bounds the unacknowledged deliveries held at once (and so
	// the largest batch).
	Prefetch int
	// MaxBatch is the most deliveries handed to one Handler call; 1 means
	// one at a time.
	MaxBatch int
	// DeliveryLimit is how many times a message is delivered before it is
	// dead-lettered into "<Queue>.dlq". Required for a named queue: the
	// broker has no default. (The quorum queue's x-delivery-limit is one
	// less, because the broker counts returns, not deliveries.) Private
	// queues ignore it: a message failing twice there is dropped.
	DeliveryLimit int
}

// Subscriber runs consumers.
type Subscriber interface {
	// Consume delivers the subscription's messages to h until ctx ends,
	// declaring the queue, its bindings and its dead-letter queue first. It
	// reconnects after broker restarts. It returns nil when ctx ends.
	Consume(ctx context.Context, sub Subscription, h Handler) error
}
