package postgres_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// versions lists the migration versions recorded in a version table of
// schema (goose's version 0 row marks the table's creation and is left
// out).
func versions(t *testing.T, f fixture, table string) []int64 {
	t.Helper()
	rows, err := f.super.Query(context.Background(),
		"select version_id from "+pgx.Identifier{f.schema, table}.Sanitize()+" where version_id > 0 order by id")
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	v, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	return v
}

func TestMigrateSetsUpSchemaAndIsRepeatable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	ctx := context.Background()

	// Every replica runs Migrate at start; the later runs find nothing to do.
	if err := postgres.Migrate(ctx, f.owner, f.schema, f.appRole, notesMigrations()(f.schema)); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	// A release that adds a migration applies just that one.
	next := sqlMigrations(map[string]string{
		"00001_notes.sql":       notesMigration,
		"00002_notes_title.sql": "-- +goose Up\nalter table notes add column title text not null default '';\n",
	})
	if err := postgres.Migrate(ctx, f.owner, f.schema, f.appRole, next(f.schema)); err != nil {
		t.Fatalf("Migrate with a new file: %v", err)
	}

	if diff := cmp.Diff([]int64{1, 2, 3, 4, 5}, versions(t, f, postgres.PlatformVersionTable)); diff != "" {
		t.Errorf("platform versions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{1, 2}, versions(t, f, postgres.ServiceVersionTable)); diff != "" {
		t.Errorf("service versions (-want +got):\n%s", diff)
	}

	// The queue tables are vacuumed after a fixed number of dead rows.
	var options []string
	if err := f.super.QueryRow(ctx, `select reloptions from pg_class
		where relname = 'outbox' and relnamespace = $1::regnamespace`, f.schema).Scan(&options); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(options, "autovacuum_vacuum_scale_factor=0") || !slices.Contains(options, "autovacuum_vacuum_threshold=5000") {
		t.Errorf("outbox reloptions = %q, want the queue's autovacuum settings", options)
	}

	type roles struct {
		SchemaOwner, NotesOwner, KeysOwner string
		AppInGroup, GroupCanLogin          bool
	}
	var got roles
	err := f.super.QueryRow(ctx, `
		select pg_get_userbyid(n.nspowner),
		       (select tableowner from pg_tables where schemaname = $1 and tablename = 'notes'),
		       (select tableowner from pg_tables where schemaname = $1 and tablename = 'idempotency_keys'),
		       pg_has_role($2, $3, 'MEMBER'),
		       (select rolcanlogin from pg_roles where rolname = $3)
		from pg_namespace n where n.nspname = $1`,
		f.schema, f.appRole, postgres.GroupRole(f.schema)).
		Scan(&got.SchemaOwner, &got.NotesOwner, &got.KeysOwner, &got.AppInGroup, &got.GroupCanLogin)
	if err != nil {
		t.Fatal(err)
	}
	owner := f.schema + "_owner"
	want := roles{SchemaOwner: owner, NotesOwner: owner, KeysOwner: owner, AppInGroup: true, GroupCanLogin: false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ownership and membership (-want +got):\n%s", diff)
	}

	// The runtime role reads the new column through the migration's grant,
	// and may read the version tables (CheckMigrated) but never change them.
	err = f.app.WithTx(tenantCtx(companyA), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "select title from notes")
		return err
	})
	if err != nil {
		t.Errorf("app reads migrated column: %v", err)
	}
	for _, table := range []string{postgres.ServiceVersionTable, postgres.PlatformVersionTable} {
		err = f.app.WithTx(tenantCtx(companyA), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "select * from "+table)
			return err
		})
		if err != nil {
			t.Errorf("app reads %s: %v", table, err)
		}
		err = f.app.WithTx(tenantCtx(companyA), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "delete from "+table)
			return err
		})
		if got := sqlState(err); got != codeInsufficientPrivilege {
			t.Errorf("app deletes from %s: error %v (SQLSTATE %q), want SQLSTATE %s", table, err, got, codeInsufficientPrivilege)
		}
	}
}

func TestCheckMigratedSeesWhatTheMigrationStepLeft(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	ctx := context.Background()
	appPool := openPool(t, postgres.Config{URL: f.appURL, Schema: f.schema})

	if err := postgres.CheckMigrated(ctx, appPool, f.schema, notesMigrations()(f.schema)); err != nil {
		t.Fatalf("CheckMigrated after Migrate: %v", err)
	}
	// A new build carries a migration the step has not applied yet.
	next := sqlMigrations(map[string]string{
		"00001_notes.sql":       notesMigration,
		"00002_notes_title.sql": "-- +goose Up\nalter table notes add column title text not null default '';\n",
	})(f.schema)
	err := postgres.CheckMigrated(ctx, appPool, f.schema, next)
	if !errors.Is(err, postgres.ErrNotMigrated) || !strings.Contains(err.Error(), "at version 1, this build needs 2") {
		t.Fatalf("CheckMigrated before the step: %v, want ErrNotMigrated naming versions 1 and 2", err)
	}
	if err := postgres.Migrate(ctx, f.owner, f.schema, f.appRole, next); err != nil {
		t.Fatal(err)
	}
	if err := postgres.CheckMigrated(ctx, appPool, f.schema, next); err != nil {
		t.Fatalf("CheckMigrated after the step: %v", err)
	}
	// A schema never migrated at all.
	err = postgres.CheckMigrated(ctx, appPool, "never_migrated", next)
	if !errors.Is(err, postgres.ErrNotMigrated) {
		t.Fatalf("CheckMigrated on an empty schema: %v, want ErrNotMigrated", err)
	}
}

func TestMigrationGrantsDecideWhatTheAppMayDo(t *testing.T) {
	t.Parallel()
	// An append-only ledger: the migration grants SELECT and INSERT only.
	f := newFixture(t, sqlMigrations(map[string]string{"00001_ledger.sql": `
-- +goose Up
create table ledger (
    id         bigint generated always as identity primary key,
    company_id uuid not null,
    entry      text not null
);
alter table ledger enable row level security;
alter table ledger force row level security;
create policy tenant_isolation on ledger
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert on ledger to APP_ROLE;
`}))
	ctx := tenantCtx(companyA)
	exec := func(sql string, args ...any) error {
		return f.app.WithTx(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql, args...)
			return err
		})
	}
	if err := exec("insert into ledger (company_id, entry) values ($1, 'received')", companyA); err != nil {
		t.Fatalf("insert: %v", err)
	}
	for _, sql := range []string{"update ledger set entry = 'rewritten'", "delete from ledger", "truncate ledger"} {
		if got := sqlState(exec(sql)); got != codeInsufficientPrivilege {
			t.Errorf("%s: SQLSTATE %q, want %s", sql, got, codeInsufficientPrivilege)
		}
	}
}

func TestMigrateRejectsBadSchemaNames(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	admin := openPool(t, postgres.Config{URL: dbURL})
	for _, schema := range []string{"", "Serials", "1serials", "serials-app", `serials"; drop table x; --`, "pg_serials", strings.Repeat("s", 60)} {
		if err := postgres.Migrate(context.Background(), admin, schema, "", nil); err == nil {
			t.Errorf("Migrate(schema %q): want an error", schema)
		}
	}
	var created int
	if err := admin.QueryRow(context.Background(), "select count(*) from pg_namespace where nspname not like 'pg\\_%' and nspname not in ('public', 'information_schema')").Scan(&created); err != nil {
		t.Fatal(err)
	}
	if created != 0 {
		t.Errorf("schemas created = %d, want 0", created)
	}
}

func TestMigrateRefusesAppRolesThatBypassRowLevelSecurity(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	schema := pgtest.DatabaseName(t, dbURL)
	ownerRole, ownerURL := pgtest.NewOwnerRole(t, dbURL)
	super := openPool(t, postgres.Config{URL: dbURL})
	owner := openPool(t, postgres.Config{URL: ownerURL})
	ctx := context.Background()

	var superRole string
	if err := super.QueryRow(ctx, "select current_user").Scan(&superRole); err != nil {
		t.Fatal(err)
	}
	bypassRole := schema + "_bypass" // dropped with the database
	if _, err := super.Exec(ctx, "create role "+pgx.Identifier{bypassRole}.Sanitize()+" login bypassrls"); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{ownerRole, superRole, bypassRole, schema + "_missing"} {
		if err := postgres.Migrate(ctx, owner, schema, role, nil); err == nil {
			t.Errorf("Migrate(app role %q): want an error", role)
		}
	}
}

func TestMigrateStopsAtAFailingMigration(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	broken := sqlMigrations(map[string]string{
		"00001_notes.sql":  notesMigration,
		"00002_broken.sql": "-- +goose Up\ncreate table half_done (id int);\nselect no_such_function();\n",
	})
	if err := postgres.Migrate(context.Background(), f.owner, f.schema, f.appRole, broken(f.schema)); err == nil {
		t.Fatal("Migrate with a broken file: want an error")
	}
	if diff := cmp.Diff([]int64{1}, versions(t, f, postgres.ServiceVersionTable)); diff != "" {
		t.Errorf("service versions (-want +got):\n%s", diff)
	}
	var exists bool
	if err := f.super.QueryRow(context.Background(), "select to_regclass('half_done') is not null").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Error("the broken migration's table exists; its transaction was not rolled back")
	}
}

// Environment of a child process started by
// TestMigrateFromTwoProcessesAppliesEachMigrationOnce.
const (
	envChildURL    = "ARIESONE_POSTGRES_TEST_MIGRATE_URL"
	envChildSchema = "ARIESONE_POSTGRES_TEST_MIGRATE_SCHEMA"
	envChildRole   = "ARIESONE_POSTGRES_TEST_MIGRATE_ROLE"
)

// slowMigrations hold the schema's advisory lock long enough that a second
// process surely arrives while the first is still migrating; each insert
// into migration_runs is a side effect that must happen once.
func slowMigrations() func(schema string) fs.FS {
	return sqlMigrations(map[string]string{
		"00001_runs.sql": `
-- +goose Up
create table migration_runs (version int not null, at timestamptz not null default clock_timestamp());
insert into migration_runs (version) values (1);
select pg_sleep(0.5);
`,
		"00002_more.sql": `
-- +goose Up
insert into migration_runs (version) values (2);
create table more (id int);
grant select on more to APP_ROLE;
`,
	})
}

func TestMigrateFromTwoProcessesAppliesEachMigrationOnce(t *testing.T) {
	if url := os.Getenv(envChildURL); url != "" {
		// Child: migrate once and report through the exit status.
		pool := openPool(t, postgres.Config{URL: url})
		schema := os.Getenv(envChildSchema)
		if err := postgres.Migrate(context.Background(), pool, schema, os.Getenv(envChildRole), slowMigrations()(schema)); err != nil {
			t.Fatalf("child Migrate: %v", err)
		}
		return
	}
	t.Parallel()

	dbURL := pgtest.NewDatabase(t)
	schema := pgtest.DatabaseName(t, dbURL)
	_, ownerURL := pgtest.NewOwnerRole(t, dbURL)
	appRole, _ := pgtest.NewAppRole(t, dbURL)

	var wg sync.WaitGroup
	outputs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateFromTwoProcessesAppliesEachMigrationOnce$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envChildURL+"="+ownerURL, envChildSchema+"="+schema, envChildRole+"="+appRole)
		wg.Go(func() { outputs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Errorf("migrating process %d: %v\n%s", i, errs[i], outputs[i])
		}
	}

	f := fixture{schema: schema, super: openPool(t, postgres.Config{URL: dbURL, Schema: schema})}
	if diff := cmp.Diff([]int64{1, 2, 3, 4, 5}, versions(t, f, postgres.PlatformVersionTable)); diff != "" {
		t.Errorf("platform versions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{1, 2}, versions(t, f, postgres.ServiceVersionTable)); diff != "" {
		t.Errorf("service versions (-want +got):\n%s", diff)
	}
	rows, err := f.super.Query(context.Background(), "select version from migration_runs order by at")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int32{1, 2}, runs); diff != "" {
		t.Errorf("migration side effects (-want +got):\n%s", diff)
	}
}
