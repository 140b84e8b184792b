package grpcapi_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
)

func TestNotificationRulesRPC(t *testing.T) {
	t.Parallel()
	h := newRPCHarness(t, false)
	a, b := rpcID(t), rpcID(t)
	adminA, adminB := h.as(a, rpcID(t), "admin"), h.as(b, rpcID(t), "admin")
	rule := &notifyv1.NotificationRule{EventType: "serials.unit.maintenance_due.v1", Title: "Maintenance due", RecipientRole: "warehouse", AtEventLocation: true}
	key := rpcID(t)

	created, err := h.notifications.CreateNotificationRule(adminA, &notifyv1.CreateNotificationRuleRequest{NotificationRule: rule, RequestId: key})
	if err != nil {
		t.Fatal(err)
	}
	if created.GetId() == "" || created.GetCreateTime() == nil || created.GetTitle() != "Maintenance due" {
		t.Errorf("created %v", created)
	}
	again, err := h.notifications.CreateNotificationRule(adminA, &notifyv1.CreateNotificationRuleRequest{NotificationRule: rule, RequestId: key})
	if err != nil || again.GetId() != created.GetId() {
		t.Errorf("retry = %v, %v", again, err)
	}
	got, err := h.notifications.GetNotificationRule(adminA, &notifyv1.GetNotificationRuleRequest{Id: created.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got, protocmp.Transform()); diff != "" {
		t.Errorf("Get differs from Create (-create +get):\n%s", diff)
	}

	_, err = h.notifications.CreateNotificationRule(adminA, &notifyv1.CreateNotificationRuleRequest{
		NotificationRule: &notifyv1.NotificationRule{EventType: "serials.*", Title: "Nobody"}})
	expectFields(t, err, "notificationRule.recipientRole")
	_, err = h.notifications.CreateNotificationRule(adminA, &notifyv1.CreateNotificationRuleRequest{
		NotificationRule: &notifyv1.NotificationRule{EventType: "Serials", Title: "x", RecipientRole: "partner"}})
	expectFields(t, err, "notificationRule.eventType", "notificationRule.recipientRole")

	// Tenant B cannot see, list or delete A's rule.
	_, err = h.notifications.GetNotificationRule(adminB, &notifyv1.GetNotificationRuleRequest{Id: created.GetId()})
	expectCode(t, err, codes.NotFound)
	_, err = h.notifications.DeleteNotificationRule(adminB, &notifyv1.DeleteNotificationRuleRequest{Id: created.GetId()})
	expectCode(t, err, codes.NotFound)
	list, err := h.notifications.ListNotificationRules(adminB, &notifyv1.ListNotificationRulesRequest{})
	if err != nil || len(list.GetNotificationRules()) != 0 {
		t.Errorf("tenant B lists %v, %v", list, err)
	}
	list, err = h.notifications.ListNotificationRules(adminA, &notifyv1.ListNotificationRulesRequest{})
	if err != nil || len(list.GetNotificationRules()) != 1 {
		t.Errorf("tenant A lists %v, %v", list, err)
	}
	// Warehouse staff read rules but may not write them.
	_, err = h.notifications.ListNotificationRules(h.as(a, rpcID(t), "warehouse"), &notifyv1.ListNotificationRulesRequest{})
	expectCode(t, err, codes.PermissionDenied)

	if _, err := h.notifications.DeleteNotificationRule(adminA, &notifyv1.DeleteNotificationRuleRequest{Id: created.GetId()}); err != nil {
		t.Fatal(err)
	}
	_, err = h.notifications.GetNotificationRule(adminA, &notifyv1.GetNotificationRuleRequest{Id: created.GetId()})
	expectCode(t, err, codes.NotFound)
	_, err = h.notifications.GetNotificationRule(adminA, &notifyv1.GetNotificationRuleRequest{Id: "nope"})
	expectFields(t, err, "id")
}

func TestNotificationsRPC(t *testing.T) {
	t.Parallel()
	h := newRPCHarness(t, false)
	a, b := rpcID(t), rpcID(t)
	alice, bob, atl := rpcID(t), rpcID(t), rpcID(t)
	h.apply(t,
		rpcEvent(t, "company.user.created.v1", a, &companyv1.UserCreated{CompanyId: a, UserId: alice, Roles: []companyv1.Role{companyv1.Role_ROLE_WAREHOUSE}}, rpcT0),
		rpcEvent(t, "company.user.created.v1", a, &companyv1.UserCreated{CompanyId: a, UserId: bob, Roles: []companyv1.Role{companyv1.Role_ROLE_INTAKE}}, rpcT0),
	)
	if _, err := h.notifications.CreateNotificationRule(h.as(a, rpcID(t), "admin"), &notifyv1.CreateNotificationRuleRequest{
		NotificationRule: &notifyv1.NotificationRule{EventType: "company.location.*", Title: "Location changed", RecipientRole: "warehouse"}}); err != nil {
		t.Fatal(err)
	}
	located := rpcEvent(t, "company.location.updated.v1", a, &companyv1.LocationUpdated{CompanyId: a, LocationId: atl}, rpcT0.Add(time.Minute))
	h.apply(t, located)

	asAlice := h.as(a, alice, "warehouse")
	inbox, err := h.notifications.ListNotifications(asAlice, &notifyv1.ListNotificationsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox.GetNotifications()) != 1 || inbox.GetUnreadCount() != 1 {
		t.Fatalf("alice's inbox = %v", inbox)
	}
	n := inbox.GetNotifications()[0]
	if n.GetUserId() != alice || n.GetEventId() != located.ID || n.GetEventType() != located.Type || n.GetTitle() != "Location changed" ||
		n.GetResourceId() != atl || n.GetReadTime() != nil || n.GetCreateTime() == nil {
		t.Errorf("notification = %v", n)
	}
	if other, err := h.notifications.ListNotifications(h.as(a, bob, "intake"), &notifyv1.ListNotificationsRequest{}); err != nil || len(other.GetNotifications()) != 0 {
		t.Errorf("bob's inbox = %v, %v", other, err)
	}

	// Only alice can mark it; marking twice keeps the first read time.
	_, err = h.notifications.MarkNotificationRead(h.as(a, bob, "intake"), &notifyv1.MarkNotificationReadRequest{Id: n.GetId()})
	expectCode(t, err, codes.NotFound)
	_, err = h.notifications.MarkNotificationRead(h.as(b, alice, "warehouse"), &notifyv1.MarkNotificationReadRequest{Id: n.GetId()})
	expectCode(t, err, codes.NotFound)
	read, err := h.notifications.MarkNotificationRead(asAlice, &notifyv1.MarkNotificationReadRequest{Id: n.GetId()})
	if err != nil || read.GetReadTime() == nil {
		t.Fatalf("MarkNotificationRead = %v, %v", read, err)
	}
	again, err := h.notifications.MarkNotificationRead(asAlice, &notifyv1.MarkNotificationReadRequest{Id: n.GetId()})
	if err != nil || !again.GetReadTime().AsTime().Equal(read.GetReadTime().AsTime()) {
		t.Errorf("marking again = %v, %v", again, err)
	}
	unread, err := h.notifications.ListNotifications(asAlice, &notifyv1.ListNotificationsRequest{UnreadOnly: true})
	if err != nil || len(unread.GetNotifications()) != 0 || unread.GetUnreadCount() != 0 {
		t.Errorf("unread after marking = %v, %v", unread, err)
	}
	_, err = h.notifications.MarkNotificationRead(asAlice, &notifyv1.MarkNotificationReadRequest{Id: "x"})
	expectFields(t, err, "id")
	_, err = h.notifications.ListNotifications(h.as(a, rpcID(t), "partner"), &notifyv1.ListNotificationsRequest{})
	expectCode(t, err, codes.PermissionDenied)
}
