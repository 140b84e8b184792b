package store

import "github.com/ariesone/ariesone/platform/postgres"

// WebhookStore is the repository of partner webhooks: subscriptions, their
// deliveries and every attempt. Request paths run in transactions scoped to
// the caller's tenant; the dispatcher names the tenant it works for. Either
// way row-level security scopes the rows again, and a context that carries
// a unit of work (the event consumer's) is joined rather than committed
// here.
type WebhookStore struct {
	db *postgres.DB
}

// NewWebhookStore returns a WebhookStore on db, whose pool must log in as
// the service's runtime role and use the notify schema.
func NewWebhookStore(db *postgres.DB) *WebhookStore { return &WebhookStore{db: db} }

// methodCreateWebhookSubscription is the idempotency method key under which
// creates claim their request_id (platform/postgres.Idempotent).
const methodCreateWebhookSubscription = "CreateWebhookSubscription"

// webhookSubscriptionResource names subscriptions in NOT_FOUND errors.
const webhookSubscriptionResource = "webhook subscription"

// webhookDeliveriesChannelSuffix names the LISTEN/NOTIFY channel that
// wakes dispatchers: "<schema>_webhook_deliveries", so two schemas in one
// database (a test run next to a development stack) do not wake each
// other.
const webhookDeliveriesChannelSuffix = "_webhook_deliveries"
