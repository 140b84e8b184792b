package domain_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// TestBuiltInRulesAreValidRules proves every built-in rule is one a tenant
// could have created, with a fixed id of its own that a stored rule's
// column accepts.
func TestBuiltInRulesAreValidRules(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range domain.BuiltInRules() {
		if _, err := uuid.Parse(r.ID); err != nil || seen[r.ID] {
			t.Errorf("rule %q: id is not a distinct UUID (%v)", r.EventType, err)
		}
		seen[r.ID] = true
		values := domain.NotificationRuleValues{EventType: r.EventType, Title: r.Title, RecipientRole: r.RecipientRole,
			AtEventLocation: r.AtEventLocation, ToSubject: r.ToSubject}
		valid, err := domain.NewNotificationRule(r.ID, "", values, auditCallTime)
		if err != nil {
			t.Errorf("rule %q: %v", r.EventType, err)
			continue
		}
		if diff := cmp.Diff(valid, r, cmpopts.IgnoreFields(domain.NotificationRule{}, "CreateTime")); diff != "" {
			t.Errorf("rule %q differs from the rule its values make (-valid +built-in):\n%s", r.EventType, diff)
		}
	}
	// Callers get their own copies.
	domain.BuiltInRules()[0].Title = "changed"
	if domain.BuiltInRules()[0].Title == "changed" {
		t.Error("a caller changed the built-in rules")
	}
}

// TestOrderLineFlaggedReachesTheBranchWarehouse: the warehouse staff of the
// order's branch, and those limited to no location, hear of a flagged
// line; nobody else does.
func TestOrderLineFlaggedReachesTheBranchWarehouse(t *testing.T) {
	users := []*domain.Recipient{
		{UserID: "wh-atl", Roles: []string{"warehouse"}, LocationIDs: []string{"atl"}, Active: true},
		{UserID: "wh-bos", Roles: []string{"warehouse"}, LocationIDs: []string{"bos"}, Active: true},
		{UserID: "wh-all", Roles: []string{"warehouse"}, Active: true},
		{UserID: "wh-gone", Roles: []string{"warehouse"}, LocationIDs: []string{"atl"}, Active: false},
		{UserID: "tech-atl", Roles: []string{"technician"}, LocationIDs: []string{"atl"}, Active: true},
		{UserID: "admin", Roles: []string{"admin"}, Active: true},
	}
	newID := func() (string, error) { return "n", nil }
	flagged := domain.Event{ID: "e1", Type: domain.EventOrderLineFlagged, CompanyID: "c"}
	out, err := domain.Notify(flagged, domain.EventFacts{LocationIDs: []string{"atl"}, ResourceID: "order-1"}, domain.BuiltInRules(), users, newID, auditCallTime)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range out {
		got = append(got, n.UserID)
		if n.RuleID != domain.OrderLineFlaggedRuleID || n.ResourceID != "order-1" {
			t.Errorf("notification %+v", n)
		}
	}
	if diff := cmp.Diff([]string{"wh-atl", "wh-all"}, got); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}

	other := domain.Event{ID: "e2", Type: "orders.order.created.v1", CompanyID: "c"}
	if out, _ := domain.Notify(other, domain.EventFacts{LocationIDs: []string{"atl"}}, domain.BuiltInRules(), users, newID, auditCallTime); len(out) != 0 {
		t.Errorf("orders.order.created.v1 made %d built-in notifications", len(out))
	}
}
