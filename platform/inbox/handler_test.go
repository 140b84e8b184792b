package inbox_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

const (
	companyA = "0195f3a2-0000-7000-8000-00000000000a"
	companyB = "0195f3a2-0000-7000-8000-00000000000b"
	consumer = "notes.events"
)

// fixture is one migrated schema on a fresh database: a non-superuser
// owner migrates, the service runs as a login role bound by row-level
// security; super inspects and arranges rows behind its back.
type fixture struct {
	super *pgxpool.Pool
	app   *postgres.DB
}

const notesMigration = `
-- +goose Up
create table notes (
    id         uuid primary key,
    company_id uuid not null,
    body       text not null
);
alter table notes enable row level security;
alter table notes force row level security;
create policy tenant_isolation on notes
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
do $$ begin execute format('grant select, insert, update, delete on notes to %I', current_schema() || '_app'); end $$;
`

func newFixture(t *testing.T) fixture {
	t.Helper()
	s := pgtest.NewSchema(t, fstest.MapFS{"00001_notes.sql": &fstest.MapFile{Data: []byte(notesMigration)}})
	return fixture{super: s.Super, app: s.App}
}

func delivery(companyID string) bus.Delivery {
	return bus.Delivery{Message: bus.Message{
		ID: uuid.Must(uuid.NewV7()).String(), Type: "notes.note.created.v1", PayloadType: "x.v1.NoteCreated",
		CompanyID: companyID, Source: "notes", OccurTime: time.Now().UTC(),
	}}
}

// addNote is an effect: a note of the delivery's tenant, written through
// a repository-style WithTx that joins the unit of work.
func addNote(db *postgres.DB) func(ctx context.Context, d bus.Delivery) error {
	return func(ctx context.Context, d bus.Delivery) error {
		return db.WithTx(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, $3)", uuid.New(), d.CompanyID, d.ID)
			return err
		})
	}
}

func count(t *testing.T, f fixture, table string) int {
	t.Helper()
	var n int
	if err := f.super.QueryRow(context.Background(), "select count(*) from "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHandlerAppliesEachEventOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var applied []string
	h := inbox.Handler(f.app, consumer, func(ctx context.Context, d bus.Delivery) error {
		applied = append(applied, d.ID)
		return addNote(f.app)(ctx, d)
	})
	a, b := delivery(companyA), delivery(companyB)
	if err := h(context.Background(), []bus.Delivery{a, b, a}); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if diff := cmp.Diff([]string{a.ID, b.ID}, applied); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}

	// The broker delivers the batch again (the ack was lost).
	applied = nil
	redelivered := []bus.Delivery{a, b}
	for i := range redelivered {
		redelivered[i].Redelivered = true
	}
	if err := h(context.Background(), redelivered); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	if len(applied) != 0 {
		t.Errorf("redelivery applied %v, want nothing", applied)
	}
	if n := count(t, f, "notes"); n != 2 {
		t.Errorf("notes = %d, want 2", n)
	}

	// Another consumer of the same events applies them once too.
	applied = nil
	other := inbox.Handler(f.app, "notes.search", func(_ context.Context, d bus.Delivery) error {
		applied = append(applied, d.ID)
		return nil
	})
	if err := other(context.Background(), []bus.Delivery{a, b}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{a.ID, b.ID}, applied); diff != "" {
		t.Errorf("applied by the second consumer (-want +got):\n%s", diff)
	}
}

func TestHandlerRollsBackTheWholeBatchOnError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	batch := []bus.Delivery{delivery(companyA), delivery(companyB), delivery(companyA)}
	errApply := errors.New("cannot apply")
	failing := inbox.Handler(f.app, consumer, func(ctx context.Context, d bus.Delivery) error {
		if d.ID == batch[2].ID {
			return errApply
		}
		return addNote(f.app)(ctx, d)
	})
	if err := failing(context.Background(), batch); !errors.Is(err, errApply) {
		t.Fatalf("handler: %v, want %v", err, errApply)
	}
	if n, m := count(t, f, "inbox"), count(t, f, "notes"); n != 0 || m != 0 {
		t.Errorf("after the failed batch: %d inbox rows, %d notes; want none", n, m)
	}

	// The retry applies everything: nothing of the failed attempt counts
	// as done.
	var applied []string
	h := inbox.Handler(f.app, consumer, func(ctx context.Context, d bus.Delivery) error {
		applied = append(applied, d.ID)
		return addNote(f.app)(ctx, d)
	})
	if err := h(context.Background(), batch); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if diff := cmp.Diff([]string{batch[0].ID, batch[1].ID, batch[2].ID}, applied); diff != "" {
		t.Errorf("applied on retry (-want +got):\n%s", diff)
	}
}

func TestHandlerScopesEachDeliveryToItsTenant(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for tenant, n := range map[string]int{companyA: 2, companyB: 3} {
		for range n {
			if _, err := f.super.Exec(context.Background(),
				"insert into notes (id, company_id, body) values ($1, $2, 'seed')", uuid.New(), tenant); err != nil {
				t.Fatal(err)
			}
		}
	}
	var seen []int
	h := inbox.Handler(f.app, consumer, func(ctx context.Context, d bus.Delivery) error {
		return f.app.WithTx(ctx, func(tx pgx.Tx) error {
			var n int
			err := tx.QueryRow(ctx, "select count(*) from notes").Scan(&n)
			seen = append(seen, n)
			return err
		})
	})
	// A principal in the consumer's context does not decide the tenant.
	ctx := identity.NewContext(context.Background(), identity.Principal{Subject: "stray", CompanyID: companyB})
	batch := []bus.Delivery{delivery(companyA), delivery(companyB), delivery(""), delivery(companyA)}
	if err := h(ctx, batch); err != nil {
		t.Fatalf("handler: %v", err)
	}
	if diff := cmp.Diff([]int{2, 3, 0, 2}, seen); diff != "" {
		t.Errorf("notes visible to each delivery (-want +got):\n%s", diff)
	}
}

func TestHandlerRejectsMalformedDeliveries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	noop := func(context.Context, bus.Delivery) error { return nil }
	badID, badTenant := delivery(companyA), delivery(companyA)
	badID.ID = "evt-1"
	badTenant.CompanyID = "acme"
	for name, call := range map[string]func() error{
		"event id not a UUID": func() error { return inbox.Handler(f.app, consumer, noop)(context.Background(), []bus.Delivery{badID}) },
		"tenant not a UUID": func() error {
			return inbox.Handler(f.app, consumer, noop)(context.Background(), []bus.Delivery{badTenant})
		},
		"no consumer": func() error {
			return inbox.Handler(f.app, "", noop)(context.Background(), []bus.Delivery{delivery("")})
		},
		"no apply": func() error {
			return inbox.Handler(f.app, consumer, nil)(context.Background(), []bus.Delivery{delivery("")})
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: handler succeeded", name)
		}
	}
	if n := count(t, f, "inbox"); n != 0 {
		t.Errorf("inbox rows = %d, want none", n)
	}
}

func TestPruneRemovesOnlyOldRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old, recent := delivery(companyA), delivery(companyB)
	h := inbox.Handler(f.app, consumer, func(context.Context, bus.Delivery) error { return nil })
	if err := h(context.Background(), []bus.Delivery{old, recent}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.super.Exec(context.Background(),
		"update inbox set received_at = now() - interval '31 days' where event_id = $1", old.ID); err != nil {
		t.Fatal(err)
	}
	n, err := inbox.Prune(context.Background(), f.app.Pool(), 30*24*time.Hour)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if n != 1 {
		t.Errorf("Prune removed %d, want 1", n)
	}
	var left []string
	rows, err := f.super.Query(context.Background(), "select event_id::text from inbox")
	if err != nil {
		t.Fatal(err)
	}
	if left, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{recent.ID}, left); diff != "" {
		t.Errorf("remaining (-want +got):\n%s", diff)
	}
	if _, err := inbox.Prune(context.Background(), f.app.Pool(), 0); err == nil {
		t.Error("Prune with zero retention succeeded")
	}
}
