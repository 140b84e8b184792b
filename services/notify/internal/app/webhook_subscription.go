package app

import (
	"context"
	"fmt"

	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

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

// CreateWebhookSubscriptionHandler runs CreateWebhookSubscription.
type CreateWebhookSubscriptionHandler struct{ w *webhooks }

// Handle creates an active subscription with a fresh secret, sealed at
// rest under the key ring. A repeated request (same request id, same
// values) returns the subscription created the first time, as it is now,
// and its secret, opened from the sealed copy: a client whose first
// response was lost still learns the secret, and the secret is stored in
// clear nowhere, the idempotency record included.
func (h CreateWebhookSubscriptionHandler) Handle(ctx context.Context, cmd CreateWebhookSubscription) (CreatedWebhookSubscription, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	s, err := domain.NewWebhookSubscription(id, p.CompanyID, creatorOf(p), cmd.Values, h.w.AllowInsecureTargets, h.w.Now.Stamp())
	if err != nil {
		return CreatedWebhookSubscription{}, underField(webhookSubscriptionField, err)
	}
	secret, err := domain.NewWebhookSecret(h.w.Random)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	sealed, err := h.w.Keyring.EncryptString(secret, s.ID, WebhookSecretColumn)
	if err != nil {
		return CreatedWebhookSubscription{}, fmt.Errorf("sealing webhook secret: %w", err)
	}
	hash, err := usecase.Fingerprint(h.w.Keyring, "notify", "CreateWebhookSubscription", cmd.Values)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	out, storedSealed, replayed, err := h.w.Repo.CreateWebhookSubscription(ctx, s, sealed, cmd.RequestID, hash)
	if err != nil {
		return CreatedWebhookSubscription{}, err
	}
	if replayed {
		if secret, err = h.w.openSecret(out.ID, storedSealed); err != nil {
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
func (w *webhooks) openSecret(id string, sealed []byte) (string, error) {
	secret, err := w.Keyring.DecryptString(sealed, id, WebhookSecretColumn)
	if err != nil {
		return "", fmt.Errorf("opening the secret of webhook subscription %s: %w", id, err)
	}
	if !domain.IsWebhookSecret(secret) {
		return "", fmt.Errorf("the secret of webhook subscription %s is not a webhook secret", id)
	}
	return secret, nil
}

// GetWebhookSubscriptionHandler returns one subscription of the caller's
// tenant, without its secret.
type GetWebhookSubscriptionHandler struct{ w *webhooks }

// Handle returns subscription id; another tenant's is NOT_FOUND.
func (h GetWebhookSubscriptionHandler) Handle(ctx context.Context, id string) (*domain.WebhookSubscription, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return h.w.Repo.GetWebhookSubscription(ctx, id)
}

// ListWebhookSubscriptions pages through the caller's subscriptions,
// oldest first.
type ListWebhookSubscriptions struct {
	PageSize  int32
	PageToken string
}

// WebhookSubscriptionPage is one page of subscriptions.
type WebhookSubscriptionPage struct {
	Subscriptions []*domain.WebhookSubscription
	NextPageToken string
}

// ListWebhookSubscriptionsHandler runs ListWebhookSubscriptions.
type ListWebhookSubscriptionsHandler struct{ w *webhooks }

// Handle returns one page; the token is bound to the caller's tenant.
func (h ListWebhookSubscriptionsHandler) Handle(ctx context.Context, q ListWebhookSubscriptions) (WebhookSubscriptionPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return WebhookSubscriptionPage{}, err
	}
	subs, next, err := usecase.CompositeKeysetPage(h.w.Pages, q.PageSize, q.PageToken, []string{"ListWebhookSubscriptions", p.CompanyID}, 2, nil,
		func(after []string, limit int) ([]*domain.WebhookSubscription, error) {
			pos, err := parseWebhookPosition(after)
			if err != nil {
				return nil, err
			}
			return h.w.Repo.ListWebhookSubscriptions(ctx, pos.Time, pos.ID, limit)
		},
		func(s *domain.WebhookSubscription) []string { return webhookPositionKeys(s.CreateTime, s.ID) })
	return WebhookSubscriptionPage{Subscriptions: subs, NextPageToken: next}, err
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

// UpdateWebhookSubscriptionHandler runs UpdateWebhookSubscription.
type UpdateWebhookSubscriptionHandler struct{ w *webhooks }

// Handle applies cmd after checking the etag (a stale one is ABORTED).
func (h UpdateWebhookSubscriptionHandler) Handle(ctx context.Context, cmd UpdateWebhookSubscription) (*domain.WebhookSubscription, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID(webhookSubscriptionField+".id", cmd.ID); err != nil {
		return nil, err
	}
	now := h.w.Now.Stamp()
	return h.w.Repo.UpdateWebhookSubscription(ctx, cmd.ID, func(s *domain.WebhookSubscription) error {
		if err := etag.Check(cmd.Etag, s.Version); err != nil {
			return underField(webhookSubscriptionField, err)
		}
		return underField(webhookSubscriptionField, s.Update(cmd.Fields, cmd.Values, h.w.AllowInsecureTargets, now))
	})
}

// DeleteWebhookSubscription removes a subscription with its deliveries.
type DeleteWebhookSubscription struct {
	ID   string
	Etag string
}

// DeleteWebhookSubscriptionHandler runs DeleteWebhookSubscription.
type DeleteWebhookSubscriptionHandler struct{ w *webhooks }

// Handle deletes the subscription after checking the etag. Deliveries in
// flight finish, and their outcome is dropped.
func (h DeleteWebhookSubscriptionHandler) Handle(ctx context.Context, cmd DeleteWebhookSubscription) error {
	if _, err := usecase.Caller(ctx); err != nil {
		return err
	}
	if err := usecase.CheckID("id", cmd.ID); err != nil {
		return err
	}
	return h.w.Repo.DeleteWebhookSubscription(ctx, cmd.ID, func(s *domain.WebhookSubscription) error {
		return etag.Check(cmd.Etag, s.Version)
	})
}

// EnableWebhookSubscription re-enables a disabled subscription.
type EnableWebhookSubscription struct {
	ID   string
	Etag string
}

// EnableWebhookSubscriptionHandler runs EnableWebhookSubscription.
type EnableWebhookSubscriptionHandler struct{ w *webhooks }

// Handle enables the subscription after checking the etag; enabling one
// that is neither disabled nor suspended is FAILED_PRECONDITION. A
// suspended subscription delivers with the caller's authority from now on.
// Deliveries resume with the next event: those failed while it was off stay
// failed.
func (h EnableWebhookSubscriptionHandler) Handle(ctx context.Context, cmd EnableWebhookSubscription) (*domain.WebhookSubscription, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", cmd.ID); err != nil {
		return nil, err
	}
	now := h.w.Now.Stamp()
	return h.w.Repo.UpdateWebhookSubscription(ctx, cmd.ID, func(s *domain.WebhookSubscription) error {
		if err := etag.Check(cmd.Etag, s.Version); err != nil {
			return err
		}
		return s.Enable(creatorOf(p), now)
	})
}
