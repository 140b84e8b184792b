package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
	"github.com/ariesone/ariesone/services/notify/internal/store"
	"github.com/ariesone/ariesone/services/notify/internal/store/storetest"
)

const (
	webhookTenantA = "0195f3a2-0000-7000-8000-0000000000aa"
	webhookTenantB = "0195f3a2-0000-7000-8000-0000000000bb"
)

var webhookT0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// webhookFixture creates an active subscription of company and one pending
// delivery of a fresh event to it, due at webhookT0.
func webhookFixture(t *testing.T, w *store.WebhookStore, company string) (*domain.WebhookSubscription, string) {
	t.Helper()
	ctx := storetest.As(company, "user")
	sub, err := domain.NewWebhookSubscription(uuid.NewString(), company, domain.WebhookCreator{ID: uuid.NewString(), Kind: domain.WebhookCreatorUser, Roles: []string{"admin"}}, domain.WebhookSubscriptionValues{
		URL: "https://hooks.partner.example/", EventTypes: []string{"company.*"},
	}, false, webhookT0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := w.CreateWebhookSubscription(ctx, sub, []byte("sealed"), "", nil); err != nil {
		t.Fatal(err)
	}
	deliveryID := uuid.NewString()
	n, err := w.EnqueueWebhookDeliveries(context.Background(), company, func(subs []*domain.WebhookSubscription) ([]*domain.WebhookDelivery, error) {
		if len(subs) != 1 || subs[0].ID != sub.ID {
			t.Errorf("plan got %d subscriptions, want only %s", len(subs), sub.ID)
		}
		e := domain.Event{ID: uuid.NewString(), Type: "company.user.created.v1", CompanyID: company}
		return []*domain.WebhookDelivery{domain.NewWebhookDelivery(deliveryID, sub, e, []byte(`{}`), webhookT0)}, nil
	})
	if err != nil || n != 1 {
		t.Fatalf("enqueue = %d, %v", n, err)
	}
	return sub, deliveryID
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func TestWebhookDispatchSeesEveryTenantOnlyThroughThePendingFunction(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	w := store.NewWebhookStore(db.App)
	webhookFixture(t, w, webhookTenantA)
	webhookFixture(t, w, webhookTenantB)
	ctx := context.Background()

	pending, err := w.PendingWebhookTenants(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Time{}
	for _, p := range pending {
		got[p.CompanyID] = p.NextDue.UTC()
	}
	if len(got) != 2 || !got[webhookTenantA].Equal(webhookT0) || !got[webhookTenantB].Equal(webhookT0) {
		t.Errorf("pending tenants = %v", pending)
	}
	// The runtime role itself, without a tenant, sees no delivery at all.
	var visible int
	if err := db.AppPool.QueryRow(ctx, `select count(*) from webhook_deliveries`).Scan(&visible); err != nil || visible != 0 {
		t.Errorf("deliveries visible without a tenant = %d, %v", visible, err)
	}
	if pending, err := w.PendingWebhookTenants(ctx, 1); err != nil || len(pending) != 1 {
		t.Errorf("max 1: %v, %v", pending, err)
	}
}

func TestClaimWebhookDeliveriesLeases(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	w := store.NewWebhookStore(db.App)
	sub, deliveryID := webhookFixture(t, w, webhookTenantA)
	ctx := context.Background()
	now := webhookT0.Add(time.Second)

	if early, err := w.ClaimWebhookDeliveries(ctx, webhookTenantA, webhookT0.Add(-time.Second), webhookT0.Add(time.Minute), 10); err != nil || len(early) != 0 {
		t.Fatalf("claim before due = %v, %v", early, err)
	}
	claimed, err := w.ClaimWebhookDeliveries(ctx, webhookTenantA, now, now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	c := claimed[0]
	if c.Delivery.ID != deliveryID || c.URL != sub.URL || string(c.SealedSecret) != "sealed" || string(c.Delivery.Body) != "{}" {
		t.Errorf("claimed %+v", c)
	}
	// Leased: nobody claims it again until the lease ends, and the pending
	// function reports the lease's end as the next due time.
	if again, err := w.ClaimWebhookDeliveries(ctx, webhookTenantA, now, now.Add(time.Minute), 10); err != nil || len(again) != 0 {
		t.Errorf("claim while leased = %v, %v", again, err)
	}
	if pending, err := w.PendingWebhookTenants(ctx, 10); err != nil || len(pending) != 1 || !pending[0].NextDue.Equal(now.Add(time.Minute)) {
		t.Errorf("pending while leased = %v, %v", pending, err)
	}
	// B's dispatcher transaction cannot claim A's delivery.
	if other, err := w.ClaimWebhookDeliveries(ctx, webhookTenantB, now.Add(time.Hour), now.Add(2*time.Hour), 10); err != nil || len(other) != 0 {
		t.Errorf("claim as B = %v, %v", other, err)
	}
	// The claimant died: after the lease, the delivery is claimed again.
	if again, err := w.ClaimWebhookDeliveries(ctx, webhookTenantA, now.Add(time.Minute), now.Add(2*time.Minute), 10); err != nil || len(again) != 1 {
		t.Errorf("claim after the lease = %v, %v", again, err)
	}

	// Recording releases the lease and schedules the retry.
	policy := domain.WebhookRetryPolicy{Schedule: domain.WebhookRetrySchedule{Base: time.Minute, Max: time.Hour}, MaxAttempts: 3}
	rec, err := w.RecordWebhookAttempt(ctx, webhookTenantA, deliveryID,
		domain.WebhookAttempt{Time: now, HTTPStatus: 503, Error: "HTTP 503", Duration: time.Second},
		policy, domain.WebhookDisableRule{After: 10}, 0)
	if err != nil || !rec.Found || rec.Attempt.Number != 1 || rec.Disabled {
		t.Fatalf("record = %+v, %v", rec, err)
	}
	wantDue := now.Add(time.Second + 30*time.Second)
	if pending, err := w.PendingWebhookTenants(ctx, 10); err != nil || len(pending) != 1 || !pending[0].NextDue.Equal(wantDue) {
		t.Errorf("pending after a failed attempt = %v, %v; want due %v", pending, err, wantDue)
	}
}

func TestWebhookAttemptsAreAppendOnlyAndGoWithTheirSubscription(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	w := store.NewWebhookStore(db.App)
	sub, deliveryID := webhookFixture(t, w, webhookTenantA)
	ctx := storetest.As(webhookTenantA, "user")
	_, err := w.RecordWebhookAttempt(context.Background(), webhookTenantA, deliveryID,
		domain.WebhookAttempt{Time: webhookT0, HTTPStatus: 500, Error: "HTTP 500"},
		domain.WebhookRetryPolicy{Schedule: domain.WebhookRetrySchedule{Base: time.Minute, Max: time.Hour}, MaxAttempts: 3},
		domain.WebhookDisableRule{After: 10}, 0)
	if err != nil {
		t.Fatal(err)
	}

	for _, stmt := range []string{
		`update webhook_attempts set error = ''`,
		`delete from webhook_attempts`,
		`delete from webhook_deliveries`,
	} {
		err := db.App.WithTx(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		})
		if got := sqlState(err); got != "42501" {
			t.Errorf("%s as the runtime role: %v (SQLSTATE %q), want insufficient privilege", stmt, err, got)
		}
	}

	if err := w.DeleteWebhookSubscription(ctx, sub.ID, func(*domain.WebhookSubscription) error { return nil }); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var left int
	err = db.Super.QueryRow(context.Background(),
		`select (select count(*) from webhook_deliveries) + (select count(*) from webhook_attempts)`).Scan(&left)
	if err != nil || left != 0 {
		t.Errorf("rows left after deleting the subscription = %d, %v", left, err)
	}
	// An attempt finishing after the delete records nothing and is no error.
	rec, err := w.RecordWebhookAttempt(context.Background(), webhookTenantA, deliveryID,
		domain.WebhookAttempt{Time: webhookT0, HTTPStatus: 200},
		domain.WebhookRetryPolicy{MaxAttempts: 3}, domain.WebhookDisableRule{After: 10}, 0)
	if err != nil || rec.Found {
		t.Errorf("record after delete = %+v, %v", rec, err)
	}
}
