package pgtest

import (
	"context"
	"io/fs"
	"testing"

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
	// URL is the superuser's and AppURL the runtime role's connection URL,
	// for tools outside the process (pgbench); neither sets the
	// search_path, which is Name.
	URL, AppURL string
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
	s.AppURL = appURL
	owner := OpenPool(t, postgres.Config{URL: ownerURL})
	if err := postgres.Migrate(context.Background(), owner, s.Name, appRole, migrations); err != nil {
		t.Fatalf("pgtest: migrate %s: %v", s.Name, err)
	}
	s.Super = OpenPool(t, postgres.Config{URL: dbURL, Schema: s.Name})
	s.AppPool = OpenPool(t, postgres.Config{URL: appURL, Schema: s.Name})
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
