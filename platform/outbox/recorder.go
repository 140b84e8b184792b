package outbox

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"
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
