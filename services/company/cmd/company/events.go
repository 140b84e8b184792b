package main

import (
	"context"
	"strings"

	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/services/company/internal/app"
)

// outboxEvents records company's events in the transactional outbox, in the
// unit of work of the change they describe, and names the event's resource
// in the call's audit record ("location_id" for a location event), which
// is how a create's record names what it created.
type outboxEvents struct {
	recorder *outbox.Recorder
}

// commandEvents is the recorder of the one-off commands (bootstrap,
// rotate-signing-key), which run without the service's dependencies; their
// events wait in the outbox for the serving replicas' relay.
func commandEvents() outboxEvents {
	return outboxEvents{recorder: outbox.NewRecorder("company", nil)}
}

// Record implements app.EventRecorder.
func (o outboxEvents) Record(ctx context.Context, e app.Event) error {
	if parts := strings.Split(e.Type, "."); len(parts) > 2 {
		audit.NoteResource(ctx, parts[1]+"_id", e.ResourceID)
	}
	return o.recorder.Record(ctx, e.Type, e.CompanyID, e.Payload)
}
