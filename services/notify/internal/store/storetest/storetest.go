// Package storetest gives the notify service's tests a migrated notify
// schema of their own on a real Postgres, set up the way production runs: a
// non-superuser owner applies the migrations and the code under test logs in
// as a role that owns nothing, so row-level security binds it and the audit
// trail's privileges (insert and select only) hold.
package storetest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/notify/migrations"
)

// Schema is the notify service's schema; its migrations grant to its group
// role (notify_app), so every test database uses the real name.
const Schema = "notify"

// DB is one test's database.
type DB struct {
	// App runs as the service's runtime role: tenant transactions, RLS.
	App *postgres.DB
	// AppPool is App's pool, for statements a test runs as the runtime
	// role directly (to prove what it may not do).
	AppPool *pgxpool.Pool
	// Super is a superuser pool on the same database and schema. It
	// bypasses row-level security, to inspect and tamper with rows behind
	// the back of the code under test.
	Super *pgxpool.Pool
}

// New creates a fresh database, migrates the notify schema as its owner
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
	return &DB{App: postgres.NewDB(app), AppPool: app, Super: super}
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
