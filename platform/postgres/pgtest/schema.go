package pgtest

import (
	"context"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/postgres"
)

// Schema is a migrated service schema on a database of its own, set up the
// way production runs: a non-superuser owner migrates, the service runs as
// a login role that owns nothing and is bound by row-level security.
type Schema struct {
	// Name of the schema (the database's name).
	Name string
	// Super bypasses row-level security, to arrange and inspect rows behind
	// the back of the role under test.
	Super *pgxpool.Pool
	// App is the runtime role's database.
	App *postgres.DB
	// AppPool is App's pool.
	AppPool *pgxpool.Pool
	// URL, OwnerURL and AppURL connect as the superuser, the schema's
	// owner and the runtime role, for tools and processes outside the test
	// (pgbench, a service binary); none sets the search_path, which is
	// Name.
	URL, OwnerURL, AppURL string
}

// NewSchema creates a database, migrates the platform's tables and
// migrations (nil for none) into a schema named after it, and opens pools
// for the superuser and the runtime role, closed when t ends.
func NewSchema(t testing.TB, migrations fs.FS) Schema {
	t.Helper()
	dbURL := NewDatabase(t)
	s := Schema{Name: DatabaseName(t, dbURL), URL: dbURL}
	_, ownerURL := NewOwnerRole(t, dbURL)
	appRole, appURL := NewAppRole(t, dbURL)
	s.OwnerURL, s.AppURL = ownerURL, appURL
	owner := OpenPool(t, postgres.Config{URL: ownerURL})
	if err := postgres.Migrate(context.Background(), owner, s.Name, appRole, migrations); err != nil {
		t.Fatalf("pgtest: migrate %s: %v", s.Name, err)
	}
	s.Super = OpenPool(t, postgres.Config{URL: dbURL, Schema: s.Name})
	s.AppPool = OpenPool(t, postgres.Config{URL: appURL, Schema: s.Name})
	s.App = postgres.NewDB(s.AppPool)
	return s
}

// NewServiceSchema creates a database and migrates a service's schema into
// it under the service's real name ("company", "clinical"), as production
// does: its migrations grant to the service's group role ("<name>_app")
// by name, so the name cannot be a random one. The group role is
// cluster-wide and shared by every test database; a non-superuser owner may
// grant only roles it administers (Postgres 16 and later), and only the
// first test's owner would have created it, so the superuser creates it
// and lets this test's owner administer it.
func NewServiceSchema(t testing.TB, name string, migrations fs.FS) Schema {
	t.Helper()
	ctx := context.Background()
	dbURL := NewDatabase(t)
	ownerRole, ownerURL := NewOwnerRole(t, dbURL)
	appRole, appURL := NewAppRole(t, dbURL)
	s := Schema{Name: name, URL: dbURL, OwnerURL: ownerURL, AppURL: appURL}
	s.Super = OpenPool(t, postgres.Config{URL: dbURL, Schema: name})

	group := pgx.Identifier{postgres.GroupRole(name)}.Sanitize()
	createGroup := `do $$ begin
		create role ` + group + ` nologin;
	exception when duplicate_object or unique_violation then null;
	end $$`
	if _, err := s.Super.Exec(ctx, createGroup); err != nil {
		t.Fatalf("pgtest: create %s: %v", group, err)
	}
	grant := "grant " + group + " to " + pgx.Identifier{ownerRole}.Sanitize() + " with admin option"
	if _, err := s.Super.Exec(ctx, grant); err != nil {
		t.Fatalf("pgtest: %s: %v", grant, err)
	}

	owner, err := postgres.Open(ctx, postgres.Config{URL: ownerURL})
	if err != nil {
		t.Fatalf("pgtest: open owner pool: %v", err)
	}
	err = postgres.Migrate(ctx, owner, name, appRole, migrations)
	owner.Close()
	if err != nil {
		t.Fatalf("pgtest: migrate %s: %v", name, err)
	}
	s.AppPool = OpenPool(t, postgres.Config{URL: appURL, Schema: name})
	s.App = postgres.NewDB(s.AppPool)
	return s
}

// OpenPool opens a pool closed when t ends.
func OpenPool(t testing.TB, cfg postgres.Config) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
