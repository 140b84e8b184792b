package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/platform/bus"
)

// NewMessage builds the envelope of an event: a fresh UUIDv7 id (time
// ordered, so ids index well and sort roughly by creation), the payload's
// full protobuf name as PayloadType, the marshalled payload, and the trace
// context of ctx injected through the global OpenTelemetry propagator, so
// the consumer's spans join the trace of the call that caused the event.
//
// source is the publishing service ("company"), eventType the routing key
// ("company.location.created.v1"), companyID the tenant the event belongs
// to or "" for none, and now the time of the change. The time is kept to
// the microsecond, which is what the outbox stores, so the message
// published is the message built.
func NewMessage(ctx context.Context, source, eventType, companyID string, payload proto.Message, now time.Time) (bus.Message, error) {
	switch {
	case source == "":
		return bus.Message{}, errors.New("outbox: new message: empty source")
	case eventType == "":
		return bus.Message{}, errors.New("outbox: new message: empty event type")
	case payload == nil:
		return bus.Message{}, fmt.Errorf("outbox: new message %s: nil payload", eventType)
	case now.IsZero():
		return bus.Message{}, fmt.Errorf("outbox: new message %s: zero time", eventType)
	}
	if companyID != "" {
		id, err := uuid.Parse(companyID)
		if err != nil {
			return bus.Message{}, fmt.Errorf("outbox: new message %s: company id %q is not a UUID", eventType, companyID)
		}
		companyID = id.String()
	}
	id, err := uuid.NewV7()
	if err != nil {
		return bus.Message{}, fmt.Errorf("outbox: new message %s: event id: %w", eventType, err)
	}
	body, err := proto.Marshal(payload)
	if err != nil {
		return bus.Message{}, fmt.Errorf("outbox: new message %s: marshal %s: %w",
			eventType, payload.ProtoReflect().Descriptor().FullName(), err)
	}
	if body == nil {
		// An all-default message encodes to nothing; the envelope still
		// carries an (empty) payload.
		body = []byte{}
	}
	return bus.Message{
		ID:          id.String(),
		Type:        eventType,
		PayloadType: string(payload.ProtoReflect().Descriptor().FullName()),
		CompanyID:   companyID,
		Source:      source,
		OccurTime:   now.UTC().Truncate(time.Microsecond),
		Payload:     body,
		Trace:       traceContext(ctx),
	}, nil
}

// traceContext returns the propagation fields of ctx's span, or nil when
// there is nothing to propagate (no span, or no propagator configured).
func traceContext(ctx context.Context) map[string]string {
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if len(carrier) == 0 {
		return nil
	}
	return carrier
}
