package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// EventLog logs the tenants' domain events (the API reads them:
// EventRepository).
type EventLog interface {
	InsertEvent(ctx context.Context, e domain.Event) (inserted bool, err error)
}

// Recipients is the users read model.
type Recipients interface {
	UpdateRecipient(ctx context.Context, companyID, userID string, fn func(*domain.Recipient) bool) error
	ActiveRecipients(ctx context.Context) ([]*domain.Recipient, error)
}

// TenantRules are the notification rules of the unit of work's tenant
// (the API manages them: NotificationRuleRepository).
type TenantRules interface {
	// ListNotificationRules lists after afterID; a limit of 0 lists all.
	ListNotificationRules(ctx context.Context, afterID string, limit int) ([]*domain.NotificationRule, error)
}

// Inboxes receive the notifications events make (the API reads them:
// NotificationRepository).
type Inboxes interface {
	InsertNotifications(ctx context.Context, ns []*domain.Notification) error
}

// WebhookEnqueuer schedules the deliveries of an event to the tenant's
// webhook subscriptions, and suspends the subscriptions whose creator's
// authority an event ended; Application.WebhookDeliveries implements it. It
// runs in the consumer's unit of work (ctx carries it), so deliveries are
// scheduled exactly when the event is logged.
type WebhookEnqueuer interface {
	EnqueueWebhookDeliveries(ctx context.Context, e domain.Event) error
	SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string) error
}

// ingestEvent applies one event of a tenant, in the unit of work ctx
// carries: log it, update the users read model, notify the recipients of
// matching rules, suspend the webhook subscriptions whose creator's
// authority it ends, schedule webhook deliveries. An event already in the log
// was applied before (in the transaction that logged it) and is skipped.
func (c *EventConsumer) ingestEvent(ctx context.Context, e domain.Event) error {
	msg, err := decodePayload(e)
	if err != nil {
		return err
	}
	inserted, err := c.Events.InsertEvent(ctx, e)
	if err != nil || !inserted {
		return err
	}
	if userID, change, ok := userChange(e.Type, msg, e.OccurTime); ok {
		if !usecase.IsID(userID) {
			return fmt.Errorf("event %s: user id %q is not a UUID", e.ID, userID)
		}
		err := c.Recipients.UpdateRecipient(ctx, e.CompanyID, userID, func(r *domain.Recipient) bool { return r.Apply(change) })
		if err != nil {
			return err
		}
	}
	if err := c.notify(ctx, e, eventFacts(msg)); err != nil {
		return err
	}
	if c.Webhooks == nil {
		return nil
	}
	if creatorID, reason, ok := authorityEnded(e.Type, msg); ok {
		if err := c.Webhooks.SuspendWebhookSubscriptionsOf(ctx, creatorID, reason); err != nil {
			return err
		}
	}
	return c.Webhooks.EnqueueWebhookDeliveries(ctx, e)
}

// notify makes the notifications of the built-in rules and the tenant's
// rules that match e. The users are read only when a rule matches: most
// events notify nobody.
func (c *EventConsumer) notify(ctx context.Context, e domain.Event, facts domain.EventFacts) error {
	own, err := c.Rules.ListNotificationRules(ctx, "", 0)
	if err != nil {
		return err
	}
	var rules []*domain.NotificationRule
	for _, r := range slices.Concat(domain.BuiltInRules(), own) {
		if r.Matches(e.Type) {
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 {
		return nil
	}
	users, err := c.Recipients.ActiveRecipients(ctx)
	if err != nil {
		return err
	}
	ns, err := domain.Notify(e, facts, rules, users, usecase.NewID, c.Now.Stamp())
	if err != nil {
		return err
	}
	return c.Notifications.InsertNotifications(ctx, ns)
}
