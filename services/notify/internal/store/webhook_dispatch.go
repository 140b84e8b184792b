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

// WebhookPendingTenant is a tenant with pending deliveries and the earliest
// time one of them may be attempted.
type WebhookPendingTenant struct {
	CompanyID string
	NextDue   time.Time
}

// WebhookDispatch is a claimed delivery with what sending it takes: the
// subscription's URL and its sealed signing secret.
type WebhookDispatch struct {
	Delivery     *domain.WebhookDelivery
	URL          string
	SealedSecret []byte
}

// ListenForWebhookDeliveries holds a connection of its own that LISTENs on
// the channel enqueues NOTIFY (once per committed enqueue, from any
// replica), and calls wake once when it starts listening and then for each
// notification, until ctx ends or the connection fails; the connection is
// closed either way. The channel is
// "<schema>_webhook_deliveries", so two schemas in one database (a test run
// next to a development stack) do not wake each other.
func (w *WebhookStore) ListenForWebhookDeliveries(ctx context.Context, wake func()) error {
	pooled, err := w.db.Pool().Acquire(ctx)
	if err != nil {
		return postgres.Wrap("listen for webhook deliveries", err)
	}
	// Out of the pool for good: a connection left listening must never be
	// handed to a request.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, `select current_schema()`).Scan(&schema); err != nil {
		return postgres.Wrap("listen for webhook deliveries", err)
	}
	if _, err := conn.Exec(ctx, "listen "+pgx.Identifier{schema + webhookDeliveriesChannelSuffix}.Sanitize()); err != nil {
		return postgres.Wrap("listen for webhook deliveries", err)
	}
	// Whatever was enqueued before the LISTEN took effect notified nobody;
	// one wake now finds it.
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return postgres.Wrap("listen for webhook deliveries", err)
		}
		wake()
	}
}

// PendingWebhookTenants lists up to max tenants with pending deliveries to
// active subscriptions, the earliest due first. It reads across tenants
// through webhook_pending_tenants, which runs as the schema's owner and
// reveals tenant ids and times only; no tenant is set for the call.
func (w *WebhookStore) PendingWebhookTenants(ctx context.Context, max int) ([]WebhookPendingTenant, error) {
	var out []WebhookPendingTenant
	err := w.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select company_id::text, next_due from webhook_pending_tenants($1)`, max)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (WebhookPendingTenant, error) {
			var p WebhookPendingTenant
			err := r.Scan(&p.CompanyID, &p.NextDue)
			return p, err
		})
		return err
	})
	return out, postgres.Wrap("pending webhook tenants", err)
}

// ClaimWebhookDeliveries claims up to limit deliveries of companyID due at
// now, the longest due first, by leasing them until leaseUntil, and commits
// the lease before returning. Rows another dispatcher is claiming are
// skipped (FOR UPDATE SKIP LOCKED), as are leased ones, so replicas share the
// work without sending a delivery twice; a dispatcher that dies mid-send
// leaves its lease to run out, after which the delivery is claimed again.
func (w *WebhookStore) ClaimWebhookDeliveries(ctx context.Context, companyID string, now, leaseUntil time.Time, limit int) ([]WebhookDispatch, error) {
	var out []WebhookDispatch
	err := w.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select d.id::text, d.company_id::text, d.subscription_id::text, d.event_id, d.event_type, d.body,
				d.state, d.attempts, d.next_attempt_at, d.last_error, d.create_time, s.url, s.secret_ciphertext
			from webhook_deliveries d
			join webhook_subscriptions s on s.company_id = d.company_id and s.id = d.subscription_id
			where d.company_id = $1 and d.state = 'pending' and s.state = 'active'
			  and d.next_attempt_at <= $2 and (d.lease_until is null or d.lease_until <= $2)
			order by d.next_attempt_at
			limit $3
			for update of d skip locked`, companyID, now, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (WebhookDispatch, error) {
			var d domain.WebhookDelivery
			var p WebhookDispatch
			var state string
			err := r.Scan(&d.ID, &d.CompanyID, &d.SubscriptionID, &d.EventID, &d.EventType, &d.Body,
				&state, &d.Attempts, &d.NextAttemptTime, &d.LastError, &d.CreateTime, &p.URL, &p.SealedSecret)
			d.State = domain.WebhookDeliveryState(state)
			p.Delivery = &d
			return p, err
		})
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		for i, p := range out {
			ids[i] = p.Delivery.ID
		}
		_, err = tx.Exec(ctx, `update webhook_deliveries set lease_until = $2 where id = any($1::uuid[])`, ids, leaseUntil)
		return err
	})
	if err != nil {
		return nil, postgres.Wrap("claim webhook deliveries", err)
	}
	return out, nil
}

// WebhookAttemptRecorded says what recording an attempt changed.
type WebhookAttemptRecorded struct {
	// Found is false when the delivery no longer exists (its subscription
	// was deleted while the attempt was in flight); nothing was recorded.
	Found bool
	// Attempt is the attempt as logged, with its number.
	Attempt domain.WebhookAttempt
	// Delivery is the delivery after the attempt.
	Delivery *domain.WebhookDelivery
	// Disabled is true when this attempt disabled the subscription.
	Disabled bool
	// FailedPending counts the subscription's other pending deliveries that
	// failed because it was disabled.
	FailedPending int
}

// RecordWebhookAttempt logs attempt a of delivery deliveryID of companyID
// and applies its outcome in one transaction: the delivery's state and next
// attempt (domain.WebhookDelivery.RecordAttempt with policy and jitter), the
// lease released, the subscription's failure run
// (domain.WebhookSubscription.RecordAttemptOutcome with rule) and, when that
// disables the subscription, its other pending deliveries failed with
// domain.WebhookErrSubscriptionDisabled.
//
// The subscription row is locked before the delivery, the order every
// writer of both uses, so concurrent attempts of one subscription queue up
// rather than deadlock, and none of their failures is lost from the run.
func (w *WebhookStore) RecordWebhookAttempt(ctx context.Context, companyID, deliveryID string, a domain.WebhookAttempt,
	policy domain.WebhookRetryPolicy, rule domain.WebhookDisableRule, jitter float64) (WebhookAttemptRecorded, error) {
	var out WebhookAttemptRecorded
	err := w.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		var subscriptionID string
		err := tx.QueryRow(ctx, `select subscription_id::text from webhook_deliveries where id = $1`, deliveryID).Scan(&subscriptionID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		sub, _, err := getWebhookSubscription(ctx, tx, subscriptionID, " for update")
		if err != nil {
			// Deleted between the two statements: the delivery went with it.
			if errs.Is(err, errs.KindNotFound) {
				return nil
			}
			return err
		}
		d, err := scanWebhookDelivery(tx.QueryRow(ctx,
			`select `+webhookDeliveryColumns+` from webhook_deliveries where id = $1 for update`, deliveryID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		out.Found = true
		out.Attempt = d.RecordAttempt(a, policy, jitter)
		out.Delivery = d
		out.Disabled = sub.RecordAttemptOutcome(out.Attempt.Succeeded(), rule, a.Time.Add(a.Duration).UTC().Truncate(time.Microsecond))
		if out.Disabled {
			d.Abandon(domain.WebhookErrSubscriptionDisabled)
		}

		batch := &pgx.Batch{}
		batch.Queue(`
			insert into webhook_attempts (company_id, delivery_id, number, attempt_time, http_status, error, duration_us)
			values ($1, $2, $3, $4, $5, $6, $7)`,
			companyID, deliveryID, out.Attempt.Number, out.Attempt.Time, out.Attempt.HTTPStatus, out.Attempt.Error,
			out.Attempt.Duration.Microseconds())
		batch.Queue(`
			update webhook_deliveries set state = $2, attempts = $3, next_attempt_at = $4, last_error = $5, lease_until = null
			where id = $1`, d.ID, string(d.State), d.Attempts, d.NextAttemptTime, d.LastError)
		batch.Queue(`
			update webhook_subscriptions set consecutive_failures = $2, state = $3, disable_time = $4, version = $5, update_time = $6
			where id = $1`, sub.ID, sub.ConsecutiveFailures, string(sub.State), sub.DisableTime, sub.Version, sub.UpdateTime)
		if out.Disabled {
			batch.Queue(`
				update webhook_deliveries set state = $3, next_attempt_at = null, lease_until = null, last_error = $4
				where subscription_id = $1 and state = $2`,
				sub.ID, string(domain.WebhookDeliveryPending), string(domain.WebhookDeliveryFailed), domain.WebhookErrSubscriptionDisabled,
			).Exec(func(tag pgconn.CommandTag) error {
				out.FailedPending = int(tag.RowsAffected())
				return nil
			})
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return WebhookAttemptRecorded{}, postgres.Wrap("record webhook attempt", err)
	}
	return out, nil
}
