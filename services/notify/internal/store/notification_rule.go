package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// methodCreateNotificationRule is the name under which rule creates claim
// their request_id (platform/postgres.Idempotent).
const methodCreateNotificationRule = "CreateNotificationRule"

const ruleColumns = `id::text, company_id::text, event_type, title, recipient_role, at_event_location, create_time`

func scanRule(row pgx.Row) (*domain.NotificationRule, error) {
	var r domain.NotificationRule
	if err := row.Scan(&r.ID, &r.CompanyID, &r.EventType, &r.Title, &r.RecipientRole, &r.AtEventLocation, &r.CreateTime); err != nil {
		return nil, err
	}
	r.CreateTime = r.CreateTime.UTC()
	return &r, nil
}

// CreateNotificationRule inserts r under the AIP-155 key requestID (with
// the request's hash). A repeated request returns the rule created the
// first time with replayed true; if that rule was deleted since, it is
// NOT_FOUND.
func (s *Store) CreateNotificationRule(ctx context.Context, r *domain.NotificationRule, requestID string, requestHash []byte) (out *domain.NotificationRule, replayed bool, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		stored, found, err := postgres.Idempotent(ctx, tx, methodCreateNotificationRule, requestID, requestHash)
		if err != nil {
			return err
		}
		if found {
			replayed = true
			out, err = getRule(ctx, tx, string(stored))
			return err
		}
		_, err = tx.Exec(ctx, `
			insert into notification_rules (id, company_id, event_type, title, recipient_role, at_event_location, create_time)
			values ($1, $2, $3, $4, $5, $6, $7)`,
			r.ID, r.CompanyID, r.EventType, r.Title, r.RecipientRole, r.AtEventLocation, r.CreateTime)
		if err != nil {
			return err
		}
		out = r
		return postgres.SaveResponse(ctx, tx, methodCreateNotificationRule, requestID, []byte(r.ID))
	})
	if err != nil {
		return nil, false, postgres.Wrap("create notification rule", err)
	}
	return out, replayed, nil
}

func getRule(ctx context.Context, tx pgx.Tx, id string) (*domain.NotificationRule, error) {
	r, err := scanRule(tx.QueryRow(ctx, `select `+ruleColumns+` from notification_rules where id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("notification rule", id)
	}
	return r, err
}

// GetNotificationRule returns rule id of the caller's tenant; another
// tenant's rule is NOT_FOUND, exactly like a missing one.
func (s *Store) GetNotificationRule(ctx context.Context, id string) (*domain.NotificationRule, error) {
	var out *domain.NotificationRule
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = getRule(ctx, tx, id)
		return err
	})
	return out, postgres.Wrap("get notification rule", err)
}

// ListNotificationRules returns up to limit of the tenant's rules, oldest
// first (UUIDv7 ids), after afterID ("" for the first page). The event
// consumer reads every rule of the event's tenant with it.
func (s *Store) ListNotificationRules(ctx context.Context, afterID string, limit int) ([]*domain.NotificationRule, error) {
	var w where
	if afterID != "" {
		w.add("id > $%d", afterID)
	}
	var out []*domain.NotificationRule
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		sql := `select ` + ruleColumns + ` from notification_rules` + w.sql() + ` order by id`
		args := w.args
		if limit > 0 {
			sql += ` limit ` + w.next()
			args = append(args, limit)
		}
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = postgres.Collect(rows, scanRule)
		return err
	})
	return out, postgres.Wrap("list notification rules", err)
}

// DeleteNotificationRule removes rule id of the caller's tenant; the
// notifications it made stay. A missing rule is NOT_FOUND.
func (s *Store) DeleteNotificationRule(ctx context.Context, id string) error {
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `delete from notification_rules where id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound("notification rule", id)
		}
		return nil
	})
	return postgres.Wrap("delete notification rule", err)
}
