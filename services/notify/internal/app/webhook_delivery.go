package app

import (
	"context"

	"google.golang.org/protobuf/reflect/protoregistry"

	// Payload types rendered as JSON in webhook bodies, registered with
	// protoregistry by their generated packages. A service's events are
	// rendered field by field once its package is imported here; until
	// then their payload travels as {"@type", "value"} (base64).
	_ "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/usecase"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// ListWebhookDeliveries pages through a subscription's deliveries, newest
// first, each with its attempts.
type ListWebhookDeliveries struct {
	SubscriptionID string
	PageSize       int32
	PageToken      string
}

// WebhookDeliveryPage is one page of deliveries.
type WebhookDeliveryPage struct {
	Deliveries    []*domain.WebhookDelivery
	NextPageToken string
}

// ListWebhookDeliveriesHandler runs ListWebhookDeliveries.
type ListWebhookDeliveriesHandler struct{ w *webhooks }

// Handle returns one page; another tenant's subscription is NOT_FOUND, and
// the token is bound to the tenant and the subscription.
func (h ListWebhookDeliveriesHandler) Handle(ctx context.Context, q ListWebhookDeliveries) (WebhookDeliveryPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return WebhookDeliveryPage{}, err
	}
	if err := usecase.CheckID("subscriptionId", q.SubscriptionID); err != nil {
		return WebhookDeliveryPage{}, err
	}
	deliveries, next, err := usecase.CompositeKeysetPage(h.w.Pages, q.PageSize, q.PageToken, []string{"ListWebhookDeliveries", p.CompanyID, q.SubscriptionID}, 2, nil,
		func(after []string, limit int) ([]*domain.WebhookDelivery, error) {
			pos, err := parseWebhookPosition(after)
			if err != nil {
				return nil, err
			}
			return h.w.Repo.ListWebhookDeliveries(ctx, q.SubscriptionID, pos.Time, pos.ID, limit)
		},
		func(d *domain.WebhookDelivery) []string { return webhookPositionKeys(d.CreateTime, d.ID) })
	return WebhookDeliveryPage{Deliveries: deliveries, NextPageToken: next}, err
}

// EnqueueWebhookDeliveriesHandler schedules the deliveries of an event; it
// implements WebhookEnqueuer for the event consumer.
type EnqueueWebhookDeliveriesHandler struct{ w *webhooks }

// EnqueueWebhookDeliveries makes one pending delivery of e for every active
// subscription of e's tenant whose event types match e.Type and whose
// creator's current roles may see it, with the body rendered as those roles
// may see it (domain.RenderWebhookBody), once per distinct view: every
// subscription with the same view and every retry get identical bytes. It
// runs in the unit of work ctx carries (the consumer's), so deliveries exist
// exactly when the event is logged; a redelivered event schedules nothing
// twice. An event without a tenant has no subscriptions.
func (h EnqueueWebhookDeliveriesHandler) EnqueueWebhookDeliveries(ctx context.Context, e domain.Event) error {
	if e.CompanyID == "" {
		return nil
	}
	now := h.w.Now.Stamp()
	_, err := h.w.Repo.EnqueueWebhookDeliveries(ctx, e.CompanyID, func(subs []*domain.WebhookSubscription) ([]*domain.WebhookDelivery, error) {
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
func (h EnqueueWebhookDeliveriesHandler) SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string) error {
	_, err := h.w.Repo.SuspendWebhookSubscriptionsOf(ctx, creatorID, reason, h.w.Now.Stamp())
	return err
}
