package service

import (
	"context"
	"strings"

	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/usecase"
)

// UseCaseEvents records a service's use-case events in its transactional
// outbox, in the unit of work of the change they describe, and names the
// event's resource in the call's audit record ("location_id" for
// "company.location.created.v1"), which is how a create's record names
// what it created.
func UseCaseEvents(recorder *outbox.Recorder) usecase.EventRecorder {
	return outboxEvents{recorder: recorder}
}

// CommandEvents is the recorder of a service's one-off commands, which run
// without the service's dependencies; their events wait in the outbox for
// the serving replicas' relay.
func CommandEvents(service string) usecase.EventRecorder {
	return outboxEvents{recorder: outbox.NewRecorder(service, nil)}
}

type outboxEvents struct {
	recorder *outbox.Recorder
}

func (o outboxEvents) Record(ctx context.Context, e usecase.Event) error {
	noteResource(ctx, e)
	return o.recorder.Record(ctx, e.Type, e.CompanyID, e.Payload)
}

// RecordBatch appends events in one outbox statement. Only the first
// event's resource is named in the call's audit record: a batch is one
// command's many results (a billing run's claim lines), each of which its
// own event carries to the trail.
func (o outboxEvents) RecordBatch(ctx context.Context, events []usecase.Event) error {
	if len(events) > 0 {
		noteResource(ctx, events[0])
	}
	batch := make([]outbox.Event, len(events))
	for i, e := range events {
		batch[i] = outbox.Event{Type: e.Type, CompanyID: e.CompanyID, Payload: e.Payload}
	}
	return o.recorder.RecordBatch(ctx, batch)
}

// noteResource names the event's resource in the call's audit record
// ("location_id" for "company.location.created.v1").
func noteResource(ctx context.Context, e usecase.Event) {
	if parts := strings.Split(e.Type, "."); len(parts) > 2 {
		audit.NoteResource(ctx, parts[1]+"_id", e.ResourceID)
	}
}
