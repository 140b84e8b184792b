package grpcapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
	"github.com/ariesone/ariesone/services/notify/internal/webhook/webhooktest"
)

// TestPageTokensAreOpaque lists two pages or more of every List method of
// notify and checks that no token carries a field value of a listed row
// (ids, call and occur times, sequence numbers) and that a tampered token
// is refused.
func TestPageTokensAreOpaque(t *testing.T) {
	t.Parallel()
	h := newRPCHarness(t, false)
	a, alice := rpcID(t), rpcID(t)
	h.apply(t, rpcEvent(t, "company.user.created.v1", a,
		&companyv1.UserCreated{CompanyId: a, UserId: alice, Roles: []companyv1.Role{companyv1.Role_ROLE_WAREHOUSE}}, rpcT0))
	admin := h.as(a, rpcID(t), "admin")
	for i := range 3 {
		if _, err := h.notifications.CreateNotificationRule(admin, &notifyv1.CreateNotificationRuleRequest{
			NotificationRule: &notifyv1.NotificationRule{EventType: "company.location.*", Title: fmt.Sprintf("Location changed %d", i), RecipientRole: "warehouse"}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		at := rpcT0.Add(time.Duration(i+1) * time.Minute)
		h.apply(t,
			rpcEvent(t, "company.location.updated.v1", a, &companyv1.LocationUpdated{CompanyId: a, LocationId: rpcID(t), Code: fmt.Sprintf("ATLANTA-%02d", i)}, at),
			rpcAuditEvent(t, a, "alice-"+rpcID(t), map[string]string{"id": rpcID(t)}, at))
	}

	t.Run("ListAuditRecords", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*notifyv1.ListAuditRecordsResponse, error) {
			return h.audits.ListAuditRecords(h.as(a, rpcID(t), "auditor"), &notifyv1.ListAuditRecordsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListEvents", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*notifyv1.ListEventsResponse, error) {
			return h.events.ListEvents(admin, &notifyv1.ListEventsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListNotifications", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*notifyv1.ListNotificationsResponse, error) {
			return h.notifications.ListNotifications(h.as(a, alice, "warehouse"), &notifyv1.ListNotificationsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListNotificationRules", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*notifyv1.ListNotificationRulesResponse, error) {
			return h.notifications.ListNotificationRules(admin, &notifyv1.ListNotificationRulesRequest{PageSize: 1, PageToken: token})
		})
	})
}

// TestWebhookPageTokensAreOpaque does the same for WebhookService's
// listings.
func TestWebhookPageTokensAreOpaque(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	sub := createSubscription(t, h, c.a).GetWebhookSubscription()
	for range 2 {
		createSubscription(t, h, c.a)
	}
	for i := range 3 {
		e := domain.Event{
			ID: uuid.NewString(), Type: "company.location.created.v1", PayloadType: "ariesone.company.v1.LocationCreated",
			CompanyID: webhookCompanyA, Source: "company", OccurTime: time.Now().UTC().Add(time.Duration(i) * time.Second),
		}
		if err := h.App.WebhookDeliveries.EnqueueWebhookDeliveries(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ListWebhookSubscriptions", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*notifyv1.ListWebhookSubscriptionsResponse, error) {
			return h.Client.ListWebhookSubscriptions(c.a, &notifyv1.ListWebhookSubscriptionsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListWebhookDeliveries", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*notifyv1.ListWebhookDeliveriesResponse, error) {
			return h.Client.ListWebhookDeliveries(c.a, &notifyv1.ListWebhookDeliveriesRequest{SubscriptionId: sub.GetId(), PageSize: 1, PageToken: token})
		})
	})
}
