package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// NewServiceSchema creates a database holding a service's schema under the
// service's real name ("company", "clinical"), migrated as production
// migrates it: its migrations grant to the service's group role
// ("<name>_app") by name, so the name cannot be a random one.
//
// The migrations run once per test process and migration set, into a
// template database; each test's database is a copy of it, with a runtime
// role of its own that the migration step (applying nothing more on the
// copy) makes a member of the group role. Parsing and running the
// migrations for every test was a third of the CPU of a service's test
// package. The group role is cluster-wide and shared by every test
// database; the superuser creates it and lets the template's owner
// administer it (a non-superuser may grant only roles it administers, from
// Postgres 16).
func NewServiceSchema(t testing.TB, name string, migrations fs.FS) Schema {
	t.Helper()
	ctx := context.Background()
	tmpl := serviceTemplateFor(t, name, migrations)
	server := ServerURL()
	db := namePrefix + randomHex(t, 8)
	createFromTemplate(t, server, db, tmpl)
	t.Cleanup(func() {
		exec(t, server, "drop database if exists "+pgx.Identifier{db}.Sanitize()+" with (force)")
		dropRolesWithPrefix(t, server, db+"_")
	})
	dbURL := withDatabase(t, server, db)
	appRole, appURL := NewAppRole(t, dbURL)
	s := Schema{Name: name, URL: dbURL, OwnerURL: withUser(t, dbURL, tmpl.owner), AppURL: appURL}
	s.Super = OpenPool(t, postgres.Config{URL: dbURL, Schema: name})
	owner, err := postgres.Open(ctx, postgres.Config{URL: s.OwnerURL})
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

// templatePrefix starts the name of every template database, followed by
// the creating process's id: a later run drops the templates of processes
// that are gone.
const templatePrefix = namePrefix + "tmpl_"

// serviceTemplate is a database migrated once for a test process, that
// tests copy.
type serviceTemplate struct {
	once sync.Once
	// db is the template database, owner the role owning what it holds.
	db, owner string
	err       error
}

// serviceTemplates holds the process's templates by schema name and
// migration contents.
var serviceTemplates sync.Map // string -> *serviceTemplate

// serviceTemplateFor returns the template of schema name migrated with
// migrations, making it on first use.
func serviceTemplateFor(t testing.TB, name string, migrations fs.FS) *serviceTemplate {
	t.Helper()
	key := name + ":" + contentHash(t, migrations)
	v, _ := serviceTemplates.LoadOrStore(key, &serviceTemplate{})
	tmpl := v.(*serviceTemplate)
	tmpl.once.Do(func() { tmpl.err = makeTemplate(tmpl, name, key, migrations) })
	if tmpl.err != nil {
		t.Fatalf("pgtest: template of %s: %v", name, tmpl.err)
	}
	return tmpl
}

// makeTemplate creates and migrates the template database of key, closed
// to connections so that copies of it never find one open.
func makeTemplate(tmpl *serviceTemplate, name, key string, migrations fs.FS) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*adminTimeout)
	defer cancel()
	server := ServerURL()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return fmt.Errorf("cannot reach Postgres at %s (start the server or set %s): %w", redact(server), EnvURL, err)
	}
	defer conn.Close(context.Background())
	dropStaleTemplates(ctx, server)
	sum := sha256.Sum256([]byte(key))
	tmpl.db = fmt.Sprintf("%s%d_%s", templatePrefix, os.Getpid(), hex.EncodeToString(sum[:4]))
	tmpl.owner = tmpl.db + "_owner"
	login := tmpl.db + "_login"
	db, owner, group := pgx.Identifier{tmpl.db}.Sanitize(), pgx.Identifier{tmpl.owner}.Sanitize(), pgx.Identifier{postgres.GroupRole(name)}.Sanitize()
	for _, sql := range []string{
		"create role " + owner + " login nosuperuser nobypassrls nocreatedb createrole",
		"create role " + pgx.Identifier{login}.Sanitize() + " login nosuperuser nobypassrls nocreatedb nocreaterole",
		"create database " + db + " owner " + owner,
		`do $$ begin create role ` + group + ` nologin;
			exception when duplicate_object or unique_violation then null; end $$`,
		"grant " + group + " to " + owner + " with admin option",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	u, err := url.Parse(withDatabaseURL(server, tmpl.db))
	if err != nil {
		return err
	}
	u.User = url.User(tmpl.owner)
	pool, err := postgres.Open(ctx, postgres.Config{URL: u.String()})
	if err != nil {
		return err
	}
	err = postgres.Migrate(ctx, pool, name, login, migrations)
	pool.Close()
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "alter database "+db+" with is_template true allow_connections false")
	return err
}

// createFromTemplate creates database db as a copy of tmpl, owned by the
// template's owner. A copy is refused while anything is connected to the
// template (a server's autovacuum may be, briefly), so that is retried.
func createFromTemplate(t testing.TB, server, db string, tmpl *serviceTemplate) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn := connect(ctx, t, server)
	defer conn.Close(context.Background())
	sql := "create database " + pgx.Identifier{db}.Sanitize() + " template " + pgx.Identifier{tmpl.db}.Sanitize() +
		" owner " + pgx.Identifier{tmpl.owner}.Sanitize()
	for attempt := 0; ; attempt++ {
		_, err := conn.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || attempt == 50 {
			if err != nil {
				t.Fatalf("pgtest: %s: %v", sql, err)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dropStaleTemplates drops the templates (and their roles) of test
// processes that are no longer running, on a connection of its own and
// under an advisory lock: one process cleans at a time, and a failure here
// (a database another run left half dropped) harms nothing else. It is
// best effort.
func dropStaleTemplates(ctx context.Context, server string) {
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	var locked bool
	if err := conn.QueryRow(ctx, "select pg_try_advisory_lock(hashtext($1))", templatePrefix).Scan(&locked); err != nil || !locked {
		return
	}
	rows, err := conn.Query(ctx, `select datname, datistemplate, datconnlimit = -2 from pg_database
		where starts_with(datname, $1)`, templatePrefix)
	if err != nil {
		return
	}
	type stale struct {
		name              string
		template, invalid bool
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stale, error) {
		var s stale
		err := r.Scan(&s.name, &s.template, &s.invalid)
		return s, err
	})
	if err != nil {
		return
	}
	for _, s := range found {
		pid, _, _ := strings.Cut(strings.TrimPrefix(s.name, templatePrefix), "_")
		if n, err := strconv.Atoi(pid); err != nil || processAlive(n) {
			continue
		}
		db := pgx.Identifier{s.name}.Sanitize()
		if s.template && !s.invalid {
			if _, err := conn.Exec(ctx, "alter database "+db+" with is_template false"); err != nil {
				return
			}
		}
		if _, err := conn.Exec(ctx, "drop database if exists "+db+" with (force)"); err != nil {
			return
		}
		for _, role := range []string{s.name + "_login", s.name + "_owner"} {
			_, _ = conn.Exec(ctx, "drop role if exists "+pgx.Identifier{role}.Sanitize())
		}
	}
}

// processAlive reports whether process pid still runs on this machine.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}

// contentHash is a digest of every file of fsys, names and contents: a
// changed migration makes a new template.
func contentHash(t testing.TB, fsys fs.FS) string {
	t.Helper()
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatalf("pgtest: read migrations: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))
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
