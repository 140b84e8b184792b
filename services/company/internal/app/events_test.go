package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/services/company/internal/app"
)

func TestMemoryRecorder(t *testing.T) {
	ctx := context.Background()
	var m app.MemoryRecorder
	for _, typ := range []string{app.EventLocationCreated, app.EventLocationDeleted} {
		if err := m.Record(ctx, app.Event{Type: typ}); err != nil {
			t.Fatalf("Record %s: %v", typ, err)
		}
	}
	events := m.Events()
	events[0].Type = "changed by the caller"
	if got := m.Types(); len(got) != 2 || got[0] != app.EventLocationCreated || got[1] != app.EventLocationDeleted {
		t.Errorf("Types = %v", got)
	}

	errDown := errors.New("down")
	m.FailWith(errDown)
	if err := m.Record(ctx, app.Event{Type: app.EventLocationUpdated}); !errors.Is(err, errDown) {
		t.Errorf("Record while failing = %v, want %v", err, errDown)
	}
	m.FailWith(nil)
	if err := m.Record(ctx, app.Event{Type: app.EventLocationUndeleted}); err != nil {
		t.Errorf("Record after failing: %v", err)
	}
	if got := m.Types(); len(got) != 3 || got[2] != app.EventLocationUndeleted {
		t.Errorf("Types = %v, want the event recorded while failing left out", got)
	}
}

func TestMemoryRecorderCheckVetsEachEvent(t *testing.T) {
	errOutside := errors.New("outside a unit of work")
	m := app.MemoryRecorder{Check: func(_ context.Context, e app.Event) error {
		if e.CompanyID == "" {
			return errOutside
		}
		return nil
	}}
	if err := m.Record(context.Background(), app.Event{Type: app.EventUserCreated}); !errors.Is(err, errOutside) {
		t.Errorf("Record of a refused event = %v, want %v", err, errOutside)
	}
	if err := m.Record(context.Background(), app.Event{Type: app.EventUserCreated, CompanyID: "c-1"}); err != nil {
		t.Errorf("Record of an accepted event: %v", err)
	}
	if got := m.Types(); len(got) != 1 {
		t.Errorf("Types = %v, want only the accepted event", got)
	}
}

// TestEventTypesAreRoutingKeys checks the shape the broker's routing relies
// on: "company.<resource>.<verb>.v1", each type once.
func TestEventTypesAreRoutingKeys(t *testing.T) {
	types := []string{
		app.EventCompanyCreated, app.EventCompanyUpdated,
		app.EventLocationCreated, app.EventLocationUpdated, app.EventLocationDeleted, app.EventLocationUndeleted,
		app.EventUserCreated, app.EventUserUpdated, app.EventUserRolesChanged, app.EventUserDeactivated, app.EventUserReactivated,
		app.EventSessionStarted, app.EventSessionRevoked, app.EventAPIKeyCreated, app.EventAPIKeyRevoked, app.EventSigningKeyRotated,
	}
	seen := map[string]bool{}
	for _, typ := range types {
		parts := strings.Split(typ, ".")
		if len(parts) != 4 || parts[0] != "company" || parts[3] != "v1" || seen[typ] {
			t.Errorf("event type %q is not a unique company.<resource>.<verb>.v1", typ)
		}
		seen[typ] = true
	}
}
