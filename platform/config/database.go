package config

import (
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// SSL modes accepted in DB_SSLMODE. "verify-full" is what a deployment that
// carries PHI over a network should use; "disable" suits a database on the
// same host.
const (
	SSLDisable    = "disable"
	SSLRequire    = "require"
	SSLVerifyFull = "verify-full"
)

// Database locates a service's Postgres database. It is a plain value; the
// postgres package turns it into a pool, so this package does not depend on
// any driver.
type Database struct {
	// URL is DATABASE_URL (postgres or postgresql scheme). When set it is
	// used as written and the DB_* parts below are ignored.
	URL string
	// Host is DB_HOST (default 127.0.0.1): a host name, an address, or a
	// directory holding the server's Unix socket (starting with "/").
	Host string
	// Port is DB_PORT (default 5432).
	Port int
	// Name is DB_NAME; the default is the caller's, usually one database for
	// the mesh with a schema per service.
	Name string
	// User is DB_USER (default postgres, the local development superuser).
	// In a deployment it should be a role that does not own the tables, so
	// row-level security applies to it; see MigrateURL.
	User string
	// Password is DB_PASSWORD, optional (local trust authentication).
	Password string
	// SSLMode is DB_SSLMODE: disable (default), require or verify-full.
	SSLMode string
	// MaxConns is DB_MAX_CONNS (default 10), the pool's upper bound per
	// replica. It is not part of the connection string.
	MaxConns int
	// MigrateURL is DB_MIGRATE_URL, an optional connection as the schema
	// owner used only to apply migrations, so the serving role can be
	// denied DDL. Empty means migrations use the serving connection.
	MigrateURL string
	// MigrateOnStart is DB_MIGRATE_ON_START (default true): each replica
	// migrates its schema at start, under an advisory lock. False leaves
	// migrating to a separate step (`<service> migrate`, a Kubernetes init
	// container or Job holding the owner's credentials), and the serving
	// process only checks that the step ran, so it never holds them.
	MigrateOnStart bool
}

// Defaults for the DB_* variables.
const (
	DefaultDBHost     = "127.0.0.1"
	DefaultDBPort     = 5432
	DefaultDBUser     = "postgres"
	DefaultDBMaxConns = 10
)

var postgresSchemes = []string{"postgres", "postgresql"}

// LoadDatabase reads the DB_* variables and DATABASE_URL, with defaultName as
// the database name when DB_NAME is unset. Problems are recorded in e.
func LoadDatabase(e *Env, defaultName string) Database {
	// DATABASE_URL and DB_MIGRATE_URL need no marking: Err hides any URL
	// value that carries a password.
	e.Secret("DB_PASSWORD")
	d := Database{
		URL:            e.URL("DATABASE_URL", "", postgresSchemes...),
		Host:           strings.TrimSpace(e.String("DB_HOST", DefaultDBHost)),
		Port:           e.Port("DB_PORT", DefaultDBPort),
		Name:           strings.TrimSpace(e.String("DB_NAME", defaultName)),
		User:           strings.TrimSpace(e.String("DB_USER", DefaultDBUser)),
		Password:       e.String("DB_PASSWORD", ""),
		SSLMode:        e.OneOf("DB_SSLMODE", SSLDisable, SSLDisable, SSLRequire, SSLVerifyFull),
		MaxConns:       e.Int("DB_MAX_CONNS", DefaultDBMaxConns, 1, 1000),
		MigrateURL:     e.URL("DB_MIGRATE_URL", "", postgresSchemes...),
		MigrateOnStart: e.Bool("DB_MIGRATE_ON_START", true),
	}
	if _, urlSet := e.get("DATABASE_URL"); !urlSet && d.Name == "" {
		e.record(problem{name: "DB_NAME", reason: "required when DATABASE_URL is not set"})
	}
	return d
}

// ConnString returns a libpq-style URL for the serving connection:
// DATABASE_URL when set, otherwise one built from the DB_* parts. It contains
// the password; never log it (log the Database value, which redacts it).
func (d Database) ConnString() string {
	if d.URL != "" {
		return d.URL
	}
	u := url.URL{Scheme: "postgres", Path: "/" + d.Name}
	if d.User != "" {
		u.User = url.User(d.User)
		if d.Password != "" {
			u.User = url.UserPassword(d.User, d.Password)
		}
	}
	q := url.Values{}
	port := strconv.Itoa(d.Port)
	if strings.HasPrefix(d.Host, "/") {
		// A socket directory cannot be a URL host; libpq and pgx take it
		// from the query instead.
		q.Set("host", d.Host)
		q.Set("port", port)
	} else {
		u.Host = net.JoinHostPort(d.Host, port)
	}
	if d.SSLMode != "" {
		q.Set("sslmode", d.SSLMode)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// MigrateConnString returns the connection that applies migrations:
// DB_MIGRATE_URL when set, otherwise the serving connection.
func (d Database) MigrateConnString() string {
	if d.MigrateURL != "" {
		return d.MigrateURL
	}
	return d.ConnString()
}

// LogValue lets the settings be logged without the password: connection
// strings appear with their password replaced.
func (d Database) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("conn", redactURL(d.ConnString())),
		slog.String("migrate_conn", redactURL(d.MigrateConnString())),
		slog.Int("max_conns", d.MaxConns),
	)
}

// redactURL hides the password of a URL, whether in its user info or in a
// "password" query parameter (which libpq also accepts). A value that does
// not parse is not shown at all.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable, hidden)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
