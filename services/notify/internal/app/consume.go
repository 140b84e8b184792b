package app

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// EventsConsumer names the consumer of every event, its durable queue and
// its rows in the inbox.
const EventsConsumer = "notify.events"

// EventsSubscription is the consumer's subscription: every event, on a
// durable queue, in batches applied in one unit of work each.
var EventsSubscription = bus.Subscription{Queue: EventsConsumer, Bindings: []string{"#"}, Prefetch: 128, MaxBatch: 64, DeliveryLimit: 5}

// ConsumerDeps are what the event consumer is built from. Webhooks may be
// nil: events are then logged and notified, and no webhook is scheduled.
type ConsumerDeps struct {
	Tenants       TenantScope
	Audit         AuditTrail
	Events        EventLog
	Recipients    Recipients
	Rules         TenantRules
	Notifications Inboxes
	Webhooks      WebhookEnqueuer
	// Ingest, when set, learns of every batch of audit records appended.
	Ingest AuditIngest
	// Now is the clock; nil means the system clock.
	Now usecase.Clock
}

// TenantScope switches the tenant of a unit of work for a part of it.
type TenantScope interface {
	// InTenant runs fn in the unit of work ctx carries (or a new one) with
	// the transaction's tenant set to companyID, then sets it back.
	InTenant(ctx context.Context, companyID string, fn func(ctx context.Context) error) error
}

// AuditIngest observes the trail's ingest: n records appended at now, the
// oldest of them called at oldest.
type AuditIngest interface {
	Appended(n int, oldest, now time.Time)
}

// EventConsumer applies the mesh's events to notify's state.
type EventConsumer struct {
	ConsumerDeps
}

// NewEventConsumer returns the consumer; its Consume is the apply function
// of the inbox handler that feeds it.
func NewEventConsumer(d ConsumerDeps) *EventConsumer {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &EventConsumer{ConsumerDeps: d}
}

// Consume applies one delivered event, in the unit of work ctx carries (the
// inbox's, whose tenant is the event's) or in one of its own:
//
//   - "<service>.audit.recorded.v2" (a batch of records) and
//     "<service>.audit.recorded.v1" (one record) append the calls to their
//     tenants' hash-chained audit trails (calls without a tenant to the nil
//     UUID's chain);
//   - any other event of a tenant is logged, updates the users read model
//     when it is a company user event, becomes notifications for the
//     recipients of the matching rules (built-in and the tenant's), and is
//     scheduled for the tenant's webhooks.
//
// An event that belongs to no tenant (a signing key rotation) is no
// tenant's to read, notify or deliver: it is acknowledged and dropped. A
// payload that cannot be decoded as its declared, known type is an error,
// so the delivery is retried and finally dead-lettered; a payload type this
// build does not know is logged and forwarded as it is.
func (c *EventConsumer) Consume(ctx context.Context, d bus.Delivery) error {
	e := eventFromMessage(d.Message)
	if domain.IsAuditRecord(e.Type) {
		return c.appendAuditRecords(ctx, e)
	}
	if e.CompanyID == "" {
		return nil
	}
	return c.Tenants.InTenant(ctx, e.CompanyID, func(ctx context.Context) error {
		return c.ingestEvent(ctx, e)
	})
}

// eventFromMessage copies the envelope; the payload bytes are shared, as
// nothing writes to them.
func eventFromMessage(m bus.Message) domain.Event {
	return domain.Event{
		ID:          m.ID,
		Type:        m.Type,
		PayloadType: m.PayloadType,
		CompanyID:   m.CompanyID,
		Source:      m.Source,
		OccurTime:   m.OccurTime.UTC().Truncate(time.Microsecond),
		Payload:     m.Payload,
	}
}
