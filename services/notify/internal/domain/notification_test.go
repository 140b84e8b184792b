package domain_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestNotify(t *testing.T) {
	event := domain.Event{ID: "e1", Type: "serials.unit.maintenance_due.v1", CompanyID: "c"}
	users := []*domain.Recipient{
		{UserID: "wh-atl", Roles: []string{"warehouse"}, LocationIDs: []string{"atl"}, Active: true},
		{UserID: "wh-bos", Roles: []string{"warehouse"}, LocationIDs: []string{"bos"}, Active: true},
		{UserID: "wh-all", Roles: []string{"warehouse"}, Active: true},
		{UserID: "wh-gone", Roles: []string{"warehouse"}, Active: false},
		{UserID: "tech-atl", Roles: []string{"technician"}, LocationIDs: []string{"atl"}, Active: true},
		{UserID: "admin", Roles: []string{"admin", "billing"}, Active: true},
	}
	rule := func(id, typ, role string, atLocation bool) *domain.NotificationRule {
		return &domain.NotificationRule{ID: id, EventType: typ, Title: "t-" + id, RecipientRole: role, AtEventLocation: atLocation}
	}
	type got struct{ Rule, User string }
	tests := []struct {
		name      string
		rules     []*domain.NotificationRule
		locations []string
		want      []got
	}{
		{name: "role only", rules: []*domain.NotificationRule{rule("r1", "serials.unit.maintenance_due.v1", "warehouse", false)},
			want: []got{{"r1", "wh-atl"}, {"r1", "wh-bos"}, {"r1", "wh-all"}}},
		{name: "role at the event's location", rules: []*domain.NotificationRule{rule("r1", "serials.*", "warehouse", true)}, locations: []string{"atl"},
			want: []got{{"r1", "wh-atl"}, {"r1", "wh-all"}}},
		{name: "location only", rules: []*domain.NotificationRule{rule("r1", "serials.unit.*", "", true)}, locations: []string{"atl"},
			want: []got{{"r1", "wh-atl"}, {"r1", "wh-all"}, {"r1", "tech-atl"}, {"r1", "admin"}}},
		{name: "event naming two locations", rules: []*domain.NotificationRule{rule("r1", "serials.*", "warehouse", true)}, locations: []string{"bos", "atl"},
			want: []got{{"r1", "wh-atl"}, {"r1", "wh-bos"}, {"r1", "wh-all"}}},
		{name: "event naming no location reaches users who work everywhere", rules: []*domain.NotificationRule{rule("r1", "serials.*", "warehouse", true)},
			want: []got{{"r1", "wh-all"}}},
		{name: "another type", rules: []*domain.NotificationRule{rule("r1", "orders.*", "warehouse", false), rule("r2", "serials.unit.maintenance_due.v2", "", true)}},
		{name: "prefix at a dot boundary only", rules: []*domain.NotificationRule{rule("r1", "serial.*", "admin", false)}},
		{name: "two rules", rules: []*domain.NotificationRule{rule("r1", "serials.*", "billing", false), rule("r2", "serials.unit.maintenance_due.v1", "technician", true)}, locations: []string{"atl"},
			want: []got{{"r1", "admin"}, {"r2", "tech-atl"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			newID := func() (string, error) { n++; return string(rune('a' + n)), nil }
			out, err := domain.Notify(event, domain.EventFacts{LocationIDs: tt.locations, ResourceID: "unit-1"}, tt.rules, users, newID, auditCallTime)
			if err != nil {
				t.Fatal(err)
			}
			var gotPairs []got
			for _, o := range out {
				gotPairs = append(gotPairs, got{o.RuleID, o.UserID})
				if o.EventID != "e1" || o.ResourceID != "unit-1" || o.Title != "t-"+o.RuleID || o.CompanyID != "c" || o.EventType != event.Type {
					t.Errorf("notification %+v", o)
				}
			}
			if diff := cmp.Diff(tt.want, gotPairs); diff != "" {
				t.Errorf("(rule, user) pairs (-want +got):\n%s", diff)
			}
		})
	}
}
