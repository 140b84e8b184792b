// Package pgtest gives store tests a database of their own on a real Postgres
// server, so tests can run in parallel without seeing each other's rows and
// without mocks standing in for the behaviour under test (row-level security,
// constraints, locking).
//
// The server is named by TEST_DATABASE_URL (a superuser connection) and
// defaults to the local development server. A test that cannot reach it
// fails: a skipped store test would let a broken query ship.
//
// Roles are cluster-wide, unlike databases. Every role this package creates
// is named with its database's name as prefix, and the database's cleanup
// drops all roles carrying that prefix after the database itself is gone.
// Tests that migrate a schema named after the database (see DatabaseName)
// therefore leave no roles behind either.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the superuser URL of the
// server tests create their databases on.
const EnvURL = "TEST_DATABASE_URL"

// DefaultURL is the server used when EnvURL is unset: the local development
// Postgres with trust authentication.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// namePrefix starts every database this package creates, so a leftover from
// a killed test run is easy to recognise and remove by hand.
const namePrefix = "ariesone_test_"

// adminTimeout bounds each administrative round trip; a healthy local
// server answers in milliseconds, so anything slower means it is stuck.
const adminTimeout = 30 * time.Second

// ServerURL returns the superuser URL of the test server.
func ServerURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// NewDatabase creates an empty database with a random name on the test
// server and returns a superuser URL connecting to it. The database is
// dropped (terminating any connection left open) when the test and its
// subtests finish, followed by every role named with the database's name as
// prefix.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL()
	name := namePrefix + randomHex(t, 8)

	exec(t, server, "create database "+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() {
		exec(t, server, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)")
		dropRolesWithPrefix(t, server, name+"_")
	})
	return withDatabase(t, server, name)
}

// DatabaseName returns the name of the database dbURL connects to. A test
// that uses it as its schema name gets a group role ("<name>_app") that the
// database's cleanup drops.
func DatabaseName(t testing.TB, dbURL string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatalf("pgtest: parse database URL: %v", err)
	}
	return cfg.Database
}

// NewAppRole creates the login role a service uses at runtime: no
// superuser, no BYPASSRLS, owner of nothing, so row-level security applies
// to it exactly as in production. Its privileges come from the group role
// that the migrations grant it. It returns the role name and a URL
// connecting as it to the database of dbURL, which must come from
// NewDatabase (the role is dropped with that database).
func NewAppRole(t testing.TB, dbURL string) (role, roleURL string) {
	t.Helper()
	role = DatabaseName(t, dbURL) + "_login"
	exec(t, dbURL, "create role "+pgx.Identifier{role}.Sanitize()+" login nosuperuser nobypassrls nocreatedb nocreaterole")
	return role, withUser(t, dbURL, role)
}

// NewOwnerRole creates a login role that owns the database of dbURL and may
// create roles, but is not a superuser: the privileges a managed Postgres
// (CloudNativePG's application owner, for example) gives the role that runs
// migrations. Tests that migrate as this role catch privilege mistakes a
// superuser would hide. dbURL must come from NewDatabase.
func NewOwnerRole(t testing.TB, dbURL string) (role, roleURL string) {
	t.Helper()
	db := DatabaseName(t, dbURL)
	role = db + "_owner"
	exec(t, dbURL, "create role "+pgx.Identifier{role}.Sanitize()+" login nosuperuser nobypassrls nocreatedb createrole")
	exec(t, dbURL, "alter database "+pgx.Identifier{db}.Sanitize()+" owner to "+pgx.Identifier{role}.Sanitize())
	return role, withUser(t, dbURL, role)
}

// dropRolesWithPrefix drops the roles created for one test database. Roles
// other than the owner go first: the owner granted their memberships.
func dropRolesWithPrefix(t testing.TB, server, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn := connect(ctx, t, server)
	defer conn.Close(context.Background())

	rows, err := conn.Query(ctx, "select rolname from pg_roles where starts_with(rolname, $1)", prefix)
	if err != nil {
		t.Fatalf("pgtest: list roles: %v", err)
	}
	roles, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("pgtest: list roles: %v", err)
	}
	slices.SortFunc(roles, func(a, b string) int {
		return boolOrder(strings.HasSuffix(a, "_owner"), strings.HasSuffix(b, "_owner"))
	})
	for _, r := range roles {
		if _, err := conn.Exec(ctx, "drop role "+pgx.Identifier{r}.Sanitize()); err != nil {
			t.Errorf("pgtest: drop role %s: %v", r, err)
		}
	}
}

func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

func exec(t testing.TB, connURL, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn := connect(ctx, t, connURL)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

func connect(ctx context.Context, t testing.TB, connURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		t.Fatalf("pgtest: cannot reach Postgres at %s (start the server or set %s): %v",
			redact(connURL), EnvURL, err)
	}
	return conn
}

func withDatabase(t testing.TB, connURL, name string) string {
	t.Helper()
	parseURL(t, connURL)
	return withDatabaseURL(connURL, name)
}

// withDatabaseURL is connURL (a checked postgres:// URL) naming database
// name.
func withDatabaseURL(connURL, name string) string {
	u, err := url.Parse(connURL)
	if err != nil {
		return connURL
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

func withUser(t testing.TB, connURL, role string) string {
	t.Helper()
	u := parseURL(t, connURL)
	u.User = url.User(role)
	return u.String()
}

func parseURL(t testing.TB, connURL string) *url.URL {
	t.Helper()
	u, err := url.Parse(connURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("pgtest: %s must be a postgres:// URL, got %q", EnvURL, redact(connURL))
	}
	return u
}

// redact hides the password of a URL that goes into a test failure message.
func redact(connURL string) string {
	u, err := url.Parse(connURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}
