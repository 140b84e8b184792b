package app_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestNotificationRuleLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := as(newUUID(t), newUUID(t), "admin"), as(newUUID(t), newUUID(t), "admin")
	values := domain.NotificationRuleValues{EventType: "serials.unit.maintenance_due.v1", Title: " Maintenance due ", RecipientRole: "warehouse", AtEventLocation: true}
	key := newUUID(t)

	first, err := w.app.NotificationRules.Create(a, app.CreateNotificationRule{Values: values, RequestID: key})
	if err != nil {
		t.Fatal(err)
	}
	if first.Title != "Maintenance due" || first.CreateTime.IsZero() {
		t.Errorf("created %+v", first)
	}
	again, err := w.app.NotificationRules.Create(a, app.CreateNotificationRule{Values: values, RequestID: key})
	if err != nil || again.ID != first.ID {
		t.Errorf("retry = %+v, %v; want rule %s", again, err, first.ID)
	}
	other := values
	other.Title = "Something else"
	_, err = w.app.NotificationRules.Create(a, app.CreateNotificationRule{Values: other, RequestID: key})
	if diff := cmp.Diff([]string{"requestId"}, violations(t, err)); diff != "" {
		t.Errorf("request id reused (-want +got):\n%s", diff)
	}
	_, err = w.app.NotificationRules.Create(a, app.CreateNotificationRule{Values: domain.NotificationRuleValues{EventType: "serials.*", Title: "x"}})
	if diff := cmp.Diff([]string{"notificationRule.recipientRole"}, violations(t, err)); diff != "" {
		t.Errorf("rule for nobody (-want +got):\n%s", diff)
	}

	got, err := w.app.NotificationRules.Get(a, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, got); diff != "" {
		t.Errorf("Get differs from Create (-create +get):\n%s", diff)
	}
	_, err = w.app.NotificationRules.Get(b, first.ID)
	wantKind(t, err, errs.KindNotFound)
	wantKind(t, w.app.NotificationRules.Delete(b, first.ID), errs.KindNotFound)

	// Pages, oldest first.
	ids := []string{first.ID}
	for range 4 {
		ids = append(ids, w.createRule(t, a, domain.NotificationRuleValues{EventType: "orders.*", Title: "Orders", RecipientRole: "billing"}).ID)
	}
	var listed []string
	token := ""
	for pages := 0; pages < 10; pages++ {
		p, err := w.app.NotificationRules.List(a, app.ListNotificationRules{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			listed = append(listed, r.ID)
		}
		if token = p.NextPageToken; token == "" {
			break
		}
	}
	if diff := cmp.Diff(ids, listed); diff != "" {
		t.Errorf("listed rules (-want +got):\n%s", diff)
	}
	if p, err := w.app.NotificationRules.List(b, app.ListNotificationRules{}); err != nil || len(p.Items) != 0 {
		t.Errorf("tenant b lists %v, %v", p.Items, err)
	}

	if err := w.app.NotificationRules.Delete(a, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.app.NotificationRules.Get(a, first.ID)
	wantKind(t, err, errs.KindNotFound)
	wantKind(t, w.app.NotificationRules.Delete(a, first.ID), errs.KindNotFound)
}
