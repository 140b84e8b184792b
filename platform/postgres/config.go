package postgres

import (
	"net/url"
	"time"
)

// Config says how a service reaches its database. The connection string is
// built once, by the config package from DATABASE_URL or the DB_* variables
// (config.Database.ConnString); this package never reads the environment
// and adds only the pool and session settings.
type Config struct {
	// URL is the complete connection string.
	URL string

	// Schema becomes the session's search_path, so store SQL names tables
	// without qualifying them with the service's schema.
	Schema string
	// ApplicationName shows in pg_stat_activity, telling operators which
	// service holds a connection.
	ApplicationName string

	// MaxConns caps the pool; zero keeps pgxpool's default (the larger of 4
	// and the number of CPUs).
	MaxConns int32
	// MinConns keeps that many connections open while idle.
	MinConns int32
	// MaxConnLifetime recycles connections so server-side memory and
	// failovers do not pin a connection forever; zero keeps the default.
	MaxConnLifetime time.Duration
	// MaxConnIdleTime closes connections idle for longer; zero keeps the
	// default.
	MaxConnIdleTime time.Duration
	// ConnectTimeout bounds establishing one connection; zero means no
	// limit beyond the caller's context.
	ConnectTimeout time.Duration
}

// String describes the target without its password (in the user info or a
// password query parameter), so a Config can be logged or put in an error
// message.
func (c Config) String() string {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// A keyword/value string may hold password=...; show none of it.
		return "postgres (keyword/value connection string)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
