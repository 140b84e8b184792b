package app

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
)

// Application is the notify API's whole use-case surface, one group of
// commands and queries per resource: every RPC of AuditService,
// EventService, NotificationService and WebhookService runs one of them.
// WebhookDeliveries also schedules the deliveries of events for the event
// consumer (it implements WebhookEnqueuer).
type Application struct {
	AuditRecords         AuditRecords
	Events               Events
	Notifications        Notifications
	NotificationRules    NotificationRules
	WebhookSubscriptions WebhookSubscriptions
	WebhookDeliveries    WebhookDeliveries
}

// Repository is everything the audit, event and notification use cases
// store and read; the service's store.Store implements all of it.
type Repository interface {
	AuditRepository
	EventRepository
	NotificationRepository
	NotificationRuleRepository
}

// WebhookRepository is everything the webhook use cases store and read:
// subscriptions, deliveries and attempts. The service's store.WebhookStore
// implements it, the store the webhook dispatcher shares.
type WebhookRepository interface {
	WebhookSubscriptionRepository
	WebhookDeliveryRepository
}

// Keyring seals webhook signing secrets at rest, bound to their row, and
// keys the fingerprints of idempotent creates (usecase.Fingerprint); the
// service's AES-GCM key ring (platform/keyring) implements it.
type Keyring interface {
	EncryptString(plaintext string, associatedData ...string) ([]byte, error)
	DecryptString(ciphertext []byte, associatedData ...string) (string, error)
	BlindIndex(purpose, normalized string) []byte
}

// Deps are what the API's use cases are built from.
type Deps struct {
	// Store holds the audit trail, the event log, the rules and the users'
	// inboxes.
	Store Repository
	// Webhooks holds the webhook subscriptions and their deliveries.
	Webhooks WebhookRepository
	Keyring  Keyring
	// Pages seals the page tokens of every listing.
	Pages *page.Sealer
	// Live fans events out to WatchEvents callers.
	Live *LiveEvents
	// Revocations end a WatchEvents stream within seconds of its token's
	// revocation; nil checks none (tests).
	Revocations RevocationChecker
	// AllowInsecureTargets accepts plain http webhook URLs (development
	// receivers; WEBHOOK_ALLOW_INSECURE_TARGETS, refused in production).
	AllowInsecureTargets bool
	// Random is the source of webhook signing secrets; nil means
	// crypto/rand.
	Random io.Reader
	// Now is the clock; nil means the system clock.
	Now usecase.Clock
}

// NewApplication builds the API's commands and queries.
func NewApplication(d Deps) *Application {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Random == nil {
		d.Random = rand.Reader
	}
	n := &notifier{Deps: d}
	return &Application{
		AuditRecords:         AuditRecords{n},
		Events:               Events{n},
		Notifications:        Notifications{n},
		NotificationRules:    NotificationRules{n},
		WebhookSubscriptions: WebhookSubscriptions{n},
		WebhookDeliveries:    WebhookDeliveries{n},
	}
}

// notifier is what every notify use case shares.
type notifier struct {
	Deps
}
