package outbox

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/platform/bus"
)

// Recorder is what a service's use cases hold to emit events: it knows the
// service's name and clock, builds each event with NewMessage and appends it
// in the unit of work of the context. Use cases thus never see the envelope
// nor the table.
type Recorder struct {
	source string
	now    func() time.Time
}

// NewRecorder returns a Recorder for events of source (the service name).
// now is the clock; nil means time.Now.
func NewRecorder(source string, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{source: source, now: now}
}

// Record appends an event of eventType for companyID ("" for none) carrying
// payload, in the unit of work ctx carries; outside one it returns
// ErrNoUnitOfWork and nothing is written.
func (r *Recorder) Record(ctx context.Context, eventType, companyID string, payload proto.Message) error {
	msg, err := NewMessage(ctx, r.source, eventType, companyID, payload, r.now())
	if err != nil {
		return err
	}
	return AppendFromContext(ctx, msg)
}

// RecordBatch appends many events in one statement, in the unit of work
// ctx carries; nothing is written when one of them is refused.
func (r *Recorder) RecordBatch(ctx context.Context, events []Event) error {
	now := r.now()
	msgs := make([]bus.Message, len(events))
	for i, e := range events {
		msg, err := NewMessage(ctx, r.source, e.Type, e.CompanyID, e.Payload, now)
		if err != nil {
			return err
		}
		msgs[i] = msg
	}
	return AppendFromContext(ctx, msgs...)
}

// Event is one event of a batch: its type, tenant ("" for none) and
// payload.
type Event struct {
	Type, CompanyID string
	Payload         proto.Message
}
