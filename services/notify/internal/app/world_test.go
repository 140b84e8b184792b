package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/app/apptest"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
	"github.com/ariesone/ariesone/services/notify/internal/store"
	"github.com/ariesone/ariesone/services/notify/internal/store/storetest"
)

// t0 is the start of every test's timeline.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// world is one test's notify: a fresh database, the consumer and the API's
// use cases on it, and a webhook enqueuer that records what it is given.
type world struct {
	db       *storetest.DB
	store    *store.Store
	consumer *app.EventConsumer
	app      *app.Application
	webhooks *recordedWebhooks
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := storetest.New(t)
	s := store.New(db.App)
	w := &world{db: db, store: s, webhooks: &recordedWebhooks{}}
	w.consumer = app.NewEventConsumer(app.ConsumerDeps{
		Tenants: s, Audit: s, Events: s, Recipients: s, Rules: s, Notifications: s, Webhooks: w.webhooks,
	})
	w.app = app.NewApplication(app.Deps{Store: s, Live: app.NewLiveEvents(8),
		Pages: pagetest.Sealer(t, keyringtest.New(t)), Keyring: keyringtest.New(t)})
	return w
}

// apply applies d as production does, through the inbox.
func (w *world) apply(d bus.Delivery) error { return apptest.Apply(w.db.App, w.consumer, d) }

func (w *world) mustApply(t *testing.T, ds ...bus.Delivery) {
	t.Helper()
	for _, d := range ds {
		if err := w.apply(d); err != nil {
			t.Fatalf("apply %s %s: %v", d.Type, d.ID, err)
		}
	}
}

// count runs a count(*) query as the superuser, past row-level security.
func (w *world) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.db.Super.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// recordedWebhooks is a WebhookEnqueuer that remembers the events and the
// tenant of the transaction it was called in.
type recordedWebhooks struct {
	mu        sync.Mutex
	events    []string
	suspended []string
}

func (r *recordedWebhooks) EnqueueWebhookDeliveries(ctx context.Context, e domain.Event) error {
	tx, ok := postgres.TxFromContext(ctx)
	if !ok {
		return errors.New("webhook enqueuer called outside the consumer's unit of work")
	}
	var tenant string
	if err := tx.QueryRow(ctx, "select current_setting('ariesone.company_id', true)").Scan(&tenant); err != nil {
		return err
	}
	if tenant != e.CompanyID {
		return errors.New("webhook enqueuer called under tenant " + tenant + ", event of " + e.CompanyID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e.ID)
	return nil
}

func (r *recordedWebhooks) SuspendWebhookSubscriptionsOf(ctx context.Context, creatorID, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.suspended = append(r.suspended, creatorID+":"+reason)
	return nil
}

func (r *recordedWebhooks) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func newUUID(t *testing.T) string { return apptest.NewID(t) }

// eventOf wraps payload in the envelope of an event of typ for company.
var eventOf = apptest.Event

// auditEvent is the event of one audited call of company (empty: no
// tenant) by actor.
var auditEvent = apptest.AuditEvent

// as returns a request context of user subject of company with roles.
func as(company, subject string, roles ...string) context.Context {
	return storetest.As(company, subject, roles...)
}

func wantKind(t *testing.T, err error, kind errs.Kind) {
	t.Helper()
	if got := errs.KindOf(err); err == nil || got != kind {
		t.Fatalf("err = %v (kind %v), want kind %v", err, got, kind)
	}
}

// violations returns the fields of an invalid-argument error.
func violations(t *testing.T, err error) []string {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		t.Fatalf("err = %v, want an invalid-argument error", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}
