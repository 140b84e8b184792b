package app

import (
	"context"

	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// NotificationRuleRepository stores the tenants' rules (the event consumer
// reads them: TenantRules).
type NotificationRuleRepository interface {
	CreateNotificationRule(ctx context.Context, r *domain.NotificationRule, requestID string, requestHash []byte) (out *domain.NotificationRule, replayed bool, err error)
	GetNotificationRule(ctx context.Context, id string) (*domain.NotificationRule, error)
	// ListNotificationRules lists after afterID; a limit of 0 lists all.
	ListNotificationRules(ctx context.Context, afterID string, limit int) ([]*domain.NotificationRule, error)
	DeleteNotificationRule(ctx context.Context, id string) error
}

// NotificationRules are the commands and queries of the tenant's rules.
type NotificationRules struct{ n *notifier }

// CreateNotificationRule adds a rule. Violations name fields of the request
// ("notificationRule.recipientRole", "requestId").
type CreateNotificationRule struct {
	Values domain.NotificationRuleValues
	// RequestID is the AIP-155 idempotency key; "" means none.
	RequestID string
}

// Create creates the rule. A repeated request (same request id, same
// values) returns the rule created the first time.
func (h NotificationRules) Create(ctx context.Context, cmd CreateNotificationRule) (*domain.NotificationRule, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return nil, err
	}
	r, err := domain.NewNotificationRule(id, p.CompanyID, cmd.Values, h.n.Now.Stamp())
	if err != nil {
		return nil, usecase.UnderField("notificationRule", err)
	}
	hash, err := usecase.Fingerprint(h.n.Keyring, "notify", "CreateNotificationRule", cmd.Values)
	if err != nil {
		return nil, err
	}
	r, replayed, err := h.n.Store.CreateNotificationRule(ctx, r, cmd.RequestID, hash)
	if replayed {
		usecase.NoteReplay(ctx)
	}
	return r, err
}

// Get returns rule id of the caller's tenant; another tenant's rule is
// NOT_FOUND.
func (h NotificationRules) Get(ctx context.Context, id string) (*domain.NotificationRule, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return h.n.Store.GetNotificationRule(ctx, id)
}

// ListNotificationRules pages through the caller's rules, oldest first.
type ListNotificationRules struct {
	PageSize  int32
	PageToken string
}

// NotificationRulePage is one page of rules.
type NotificationRulePage = usecase.Page[*domain.NotificationRule]

// List returns one page.
func (h NotificationRules) List(ctx context.Context, q ListNotificationRules) (NotificationRulePage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return NotificationRulePage{}, err
	}
	rules, next, err := usecase.KeysetPage(h.n.Pages, q.PageSize, q.PageToken, []string{"ListNotificationRules", p.CompanyID}, usecase.IsID,
		func(afterID string, limit int) ([]*domain.NotificationRule, error) {
			return h.n.Store.ListNotificationRules(ctx, afterID, limit)
		},
		func(r *domain.NotificationRule) string { return r.ID })
	return NotificationRulePage{Items: rules, NextPageToken: next}, err
}

// Delete deletes rule id; the notifications it made stay. A missing rule,
// or another tenant's, is NOT_FOUND.
func (h NotificationRules) Delete(ctx context.Context, id string) error {
	if _, err := usecase.Caller(ctx); err != nil {
		return err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return err
	}
	return h.n.Store.DeleteNotificationRule(ctx, id)
}
