package postgres_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// SQLSTATE codes the tests expect from Postgres.
const (
	codeInsufficientPrivilege = "42501"
	codeReadOnlyTransaction   = "25006"
	codeInvalidParameterValue = "22023"
)

// Two tenants, as UUIDs like the ones company issues.
const (
	companyA = "0195f3a2-0000-7000-8000-00000000000a"
	companyB = "0195f3a2-0000-7000-8000-00000000000b"
)

// fixture is one migrated schema on a fresh database, set up the way
// production runs: a non-superuser owner migrates, the service runs as a
// login role that owns nothing.
type fixture struct {
	schema   string
	ownerURL string
	appRole  string
	appURL   string
	// super bypasses row-level security: it seeds and inspects data behind
	// the back of the role under test.
	super *pgxpool.Pool
	owner *pgxpool.Pool
	app   *postgres.DB
}

// newFixture creates the database and migrates service into a schema named
// after it, so every role the test creates is dropped with the database.
func newFixture(t *testing.T, service func(schema string) fs.FS) fixture {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	f := fixture{schema: pgtest.DatabaseName(t, dbURL)}
	_, f.ownerURL = pgtest.NewOwnerRole(t, dbURL)
	f.appRole, f.appURL = pgtest.NewAppRole(t, dbURL)

	f.super = openPool(t, postgres.Config{URL: dbURL, Schema: f.schema})
	f.owner = openPool(t, postgres.Config{URL: f.ownerURL})
	var serviceFS fs.FS
	if service != nil {
		serviceFS = service(f.schema)
	}
	if err := postgres.Migrate(context.Background(), f.owner, f.schema, f.appRole, serviceFS); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	f.app = postgres.NewDB(openPool(t, postgres.Config{URL: f.appURL, Schema: f.schema}))
	return f
}

func openPool(t *testing.T, cfg postgres.Config) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// sqlMigrations builds a migration directory whose SQL may say APP_ROLE
// where a service's migrations name their group role ("serials_app").
func sqlMigrations(files map[string]string) func(schema string) fs.FS {
	return func(schema string) fs.FS {
		m := fstest.MapFS{}
		for name, sql := range files {
			m[name] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(sql, "APP_ROLE", postgres.GroupRole(schema)))}
		}
		return m
	}
}

// notesMigration defines a tenant table protected the way the package
// documentation prescribes.
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
grant select, insert, update, delete on notes to APP_ROLE;
`

// notesMigrations is the migration directory holding notesMigration.
func notesMigrations() func(schema string) fs.FS {
	return sqlMigrations(map[string]string{"00001_notes.sql": notesMigration})
}

// tenantCtx is a request context authenticated as a user of companyID.
func tenantCtx(companyID string) context.Context {
	return identity.NewContext(context.Background(), identity.Principal{
		Subject:   "user-of-" + companyID,
		CompanyID: companyID,
		Roles:     []string{"admin"},
		Kind:      identity.KindUser,
	})
}

// sqlState returns the SQLSTATE of a Postgres error, or "" for any other
// error (including nil).
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
