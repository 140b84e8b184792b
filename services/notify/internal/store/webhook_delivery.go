package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// EnqueueWebhookDeliveries plans and inserts the deliveries of one event
// for companyID. plan receives the tenant's active subscriptions, each with
// the roles it delivers with now (a user creator's current roles from the
// users read model, none while that user is inactive; an API key's own
// roles), and returns
// the deliveries to make; a delivery of an event already enqueued for a
// subscription (a redelivered event) is skipped. It reports how many were
// inserted, and wakes the dispatchers when the transaction commits
// (NOTIFY is transactional: an enqueue that rolls back wakes nobody).
//
// It joins the unit of work ctx carries (the event consumer's, whose tenant
// is the event's); otherwise it runs in a transaction of its own scoped to
// companyID.
func (w *WebhookStore) EnqueueWebhookDeliveries(ctx context.Context, companyID string,
	plan func([]*domain.WebhookSubscription) ([]*domain.WebhookDelivery, error)) (int, error) {
	inserted := 0
	err := w.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select `+webhookSubscriptionColumns+`,
				(select case when r.active then r.roles else '{}' end from recipients r
				 where r.company_id = s.company_id and r.user_id::text = s.creator_id and s.creator_kind = 'user')
			from webhook_subscriptions s
			where company_id = $1 and state = 'active'
			order by create_time, id`, companyID)
		if err != nil {
			return err
		}
		subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.WebhookSubscription, error) {
			var current []string
			s, err := scanWebhookSubscription(r, &current)
			if err == nil && current != nil {
				s.CreatorRoles = current
			}
			return s, err
		})
		if err != nil || len(subs) == 0 {
			return err
		}
		deliveries, err := plan(subs)
		if err != nil || len(deliveries) == 0 {
			return err
		}
		batch := &pgx.Batch{}
		for _, d := range deliveries {
			batch.Queue(`
				insert into webhook_deliveries (id, company_id, subscription_id, event_id, event_type, body, state,
					attempts, next_attempt_at, create_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				on conflict (subscription_id, event_id) do nothing`,
				d.ID, d.CompanyID, d.SubscriptionID, d.EventID, d.EventType, d.Body, string(d.State),
				d.Attempts, d.NextAttemptTime, d.CreateTime).Exec(func(tag pgconn.CommandTag) error {
				inserted += int(tag.RowsAffected())
				return nil
			})
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		if inserted == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `select pg_notify(current_schema() || '`+webhookDeliveriesChannelSuffix+`', '')`)
		return err
	})
	if err != nil {
		return 0, postgres.Wrap("enqueue webhook deliveries", err)
	}
	return inserted, nil
}

// webhookDeliveryColumns is the select list scanWebhookDelivery reads; the
// body is left out of listings.
const webhookDeliveryColumns = `id::text, company_id::text, subscription_id::text, event_id, event_type, state,
	attempts, next_attempt_at, last_error, create_time`

func scanWebhookDelivery(row pgx.Row) (*domain.WebhookDelivery, error) {
	var d domain.WebhookDelivery
	var state string
	err := row.Scan(&d.ID, &d.CompanyID, &d.SubscriptionID, &d.EventID, &d.EventType, &state,
		&d.Attempts, &d.NextAttemptTime, &d.LastError, &d.CreateTime)
	if err != nil {
		return nil, err
	}
	d.State = domain.WebhookDeliveryState(state)
	d.CreateTime = d.CreateTime.UTC()
	if d.NextAttemptTime != nil {
		t := d.NextAttemptTime.UTC()
		d.NextAttemptTime = &t
	}
	return &d, nil
}

// ListWebhookDeliveries returns up to limit deliveries of subscription
// subscriptionID, newest first, each with its attempts oldest first,
// resuming after the delivery created at beforeTime with id beforeID (a
// zero beforeTime starts with the newest). A subscription that does not
// exist for the caller's tenant is NOT_FOUND, not an empty list.
func (w *WebhookStore) ListWebhookDeliveries(ctx context.Context, subscriptionID string, beforeTime time.Time, beforeID string, limit int) ([]*domain.WebhookDelivery, error) {
	var out []*domain.WebhookDelivery
	err := w.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `select exists (select 1 from webhook_subscriptions where id = $1)`, subscriptionID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return errs.NotFound(webhookSubscriptionResource, subscriptionID)
		}
		rows, err := tx.Query(ctx, `
			select `+webhookDeliveryColumns+` from webhook_deliveries
			where subscription_id = $1 and ($2::timestamptz is null or (create_time, id) < ($2, $3::uuid))
			order by create_time desc, id desc
			limit $4`, subscriptionID, nullTime(beforeTime), nullUUID(beforeID), limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.WebhookDelivery, error) {
			return scanWebhookDelivery(r)
		})
		if err != nil || len(out) == 0 {
			return err
		}
		return attachWebhookAttempts(ctx, tx, out)
	})
	return out, postgres.Wrap("list webhook deliveries", err)
}

// attachWebhookAttempts reads the attempts of deliveries in one query.
func attachWebhookAttempts(ctx context.Context, tx pgx.Tx, deliveries []*domain.WebhookDelivery) error {
	byID := make(map[string]*domain.WebhookDelivery, len(deliveries))
	ids := make([]string, len(deliveries))
	for i, d := range deliveries {
		byID[d.ID] = d
		ids[i] = d.ID
	}
	rows, err := tx.Query(ctx, `
		select delivery_id::text, number, attempt_time, http_status, error, duration_us
		from webhook_attempts
		where delivery_id = any($1::uuid[])
		order by delivery_id, number`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a domain.WebhookAttempt
		var durationUS int64
		if err := rows.Scan(&id, &a.Number, &a.Time, &a.HTTPStatus, &a.Error, &durationUS); err != nil {
			return err
		}
		a.Time = a.Time.UTC()
		a.Duration = time.Duration(durationUS) * time.Microsecond
		d, ok := byID[id]
		if !ok {
			return errors.New("attempt of a delivery that was not asked for")
		}
		d.AttemptLog = append(d.AttemptLog, a)
	}
	return rows.Err()
}
