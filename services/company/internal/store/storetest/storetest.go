// Package storetest gives the company service's tests a migrated company
// schema of their own on a real Postgres, set up the way production runs: a
// non-superuser owner applies the migrations and the code under test logs in
// as a role that owns nothing, so row-level security binds it.
package storetest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
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
	s := pgtest.NewServiceSchema(t, Schema, migrations.FS)
	return &DB{App: s.App, Super: s.Super, SuperURL: s.URL, OwnerURL: s.OwnerURL, AppURL: s.AppURL}
}

// Recorder returns an event recorder for tests of the use cases that
// holds every event to the outbox's contract (usecasetest.Recorder).
func Recorder(t testing.TB) *app.MemoryRecorder { return usecasetest.Recorder(t) }

// As returns a request context authenticated as user subject of company
// with roles, as the interceptor chain would build it.
func As(company, subject string, roles ...string) context.Context {
	return usecasetest.As(company, subject, roles...)
}
