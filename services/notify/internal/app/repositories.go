package app

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// TenantScope switches the tenant of a unit of work for a part of it.
type TenantScope interface {
	// InTenant runs fn in the unit of work ctx carries (or a new one) with
	// the transaction's tenant set to companyID, then sets it back.
	InTenant(ctx context.Context, companyID string, fn func(ctx context.Context) error) error
}

// AuditTrail stores the hash-chained audit records.
type AuditTrail interface {
	// AppendAuditRecords appends to the chain of companyID, the unit of
	// work's tenant, the entries not yet in the trail (by id), linked by
	// link from the locked head: a redelivered batch appends nothing, a
	// partly new one only its new records.
	AppendAuditRecords(ctx context.Context, companyID string, entries []domain.AuditEntry,
		link func(domain.ChainHead, []domain.AuditEntry) ([]*domain.AuditRecord, domain.ChainHead)) (appended int, err error)
	ListAuditRecords(ctx context.Context, q domain.AuditQuery, after *domain.AuditPosition, limit int) ([]*domain.AuditRecord, error)
	AuditChainRecords(ctx context.Context, afterSequence int64, limit int) ([]*domain.AuditRecord, error)
	AuditChainHead(ctx context.Context, companyID string) (domain.ChainHead, error)
}

// EventLog stores the tenants' domain events.
type EventLog interface {
	InsertEvent(ctx context.Context, e domain.Event) (inserted bool, err error)
	ListEvents(ctx context.Context, payloadTypes, patterns []string, after *domain.EventPosition, limit int) ([]*domain.Event, error)
	EventPosition(ctx context.Context, id string) (domain.EventPosition, error)
	ListEventsAfter(ctx context.Context, payloadTypes, patterns []string, after domain.EventPosition, limit int) ([]*domain.Event, error)
}

// RevocationChecker refuses a principal whose token was revoked since it
// was issued; platform/revocation's Set implements it.
type RevocationChecker interface {
	Check(p identity.Principal) error
}

// Recipients is the users read model.
type Recipients interface {
	UpdateRecipient(ctx context.Context, companyID, userID string, fn func(*domain.Recipient) bool) error
	ActiveRecipients(ctx context.Context) ([]*domain.Recipient, error)
}

// NotificationRules stores the tenants' rules.
type NotificationRules interface {
	CreateNotificationRule(ctx context.Context, r *domain.NotificationRule, requestID string, requestHash []byte) (out *domain.NotificationRule, replayed bool, err error)
	GetNotificationRule(ctx context.Context, id string) (*domain.NotificationRule, error)
	// ListNotificationRules lists after afterID; a limit of 0 lists all.
	ListNotificationRules(ctx context.Context, afterID string, limit int) ([]*domain.NotificationRule, error)
	DeleteNotificationRule(ctx context.Context, id string) error
}

// Notifications stores the users' inboxes.
type Notifications interface {
	InsertNotifications(ctx context.Context, ns []*domain.Notification) error
	ListNotifications(ctx context.Context, userID string, unreadOnly bool, afterID string, limit int) ([]*domain.Notification, error)
	CountUnreadNotifications(ctx context.Context, userID string) (int64, error)
	MarkNotificationRead(ctx context.Context, userID, id string, now time.Time) (*domain.Notification, error)
}

// WebhookEnqueuer schedules the deliveries of an event to the tenant's
// webhook subscriptions, and suspends the subscriptions whose creator's
// authority an event ended. It runs in the consumer's unit of work (ctx
// carries it), so deliveries are scheduled exactly when the event is
// logged.
type WebhookEnqueuer interface {
	EnqueueWebhookDeliveries(ctx context.Context, e domain.Event) error
	SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string) error
}
