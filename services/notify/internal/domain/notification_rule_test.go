package domain_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestNewNotificationRule(t *testing.T) {
	tests := []struct {
		name   string
		values domain.NotificationRuleValues
		fields []string
	}{
		{name: "role", values: domain.NotificationRuleValues{EventType: "serials.unit.maintenance_due.v1", Title: "Maintenance due", RecipientRole: "warehouse"}},
		{name: "location", values: domain.NotificationRuleValues{EventType: "serials.*", Title: "x", AtEventLocation: true}},
		{name: "neither role nor location", values: domain.NotificationRuleValues{EventType: "serials.*", Title: "x"}, fields: []string{"recipientRole"}},
		{name: "partner is no inbox role", values: domain.NotificationRuleValues{EventType: "serials.*", Title: "x", RecipientRole: "partner"}, fields: []string{"recipientRole"}},
		{name: "bad pattern and blank title", values: domain.NotificationRuleValues{EventType: "serials.*.v1", Title: "  ", RecipientRole: "admin"}, fields: []string{"eventType", "title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := domain.NewNotificationRule("id", "c", tt.values, auditCallTime)
			if diff := cmp.Diff(tt.fields, ruleViolations(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err == nil && (r.ID != "id" || r.CompanyID != "c" || r.EventType != tt.values.EventType) {
				t.Errorf("rule = %+v", r)
			}
		})
	}
}

// ruleViolations returns the violated fields of an invalid-argument error
// (nil for no error), failing the test for any other error.
func ruleViolations(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		t.Fatalf("error = %v, want an invalid-argument error", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return fields
}
