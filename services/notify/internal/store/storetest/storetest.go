// Package storetest gives the notify service's tests a migrated notify
// schema of their own on a real Postgres, set up the way production runs: a
// non-superuser owner applies the migrations and the code under test logs in
// as a role that owns nothing, so row-level security binds it and the audit
// trail's privileges (insert and select only) hold.
package storetest

import (
	"context"
	"testing"

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
	s := pgtest.NewServiceSchema(t, Schema, migrations.FS)
	return &DB{App: s.App, AppPool: s.AppPool, Super: s.Super}
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
