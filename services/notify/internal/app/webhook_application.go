package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// Webhooks is the use-case surface of partner webhooks: the commands and
// queries of WebhookService, and the enqueuer the event consumer schedules
// deliveries with (it implements WebhookEnqueuer).
type Webhooks struct {
	Commands WebhookCommands
	Queries  WebhookQueries
	Enqueuer EnqueueWebhookDeliveriesHandler
}

// WebhookCommands change subscriptions, each in one transaction.
type WebhookCommands struct {
	CreateWebhookSubscription CreateWebhookSubscriptionHandler
	UpdateWebhookSubscription UpdateWebhookSubscriptionHandler
	DeleteWebhookSubscription DeleteWebhookSubscriptionHandler
	EnableWebhookSubscription EnableWebhookSubscriptionHandler
}

// WebhookQueries read subscriptions and deliveries.
type WebhookQueries struct {
	GetWebhookSubscription   GetWebhookSubscriptionHandler
	ListWebhookSubscriptions ListWebhookSubscriptionsHandler
	ListWebhookDeliveries    ListWebhookDeliveriesHandler
}

// WebhookRepository stores subscriptions, deliveries and attempts; the
// store's WebhookStore implements it.
type WebhookRepository interface {
	CreateWebhookSubscription(ctx context.Context, s *domain.WebhookSubscription, sealedSecret []byte, requestID string, requestHash []byte) (out *domain.WebhookSubscription, sealed []byte, replayed bool, err error)
	GetWebhookSubscription(ctx context.Context, id string) (*domain.WebhookSubscription, error)
	ListWebhookSubscriptions(ctx context.Context, afterTime time.Time, afterID string, limit int) ([]*domain.WebhookSubscription, error)
	UpdateWebhookSubscription(ctx context.Context, id string, fn func(*domain.WebhookSubscription) error) (*domain.WebhookSubscription, error)
	DeleteWebhookSubscription(ctx context.Context, id string, check func(*domain.WebhookSubscription) error) error
	ListWebhookDeliveries(ctx context.Context, subscriptionID string, beforeTime time.Time, beforeID string, limit int) ([]*domain.WebhookDelivery, error)
	EnqueueWebhookDeliveries(ctx context.Context, companyID string, plan func([]*domain.WebhookSubscription) ([]*domain.WebhookDelivery, error)) (int, error)
}

// WebhookKeyring seals signing secrets at rest, bound to their row, and
// keys the fingerprints of idempotent creates; the service's AES-GCM key
// ring (platform/keyring) implements it.
type WebhookKeyring interface {
	EncryptString(plaintext string, associatedData ...string) ([]byte, error)
	DecryptString(ciphertext []byte, associatedData ...string) (string, error)
	BlindIndex(purpose, normalized string) []byte
}

// WebhookSecretColumn is the associated data that binds a sealed secret to
// its column, next to the subscription id: a ciphertext copied to another
// row or column no longer opens.
const WebhookSecretColumn = "secret"

// WebhookDeps are what the webhook use cases are built from.
type WebhookDeps struct {
	Repo    WebhookRepository
	Keyring WebhookKeyring
	// AllowInsecureTargets accepts plain http URLs (development receivers;
	// WEBHOOK_ALLOW_INSECURE_TARGETS, refused in production).
	AllowInsecureTargets bool
	// Random is the source of signing secrets; nil means crypto/rand.
	Random io.Reader
	// Now is the clock; nil means the system clock.
	Now func() time.Time
}

// NewWebhooks builds the webhook commands, queries and enqueuer.
func NewWebhooks(d WebhookDeps) *Webhooks {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Random == nil {
		d.Random = rand.Reader
	}
	w := &webhooks{WebhookDeps: d}
	return &Webhooks{
		Commands: WebhookCommands{
			CreateWebhookSubscription: CreateWebhookSubscriptionHandler{w},
			UpdateWebhookSubscription: UpdateWebhookSubscriptionHandler{w},
			DeleteWebhookSubscription: DeleteWebhookSubscriptionHandler{w},
			EnableWebhookSubscription: EnableWebhookSubscriptionHandler{w},
		},
		Queries: WebhookQueries{
			GetWebhookSubscription:   GetWebhookSubscriptionHandler{w},
			ListWebhookSubscriptions: ListWebhookSubscriptionsHandler{w},
			ListWebhookDeliveries:    ListWebhookDeliveriesHandler{w},
		},
		Enqueuer: EnqueueWebhookDeliveriesHandler{w},
	}
}

// webhooks is what every webhook handler shares.
type webhooks struct {
	WebhookDeps
}

// now returns the clock's time at the database's precision (microseconds),
// so what a command returns equals what a later read returns.
func (w *webhooks) now() time.Time { return w.Now().UTC().Truncate(time.Microsecond) }

// webhookCaller returns the authenticated principal, which must act for a
// tenant; the interceptor chain never lets a call without one through, so
// this is a second line.
func webhookCaller(ctx context.Context) (identity.Principal, error) {
	p, ok := identity.FromContext(ctx)
	if !ok || p.CompanyID == "" {
		return identity.Principal{}, errs.Unauthenticated("missing credentials")
	}
	return p, nil
}

// newWebhookID returns a UUIDv7, time-ordered like every notify id.
func newWebhookID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// checkWebhookID refuses an id that is not a canonical UUID, as a violation
// of field: a malformed id names no resource.
func checkWebhookID(field, id string) error {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "must be a UUID"})
	}
	return nil
}

// webhookUnderField re-roots the field violations of an invalid-argument
// error under prefix, the request field that carried the checked value
// ("webhookSubscription" turns "eventTypes[1]" into
// "webhookSubscription.eventTypes[1]"). Other errors pass unchanged.
func webhookUnderField(prefix string, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		return err
	}
	c := *e
	c.Fields = make([]errs.FieldViolation, len(e.Fields))
	for i, f := range e.Fields {
		field := prefix
		switch {
		case f.Field == "":
		case strings.HasPrefix(f.Field, "["):
			field += f.Field
		default:
			field += "." + f.Field
		}
		c.Fields[i] = errs.FieldViolation{Field: field, Description: f.Description}
	}
	return &c
}
