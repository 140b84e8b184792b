package app

import (
	"context"
	"time"

	"google.golang.org/protobuf/reflect/protoregistry"

	// Payload types rendered as JSON in webhook bodies, registered with
	// protoregistry by their generated packages. A service's events are
	// rendered field by field once its package is imported here; until
	// then their payload travels as {"@type", "value"} (base64).
	_ "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/usecase"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// WebhookDeliveryRepository stores the deliveries of events to webhook
// subscriptions and their attempts.
type WebhookDeliveryRepository interface {
	ListWebhookDeliveries(ctx context.Context, subscriptionID string, beforeTime time.Time, beforeID string, limit int) ([]*domain.WebhookDelivery, error)
	EnqueueWebhookDeliveries(ctx context.Context, companyID string, plan func([]*domain.WebhookSubscription) ([]*domain.WebhookDelivery, error)) (int, error)
	SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string, now time.Time) (int, error)
}

// WebhookDeliveries are the delivery log's query, and the scheduling of
// deliveries for the event consumer: they implement WebhookEnqueuer, which
// also suspends the subscriptions whose creator's authority an event ended
// (so that they deliver no more).
type WebhookDeliveries struct{ n *notifier }

// ListWebhookDeliveries pages through a subscription's deliveries, newest
// first, each with its attempts.
type ListWebhookDeliveries struct {
	SubscriptionID string
	PageSize       int32
	PageToken      string
}

// WebhookDeliveryPage is one page of deliveries.
type WebhookDeliveryPage = usecase.Page[*domain.WebhookDelivery]

// List returns one page; another tenant's subscription is NOT_FOUND, and
// the token is bound to the tenant and the subscription.
func (h WebhookDeliveries) List(ctx context.Context, q ListWebhookDeliveries) (WebhookDeliveryPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return WebhookDeliveryPage{}, err
	}
	if err := usecase.CheckID("subscriptionId", q.SubscriptionID); err != nil {
		return WebhookDeliveryPage{}, err
	}
	deliveries, next, err := usecase.CompositeKeysetPage(h.n.Pages, q.PageSize, q.PageToken, []string{"ListWebhookDeliveries", p.CompanyID, q.SubscriptionID}, 2, validWebhookKey,
		func(after []string, limit int) ([]*domain.WebhookDelivery, error) {
			beforeTime, beforeID := webhookAfter(after)
			return h.n.Webhooks.ListWebhookDeliveries(ctx, q.SubscriptionID, beforeTime, beforeID, limit)
		},
		func(d *domain.WebhookDelivery) []string { return webhookKeys(d.CreateTime, d.ID) })
	return WebhookDeliveryPage{Items: deliveries, NextPageToken: next}, err
}

// EnqueueWebhookDeliveries makes one pending delivery of e for every active
// subscription of e's tenant whose event types match e.Type and whose
// creator's current roles may see it, with the body rendered as those roles
// may see it (domain.RenderWebhookBody), once per distinct view: every
// subscription with the same view and every retry get identical bytes. It
// runs in the unit of work ctx carries (the consumer's), so deliveries exist
// exactly when the event is logged; a redelivered event schedules nothing
// twice. An event without a tenant has no subscriptions.
func (h WebhookDeliveries) EnqueueWebhookDeliveries(ctx context.Context, e domain.Event) error {
	if e.CompanyID == "" {
		return nil
	}
	now := h.n.Now.Stamp()
	_, err := h.n.Webhooks.EnqueueWebhookDeliveries(ctx, e.CompanyID, func(subs []*domain.WebhookSubscription) ([]*domain.WebhookDelivery, error) {
		var shown *shownEvent
		bodies := map[string][]byte{} // by the view's payload
		var out []*domain.WebhookDelivery
		for _, s := range subs {
			if !s.Wants(e.Type) {
				continue
			}
			if shown == nil {
				shown = showEvent(e)
			}
			view, ok := shown.to(s.CreatorRoles)
			if !ok {
				continue
			}
			body, ok := bodies[string(view.Payload)]
			if !ok {
				b, err := domain.RenderWebhookBody(view, protoregistry.GlobalTypes)
				if err != nil {
					return nil, err
				}
				body = b
				bodies[string(view.Payload)] = b
			}
			id, err := usecase.NewID()
			if err != nil {
				return nil, err
			}
			out = append(out, domain.NewWebhookDelivery(id, s, e, body, now))
		}
		return out, nil
	})
	return err
}

// SuspendWebhookSubscriptionsOf suspends, for reason, the subscriptions of
// the event's tenant that deliver with creatorID's authority, which has
// ended. It runs in the consumer's unit of work.
func (h WebhookDeliveries) SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string) error {
	_, err := h.n.Webhooks.SuspendWebhookSubscriptionsOf(ctx, creatorID, reason, h.n.Now.Stamp())
	return err
}
