package config

import (
	"strings"
	"testing"
	"time"
)

// FuzzAccessors feeds arbitrary values to every accessor and both loaders.
// Nothing may panic, every problem must name its variable, and a variable
// whose name marks it secret must never have its value quoted.
func FuzzAccessors(f *testing.F) {
	for _, seed := range []string{
		"", " ", "0", "-1", "65536", "1e9", "true", "YES", "30", "1m30s", "-5s",
		"9223372036854775807ns", "amqp://u:p@h:5672/v", "postgres:///x?host=/run/postgresql",
		"http://[::1", "%zz", "[::1]:0", ":", ",,,", "a,b , c", "\x00\xff", "host=db password=x",
		strings.Repeat("ü", 100),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		names := []string{
			"V", "DB_PASSWORD", "APP_ENV", "LOG_LEVEL", "API_PORT", "METRICS_PORT", "API_PREFIX", "JWKS_URL",
			"REDIS_HOST", "REDIS_PORT", "AMQP_URL", "SHUTDOWN_TIMEOUT", "REQUEST_TIMEOUT",
			"OTEL_EXPORTER_OTLP_ENDPOINT", "FEATURE_BULK_OPERATIONS", "DATABASE_URL", "DB_PORT",
			"DB_SSLMODE", "DB_MAX_CONNS", "DB_MIGRATE_URL", "DB_NAME",
		}
		vars := map[string]string{}
		for _, n := range names {
			vars[n] = v
		}
		e := FromMap(vars)
		e.String("V", "d")
		e.Required("V")
		e.Int("V", 0, -10, 10)
		e.Port("V", 1)
		e.Bool("V", false)
		e.Duration("V", time.Second)
		e.URL("V", "", "https")
		e.URL("V", "")
		e.OneOf("V", "a", "a", "b")
		e.List("V", nil)
		e.HostPort("V", "h:1")
		e.HostPorts("V", "h:1")
		c := LoadCommon(e, "svc", 50051)
		d := LoadDatabase(e, "db")
		_ = c.RedisAddr()
		_ = c.LogValue().String()
		_ = d.ConnString()
		_ = d.MigrateConnString()
		_ = d.LogValue().String()
		if err := e.Err(); err != nil {
			for _, p := range err.(*Error).Problems {
				if p.Name == "" || p.Message == "" {
					t.Errorf("problem without name or message: %+v", p)
				}
			}
			_ = err.Error()
		}

		s := FromMap(map[string]string{"SIGNING_KEY": v})
		s.Port("SIGNING_KEY", 1)
		s.URL("SIGNING_KEY", "", "https")
		if err := s.Err(); err != nil && strings.Contains(err.Error(), "(got ") {
			t.Errorf("secret value quoted: %q", err.Error())
		}
	})
}
