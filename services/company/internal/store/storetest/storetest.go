// Package storetest gives the company service's tests a migrated company
// schema of their own on a real Postgres, set up the way production runs: a
// non-superuser owner applies the migrations and the code under test logs in
// as a role that owns nothing, so row-level security binds it.
package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/migrations"
)

// Schema is the company service's schema; its migrations name it and its
// group role (company_app), so every test database uses the real name.
const Schema = "company"

// DB is one test's database.
type DB struct {
	// App runs as the service's runtime role: tenant transactions, RLS.
	App *postgres.DB
	// Super is a superuser pool on the same database and schema. It
	// bypasses row-level security, to inspect rows behind the back of the
	// code under test.
	Super *pgxpool.Pool
	// SuperURL, OwnerURL and AppURL connect as the superuser, the schema
	// owner and the runtime role.
	SuperURL, OwnerURL, AppURL string
}

// New creates a fresh database, migrates the company schema as its owner
// and opens the runtime pool. Everything is dropped when the test ends.
func New(t testing.TB) *DB {
	t.Helper()
	ctx := context.Background()
	superURL := pgtest.NewDatabase(t)
	ownerRole, ownerURL := pgtest.NewOwnerRole(t, superURL)
	appRole, appURL := pgtest.NewAppRole(t, superURL)
	super := open(t, postgres.Config{URL: superURL, Schema: Schema})

	// The group role is cluster-wide and shared by every test database. A
	// non-superuser owner may grant only roles it administers (Postgres 16
	// and later), and only the first test's owner would have created it, so
	// the superuser creates it and lets this test's owner administer it.
	group := postgres.GroupRole(Schema)
	createGroup := `do $$ begin
		create role ` + pgx.Identifier{group}.Sanitize() + ` nologin;
	exception when duplicate_object or unique_violation then null;
	end $$`
	if _, err := super.Exec(ctx, createGroup); err != nil {
		t.Fatalf("storetest: create %s: %v", group, err)
	}
	grant := "grant " + pgx.Identifier{group}.Sanitize() + " to " + pgx.Identifier{ownerRole}.Sanitize() + " with admin option"
	if _, err := super.Exec(ctx, grant); err != nil {
		t.Fatalf("storetest: %s: %v", grant, err)
	}

	owner := open(t, postgres.Config{URL: ownerURL})
	if err := postgres.Migrate(ctx, owner, Schema, appRole, migrations.FS); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	owner.Close()
	app := open(t, postgres.Config{URL: appURL, Schema: Schema})
	return &DB{App: postgres.NewDB(app), Super: super, SuperURL: superURL, OwnerURL: ownerURL, AppURL: appURL}
}

func open(t testing.TB, cfg postgres.Config) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Recorder returns an event recorder for tests of the use cases. It keeps
// the events in memory and holds every one to the contract the outbox
// relies on: recorded inside the transaction of the change it describes
// (a unit of work), whose tenant is the event's company. An event that
// breaks it fails t, and Record returns an error so the change aborts too.
func Recorder(t testing.TB) *app.MemoryRecorder {
	return &app.MemoryRecorder{Check: func(ctx context.Context, e app.Event) error {
		err := checkInUnitOfWork(ctx, e)
		if err != nil {
			t.Errorf("storetest: %v", err)
		}
		return err
	}}
}

func checkInUnitOfWork(ctx context.Context, e app.Event) error {
	tx, ok := postgres.TxFromContext(ctx)
	if !ok {
		return fmt.Errorf("event %s recorded outside a unit of work", e.Type)
	}
	var tenant string
	err := tx.QueryRow(ctx, "select coalesce(current_setting($1, true), '')", postgres.TenantSetting).Scan(&tenant)
	if err != nil {
		return fmt.Errorf("event %s: reading the tenant of its transaction: %w", e.Type, err)
	}
	if tenant != e.CompanyID {
		return fmt.Errorf("event %s of company %q recorded in a transaction of tenant %q", e.Type, e.CompanyID, tenant)
	}
	return nil
}

// As returns a request context authenticated as user subject of company
// with roles, as the interceptor chain would build it.
func As(company, subject string, roles ...string) context.Context {
	return identity.NewContext(context.Background(), identity.Principal{
		Subject:   subject,
		CompanyID: company,
		Roles:     roles,
		Kind:      identity.KindUser,
	})
}
