package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

const (
	// groupRoleSuffix names the NOLOGIN role that holds a schema's runtime
	// privileges: schema "serials" grants to "serials_app".
	groupRoleSuffix = "_app"
	// PlatformVersionTable records the platform's own migrations (the
	// tables this package needs in every schema), apart from the service's.
	PlatformVersionTable = "platform_db_version"
	// ServiceVersionTable records the service's migrations.
	ServiceVersionTable = "goose_db_version"
	// migrationLockPrefix namespaces the advisory lock key so it cannot
	// collide with advisory locks taken for other purposes.
	migrationLockPrefix = "ariesone.migrate:"
)

// platformMigrations are applied to every service schema before the
// service's own migrations.
//
//go:embed migrations/*.sql
var platformMigrations embed.FS

// GroupRole returns the NOLOGIN role that Migrate creates for schema and to
// which migration SQL grants table privileges ("serials" → "serials_app").
func GroupRole(schema string) string { return schema + groupRoleSuffix }

// MigrateOption adjusts Migrate.
type MigrateOption func(*migrateSettings)

type migrateSettings struct {
	logger *slog.Logger
}

// WithMigrationLogger logs each migration applied (nothing is logged when
// the schema is already current).
func WithMigrationLogger(l *slog.Logger) MigrateOption {
	return func(s *migrateSettings) { s.logger = l }
}

// Migrate brings schema up to date. It runs as the owner (admin) and is
// safe to call from every replica at start: a session advisory lock keyed by
// the schema lets one process migrate while the others wait, then find
// nothing left to do.
//
// Under the lock it creates the schema and its group role (GroupRole) when
// missing, grants the group USAGE on the schema, applies the platform's
// migrations (version table PlatformVersionTable) and then the .sql files at
// the root of service (version table ServiceVersionTable; nil means none),
// both with search_path set to the schema so their SQL uses unqualified
// names. Migration SQL grants table privileges to the group role itself,
// which keeps each table's privileges visible next to its definition.
// Finally, when appRole is not empty, it makes the login role the service
// runs as a member of the group. It refuses an appRole that would bypass
// row-level security: the migrating role itself, a superuser, or a role
// with BYPASSRLS.
func Migrate(ctx context.Context, admin *pgxpool.Pool, schema, appRole string, service fs.FS, opts ...MigrateOption) error {
	settings := migrateSettings{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&settings)
	}
	if err := validateSchemaName(schema); err != nil {
		return err
	}
	connCfg := admin.Config().ConnConfig

	// A dedicated session holds the lock: closing it releases the lock even
	// if the unlock is never reached.
	lockConn, err := pgx.ConnectConfig(ctx, connCfg)
	if err != nil {
		return fmt.Errorf("postgres: migrate %s: connect: %w", schema, err)
	}
	defer lockConn.Close(context.WithoutCancel(ctx))
	if _, err := lockConn.Exec(ctx, "select pg_advisory_lock($1)", migrationLockKey(schema)); err != nil {
		return fmt.Errorf("postgres: migrate %s: take advisory lock: %w", schema, err)
	}

	if appRole != "" {
		if err := checkAppRole(ctx, lockConn, appRole); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", schema, err)
		}
	}
	if err := prepareSchema(ctx, lockConn, schema); err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", schema, err)
	}

	gooseCfg := connCfg.Copy()
	gooseCfg.RuntimeParams["search_path"] = schema
	db := stdlib.OpenDB(*gooseCfg)
	defer db.Close()

	platform, err := fs.Sub(platformMigrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrate %s: platform migrations: %w", schema, err)
	}
	for _, set := range migrationSets(platform, service) {
		if err := applyMigrations(ctx, db, set.fsys, schema, set.table, settings.logger); err != nil {
			return err
		}
		// The serving role reads the version tables: a service that leaves
		// migrating to a separate step (CheckMigrated) proves at start that
		// the step ran.
		grant := "grant select on " + pgx.Identifier{schema, set.table}.Sanitize() + " to " + pgx.Identifier{GroupRole(schema)}.Sanitize()
		if _, err := lockConn.Exec(ctx, grant); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", schema, err)
		}
	}

	if appRole != "" {
		if err := grantGroupRole(ctx, lockConn, GroupRole(schema), appRole); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", schema, err)
		}
	}
	if _, err := lockConn.Exec(ctx, "select pg_advisory_unlock($1)", migrationLockKey(schema)); err != nil {
		return fmt.Errorf("postgres: migrate %s: release advisory lock: %w", schema, err)
	}
	return nil
}

// migrationLockKey maps a schema to the advisory lock that serialises its
// migrations. Advisory locks are per database, so the same schema name in
// two databases does not contend.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte(migrationLockPrefix + schema))
	return int64(h.Sum64())
}

// checkAppRole refuses runtime roles that row-level security would not bind.
func checkAppRole(ctx context.Context, conn *pgx.Conn, appRole string) error {
	var isCurrent, super, bypass bool
	err := conn.QueryRow(ctx,
		`select rolname = current_user, rolsuper, rolbypassrls from pg_roles where rolname = $1`,
		appRole).Scan(&isCurrent, &super, &bypass)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("app role %q does not exist", appRole)
	}
	if err != nil {
		return fmt.Errorf("inspect app role %q: %w", appRole, err)
	}
	switch {
	case isCurrent:
		return fmt.Errorf("app role %q is the migrating (owner) role; the service must run as a role that owns nothing", appRole)
	case super:
		return fmt.Errorf("app role %q is a superuser and would bypass row-level security", appRole)
	case bypass:
		return fmt.Errorf("app role %q has BYPASSRLS and would bypass row-level security", appRole)
	}
	return nil
}

// prepareSchema creates the schema and its group role. The advisory lock
// serialises this within one database, but roles are cluster-wide, so two
// databases on one server (staging and a test run, say) may race to create
// the same role; the loser treats the duplicate as success.
func prepareSchema(ctx context.Context, conn *pgx.Conn, schema string) error {
	group := GroupRole(schema)
	var exists bool
	if err := conn.QueryRow(ctx, "select exists (select 1 from pg_roles where rolname = $1)", group).Scan(&exists); err != nil {
		return fmt.Errorf("look up role %s: %w", group, err)
	}
	if !exists {
		// The name is a validated identifier; DO blocks take no parameters.
		create := `do $$ begin
			create role ` + pgx.Identifier{group}.Sanitize() + ` nologin;
		exception when duplicate_object or unique_violation then null;
		end $$`
		if _, err := conn.Exec(ctx, create); err != nil {
			return fmt.Errorf("create role %s: %w", group, err)
		}
	}
	if _, err := conn.Exec(ctx, "create schema if not exists "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	grant := "grant usage on schema " + pgx.Identifier{schema}.Sanitize() + " to " + pgx.Identifier{group}.Sanitize()
	if _, err := conn.Exec(ctx, grant); err != nil {
		return fmt.Errorf("grant usage on schema to %s: %w", group, err)
	}
	return nil
}

// migrationSet is a folder of migrations and the table that records them.
type migrationSet struct {
	fsys  fs.FS
	table string
}

// migrationSets lists the platform's migrations, then the service's (none
// when service is nil).
func migrationSets(platform, service fs.FS) []migrationSet {
	sets := []migrationSet{{platform, PlatformVersionTable}}
	if service != nil {
		sets = append(sets, migrationSet{service, ServiceVersionTable})
	}
	return sets
}

func newProvider(db *sql.DB, fsys fs.FS, schema, table string) (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(schema+"."+table),
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	)
}

// ErrNotMigrated says the schema is behind the migrations this build
// carries: the separate migration step has not run (or failed).
var ErrNotMigrated = errors.New("schema not migrated")

// CheckMigrated reports, without changing anything, whether schema holds
// every migration of the platform and of service, reading the version
// tables as the serving role (Migrate grants it that). It is what a
// service that does not migrate at start checks instead: a replica of a new
// version started before its migration step ran refuses to serve with
// ErrNotMigrated rather than failing on missing tables call by call.
func CheckMigrated(ctx context.Context, pool *pgxpool.Pool, schema string, service fs.FS) error {
	platform, err := fs.Sub(platformMigrations, "migrations")
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	for _, set := range migrationSets(platform, service) {
		provider, err := newProvider(db, set.fsys, schema, set.table)
		if err != nil {
			return fmt.Errorf("postgres: check %s (%s): %w", schema, set.table, err)
		}
		current, target, err := provider.GetVersions(ctx)
		if err != nil {
			return fmt.Errorf("%w: %s (%s) cannot be read: %v", ErrNotMigrated, schema, set.table, err)
		}
		if current < target {
			return fmt.Errorf("%w: %s (%s) is at version %d, this build needs %d", ErrNotMigrated, schema, set.table, current, target)
		}
	}
	return nil
}

// applyMigrations runs the pending .sql files of fsys with goose, recording
// them in schema.table.
func applyMigrations(ctx context.Context, db *sql.DB, fsys fs.FS, schema, table string, logger *slog.Logger) error {
	provider, err := newProvider(db, fsys, schema, table)
	if err != nil {
		return fmt.Errorf("postgres: migrate %s (%s): %w", schema, table, err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate %s (%s): %w", schema, table, err)
	}
	for _, r := range results {
		logger.InfoContext(ctx, "migration applied",
			slog.String("schema", schema),
			slog.String("version_table", table),
			slog.String("file", r.Source.Path),
			slog.Duration("duration", r.Duration))
	}
	return nil
}

// grantGroupRole makes appRole a member of group, skipping the GRANT when it
// already is one so a re-run needs no privilege on the role.
func grantGroupRole(ctx context.Context, conn *pgx.Conn, group, appRole string) error {
	var member bool
	if err := conn.QueryRow(ctx, "select pg_has_role($1, $2, 'MEMBER')", appRole, group).Scan(&member); err != nil {
		return fmt.Errorf("check membership of %s in %s: %w", appRole, group, err)
	}
	if member {
		return nil
	}
	grant := "grant " + pgx.Identifier{group}.Sanitize() + " to " + pgx.Identifier{appRole}.Sanitize()
	if _, err := conn.Exec(ctx, grant); err != nil {
		return fmt.Errorf("grant %s to %s: %w", group, appRole, err)
	}
	return nil
}
