package app

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
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
	SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string, now time.Time) (int, error)
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
	// Pages seals the page tokens of subscription and delivery listings.
	Pages *page.Sealer
	// AllowInsecureTargets accepts plain http URLs (development receivers;
	// WEBHOOK_ALLOW_INSECURE_TARGETS, refused in production).
	AllowInsecureTargets bool
	// Random is the source of signing secrets; nil means crypto/rand.
	Random io.Reader
	// Now is the clock; nil means the system clock.
	Now usecase.Clock
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
