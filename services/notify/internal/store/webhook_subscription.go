package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// webhookSubscriptionColumns is the select list scanWebhookSubscription
// reads (the sealed secret is read only where it is needed).
const webhookSubscriptionColumns = `id::text, company_id::text, url, event_types, state, consecutive_failures,
	disable_time, creator_id, creator_kind, creator_roles, coalesce(suspend_reason, ''), version, create_time, update_time`

func scanWebhookSubscription(row pgx.Row, extra ...any) (*domain.WebhookSubscription, error) {
	var s domain.WebhookSubscription
	var state string
	dest := append([]any{&s.ID, &s.CompanyID, &s.URL, &s.EventTypes, &state, &s.ConsecutiveFailures,
		&s.DisableTime, &s.CreatorID, &s.CreatorKind, &s.CreatorRoles, &s.SuspendReason, &s.Version, &s.CreateTime, &s.UpdateTime}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	s.State = domain.WebhookSubscriptionState(state)
	s.CreateTime = s.CreateTime.UTC()
	s.UpdateTime = s.UpdateTime.UTC()
	if s.DisableTime != nil {
		t := s.DisableTime.UTC()
		s.DisableTime = &t
	}
	return &s, nil
}

// getWebhookSubscription reads subscription id of the transaction's tenant
// with its sealed secret; lock is "" or " for update".
func getWebhookSubscription(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.WebhookSubscription, []byte, error) {
	var sealed []byte
	s, err := scanWebhookSubscription(tx.QueryRow(ctx,
		`select `+webhookSubscriptionColumns+`, secret_ciphertext from webhook_subscriptions where id = $1`+lock, id), &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, errs.NotFound(webhookSubscriptionResource, id)
	}
	return s, sealed, err
}

// CreateWebhookSubscription inserts s with its sealed secret under the
// AIP-155 key requestID (with the request's hash). The idempotency record
// holds only the subscription id: a repeated request gets the subscription
// created the first time, as it is now, and its sealed secret, with
// replayed true, so the caller can show the same secret again without it
// ever being stored in clear.
func (w *WebhookStore) CreateWebhookSubscription(ctx context.Context, s *domain.WebhookSubscription, sealedSecret []byte,
	requestID string, requestHash []byte) (out *domain.WebhookSubscription, sealed []byte, replayed bool, err error) {
	err = w.db.WithTx(ctx, func(tx pgx.Tx) error {
		stored, found, err := postgres.Idempotent(ctx, tx, methodCreateWebhookSubscription, requestID, requestHash)
		if err != nil {
			return err
		}
		if found {
			replayed = true
			out, sealed, err = getWebhookSubscription(ctx, tx, string(stored), "")
			return err
		}
		_, err = tx.Exec(ctx, `
			insert into webhook_subscriptions (id, company_id, url, event_types, secret_ciphertext, state,
				consecutive_failures, disable_time, creator_id, creator_kind, creator_roles, version, create_time, update_time)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			s.ID, s.CompanyID, s.URL, s.EventTypes, sealedSecret, string(s.State),
			s.ConsecutiveFailures, s.DisableTime, s.CreatorID, s.CreatorKind, rolesArray(s.CreatorRoles), s.Version, s.CreateTime, s.UpdateTime)
		if err != nil {
			return err
		}
		out, sealed = s, sealedSecret
		return postgres.SaveResponse(ctx, tx, methodCreateWebhookSubscription, requestID, []byte(s.ID))
	})
	if err != nil {
		return nil, nil, false, postgres.Wrap("create webhook subscription", err)
	}
	return out, sealed, replayed, nil
}

// GetWebhookSubscription returns subscription id of the caller's tenant.
// Another tenant's subscription is NOT_FOUND, exactly like a missing one.
func (w *WebhookStore) GetWebhookSubscription(ctx context.Context, id string) (*domain.WebhookSubscription, error) {
	var s *domain.WebhookSubscription
	err := w.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		s, _, err = getWebhookSubscription(ctx, tx, id, "")
		return err
	})
	return s, postgres.Wrap("get webhook subscription", err)
}

// ListWebhookSubscriptions returns up to limit of the caller's
// subscriptions, oldest first, resuming after the one created at afterTime
// with id afterID (a zero afterTime starts at the beginning).
func (w *WebhookStore) ListWebhookSubscriptions(ctx context.Context, afterTime time.Time, afterID string, limit int) ([]*domain.WebhookSubscription, error) {
	var out []*domain.WebhookSubscription
	err := w.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select `+webhookSubscriptionColumns+` from webhook_subscriptions
			where $1::timestamptz is null or (create_time, id) > ($1, $2::uuid)
			order by create_time, id
			limit $3`, nullTime(afterTime), nullUUID(afterID), limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.WebhookSubscription, error) {
			return scanWebhookSubscription(r)
		})
		return err
	})
	return out, postgres.Wrap("list webhook subscriptions", err)
}

// UpdateWebhookSubscription loads subscription id for update, lets fn
// change it (its fields, Enable) and saves it with its version advanced by
// one. Nothing is written when fn returns an error.
func (w *WebhookStore) UpdateWebhookSubscription(ctx context.Context, id string, fn func(*domain.WebhookSubscription) error) (*domain.WebhookSubscription, error) {
	var s *domain.WebhookSubscription
	err := w.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		if s, _, err = getWebhookSubscription(ctx, tx, id, " for update"); err != nil {
			return err
		}
		if err := fn(s); err != nil {
			return err
		}
		s.Version++
		return saveWebhookSubscription(ctx, tx, s)
	})
	if err != nil {
		return nil, postgres.Wrap("update webhook subscription", err)
	}
	return s, nil
}

func saveWebhookSubscription(ctx context.Context, tx pgx.Tx, s *domain.WebhookSubscription) error {
	_, err := tx.Exec(ctx, `
		update webhook_subscriptions set
			url = $2, event_types = $3, state = $4, consecutive_failures = $5, disable_time = $6,
			version = $7, update_time = $8, creator_id = $9, creator_kind = $10, creator_roles = $11,
			suspend_reason = nullif($12, '')
		where id = $1`,
		s.ID, s.URL, s.EventTypes, string(s.State), s.ConsecutiveFailures, s.DisableTime, s.Version, s.UpdateTime,
		s.CreatorID, s.CreatorKind, rolesArray(s.CreatorRoles), s.SuspendReason)
	return err
}

// rolesArray sends an empty array rather than NULL for no roles.
func rolesArray(roles []string) []string {
	if roles == nil {
		return []string{}
	}
	return roles
}

// SuspendWebhookSubscriptionsOf suspends, for reason, every subscription of
// the transaction's tenant that delivers with creatorID's authority, and
// fails their pending deliveries: those were rendered for an authority that
// has ended. It reports how many subscriptions it suspended. It joins the
// unit of work ctx carries (the event consumer's, scoped to the tenant).
func (w *WebhookStore) SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string, now time.Time) (int, error) {
	suspended := 0
	err := w.db.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select `+webhookSubscriptionColumns+` from webhook_subscriptions
			where creator_id = $1 and state <> 'suspended'
			order by id
			for update`, creatorID)
		if err != nil {
			return err
		}
		subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.WebhookSubscription, error) {
			return scanWebhookSubscription(r)
		})
		if err != nil {
			return err
		}
		for _, s := range subs {
			if !s.Suspend(reason, now) {
				continue
			}
			s.Version++
			if err := saveWebhookSubscription(ctx, tx, s); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `
				update webhook_deliveries set state = $3, next_attempt_at = null, lease_until = null, last_error = $4
				where subscription_id = $1 and state = $2`,
				s.ID, string(domain.WebhookDeliveryPending), string(domain.WebhookDeliveryFailed), domain.WebhookErrSubscriptionSuspended); err != nil {
				return err
			}
			suspended++
		}
		return nil
	})
	return suspended, postgres.Wrap("suspend webhook subscriptions", err)
}

// DeleteWebhookSubscription loads subscription id for update, lets check
// refuse (a stale etag), and deletes it with its deliveries and their
// attempts.
func (w *WebhookStore) DeleteWebhookSubscription(ctx context.Context, id string, check func(*domain.WebhookSubscription) error) error {
	err := w.db.WithTx(ctx, func(tx pgx.Tx) error {
		s, _, err := getWebhookSubscription(ctx, tx, id, " for update")
		if err != nil {
			return err
		}
		if err := check(s); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `delete from webhook_subscriptions where id = $1`, id)
		return err
	})
	return postgres.Wrap("delete webhook subscription", err)
}

// nullTime sends NULL for the zero time (no keyset position yet).
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// nullUUID sends NULL for an empty id.
func nullUUID(id string) any {
	if id == "" {
		return nil
	}
	return id
}
