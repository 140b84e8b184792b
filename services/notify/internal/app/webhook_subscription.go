package app

import (
	"context"
	"fmt"
	"time"

	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// WebhookSubscriptionRepository stores the tenants' webhook subscriptions,
// each with its sealed signing secret.
type WebhookSubscriptionRepository interface {
	CreateWebhookSubscription(ctx context.Context, s *domain.WebhookSubscription, sealedSecret []byte, requestID string, requestHash []byte) (out *domain.WebhookSubscription, sealed []byte, replayed bool, err error)
	GetWebhookSubscription(ctx context.Context, id string) (*domain.WebhookSubscription, error)
	ListWebhookSubscriptions(ctx context.Context, afterTime time.Time, afterID string, limit int) ([]*domain.WebhookSubscription, error)
	UpdateWebhookSubscription(ctx context.Context, id string, fn func(*domain.WebhookSubscription) error) (*domain.WebhookSubscription, error)
	DeleteWebhookSubscription(ctx context.Context, id string, check func(*domain.WebhookSubscription) error) error
}

// WebhookSecretColumn is the associated data that binds a sealed secret to
// its column, next to the subscription id: a ciphertext copied to another
// row or column no longer opens.
const WebhookSecretColumn = "secret"

// WebhookSubscriptions are the commands and queries of partners'
// subscriptions to the tenant's events.
type WebhookSubscriptions struct{ n *notifier }

// webhookSubscriptionField is the request field that carries a
// subscription in Create and Update; domain violations are rooted under it.
const webhookSubscriptionField = "webhookSubscription"

// CreateWebhookSubscription registers a URL for the caller's tenant.
type CreateWebhookSubscription struct {
	Values domain.WebhookSubscriptionValues
	// RequestID is the AIP-155 idempotency key; "" means none.
	RequestID string
}

// CreatedWebhookSubscription is a new subscription with its signing secret,
// which is shown to the caller this once.
type CreatedWebhookSubscription struct {
	Subscription *domain.WebhookSubscription
	Secret       string
}

// Create creates an active subscription with a fresh secret, sealed at
// rest under the key ring. A repeated request (same request id, same
// values) returns the subscription created the first time, as it is now,
// and its secret, opened from the sealed copy: a client whose first
// response was lost still learns the secret, and the secret is stored in
// clear nowhere, the idempotency record included.
func (h WebhookSubscriptions) Create(ctx context.Context, cmd CreateWebhookSubscription) (CreatedWebhookSubscription, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	s, err := domain.NewWebhookSubscription(id, p.CompanyID, creatorOf(p), cmd.Values, h.n.AllowInsecureTargets, h.n.Now.Stamp())
	if err != nil {
		return CreatedWebhookSubscription{}, usecase.UnderField(webhookSubscriptionField, err)
	}
	secret, err := domain.NewWebhookSecret(h.n.Random)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	sealed, err := h.n.Keyring.EncryptString(secret, s.ID, WebhookSecretColumn)
	if err != nil {
		return CreatedWebhookSubscription{}, fmt.Errorf("sealing webhook secret: %w", err)
	}
	hash, err := usecase.Fingerprint(h.n.Keyring, "notify", "CreateWebhookSubscription", cmd.Values)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	out, storedSealed, replayed, err := h.n.Webhooks.CreateWebhookSubscription(ctx, s, sealed, cmd.RequestID, hash)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	if replayed {
		usecase.NoteReplay(ctx)
		if secret, err = h.n.openSecret(out.ID, storedSealed); err != nil {
			return CreatedWebhookSubscription{}, err
		}
	}
	return CreatedWebhookSubscription{Subscription: out, Secret: secret}, nil
}

// creatorOf is the authority a subscription made or enabled by p delivers
// with.
func creatorOf(p identity.Principal) domain.WebhookCreator {
	return domain.WebhookCreator{ID: p.Subject, Kind: string(p.Kind), Roles: p.Roles}
}

// openSecret opens the sealed secret of subscription id and checks its
// shape, so a ciphertext that opens to something else is never used.
func (n *notifier) openSecret(id string, sealed []byte) (string, error) {
	secret, err := n.Keyring.DecryptString(sealed, id, WebhookSecretColumn)
	if err != nil {
		return "", fmt.Errorf("opening the secret of webhook subscription %s: %w", id, err)
	}
	if !domain.IsWebhookSecret(secret) {
		return "", fmt.Errorf("the secret of webhook subscription %s is not a webhook secret", id)
	}
	return secret, nil
}

// Get returns subscription id of the caller's tenant, without its secret;
// another tenant's is NOT_FOUND.
func (h WebhookSubscriptions) Get(ctx context.Context, id string) (*domain.WebhookSubscription, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return h.n.Webhooks.GetWebhookSubscription(ctx, id)
}

// ListWebhookSubscriptions pages through the caller's subscriptions,
// oldest first.
type ListWebhookSubscriptions struct {
	PageSize  int32
	PageToken string
}

// WebhookSubscriptionPage is one page of subscriptions.
type WebhookSubscriptionPage = usecase.Page[*domain.WebhookSubscription]

// List returns one page; the token is bound to the caller's tenant.
func (h WebhookSubscriptions) List(ctx context.Context, q ListWebhookSubscriptions) (WebhookSubscriptionPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return WebhookSubscriptionPage{}, err
	}
	subs, next, err := usecase.CompositeKeysetPage(h.n.Pages, q.PageSize, q.PageToken, []string{"ListWebhookSubscriptions", p.CompanyID}, 2, validWebhookKey,
		func(after []string, limit int) ([]*domain.WebhookSubscription, error) {
			afterTime, afterID := webhookAfter(after)
			return h.n.Webhooks.ListWebhookSubscriptions(ctx, afterTime, afterID, limit)
		},
		func(s *domain.WebhookSubscription) []string { return webhookKeys(s.CreateTime, s.ID) })
	return WebhookSubscriptionPage{Items: subs, NextPageToken: next}, err
}

// The webhook listings (subscriptions oldest first, deliveries newest
// first) are keyset pages by creation time and id.

// webhookKeys are the page token keys of a webhook listing's item.
func webhookKeys(createTime time.Time, id string) []string {
	return []string{createTime.UTC().Format(time.RFC3339Nano), id}
}

// validWebhookKey accepts the keys webhookKeys makes: a time (never the
// zero one) and a UUID.
func validWebhookKey(keys []string) bool {
	t, err := time.Parse(time.RFC3339Nano, keys[0])
	return err == nil && !t.IsZero() && usecase.IsID(keys[1])
}

// webhookAfter is where a webhook listing resumes: the creation time and id
// of the previous page's last item, or the zero time and "" (the first
// page) for nil keys.
func webhookAfter(after []string) (time.Time, string) {
	if after == nil {
		return time.Time{}, ""
	}
	t, _ := time.Parse(time.RFC3339Nano, after[0])
	return t, after[1]
}

// UpdateWebhookSubscription changes a subscription's URL or event types.
// Violations name fields of the request ("webhookSubscription.url").
type UpdateWebhookSubscription struct {
	ID   string
	Etag string
	// Fields to write; the caller resolves an empty update mask to all.
	Fields []domain.WebhookSubscriptionField
	Values domain.WebhookSubscriptionValues
}

// Update applies cmd after checking the etag (a stale one is ABORTED).
func (h WebhookSubscriptions) Update(ctx context.Context, cmd UpdateWebhookSubscription) (*domain.WebhookSubscription, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID(webhookSubscriptionField+".id", cmd.ID); err != nil {
		return nil, err
	}
	now := h.n.Now.Stamp()
	return h.n.Webhooks.UpdateWebhookSubscription(ctx, cmd.ID, func(s *domain.WebhookSubscription) error {
		if err := etag.Check(cmd.Etag, s.Version); err != nil {
			return usecase.UnderField(webhookSubscriptionField, err)
		}
		return usecase.UnderField(webhookSubscriptionField, s.Update(cmd.Fields, cmd.Values, h.n.AllowInsecureTargets, now))
	})
}

// DeleteWebhookSubscription removes a subscription with its deliveries.
type DeleteWebhookSubscription struct {
	ID   string
	Etag string
}

// Delete deletes the subscription after checking the etag. Deliveries in
// flight finish, and their outcome is dropped.
func (h WebhookSubscriptions) Delete(ctx context.Context, cmd DeleteWebhookSubscription) error {
	if _, err := usecase.Caller(ctx); err != nil {
		return err
	}
	if err := usecase.CheckID("id", cmd.ID); err != nil {
		return err
	}
	return h.n.Webhooks.DeleteWebhookSubscription(ctx, cmd.ID, func(s *domain.WebhookSubscription) error {
		return etag.Check(cmd.Etag, s.Version)
	})
}

// EnableWebhookSubscription re-enables a disabled subscription.
type EnableWebhookSubscription struct {
	ID   string
	Etag string
}

// Enable enables the subscription after checking the etag; enabling one
// that is neither disabled nor suspended is FAILED_PRECONDITION. A
// suspended subscription delivers with the caller's authority from now on.
// Deliveries resume with the next event: those failed while it was off stay
// failed.
func (h WebhookSubscriptions) Enable(ctx context.Context, cmd EnableWebhookSubscription) (*domain.WebhookSubscription, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", cmd.ID); err != nil {
		return nil, err
	}
	now := h.n.Now.Stamp()
	return h.n.Webhooks.UpdateWebhookSubscription(ctx, cmd.ID, func(s *domain.WebhookSubscription) error {
		if err := etag.Check(cmd.Etag, s.Version); err != nil {
			return err
		}
		return s.Enable(creatorOf(p), now)
	})
}
