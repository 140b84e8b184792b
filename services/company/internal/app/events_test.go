package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/services/company/internal/app"
)

func TestLogRecorderLogsIDsOnly(t *testing.T) {
	var buf bytes.Buffer
	r := app.LogRecorder{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	r.Record(context.Background(), app.Event{
		Type:       app.EventUserCreated,
		CompanyID:  "c-1",
		ResourceID: "u-1",
		Payload:    &companyv1.UserCreated{CompanyId: "c-1", UserId: "u-1", Email: "ana.lopez@acme.example"},
	})
	line := buf.String()
	if strings.Contains(line, "ana.lopez") {
		t.Errorf("log line carries a payload value: %s", line)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("not one JSON line: %v", err)
	}
	for key, want := range map[string]string{
		"event_type":   app.EventUserCreated,
		"company_id":   "c-1",
		"resource_id":  "u-1",
		"payload_type": "ariesone.company.v1.UserCreated",
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %q", key, got[key], want)
		}
	}
}

func TestMemoryRecorder(t *testing.T) {
	var m app.MemoryRecorder
	m.Record(context.Background(), app.Event{Type: app.EventLocationCreated})
	m.Record(context.Background(), app.Event{Type: app.EventLocationDeleted})
	events := m.Events()
	events[0].Type = "changed by the caller"
	if got := m.Types(); len(got) != 2 || got[0] != app.EventLocationCreated || got[1] != app.EventLocationDeleted {
		t.Errorf("Types = %v", got)
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
