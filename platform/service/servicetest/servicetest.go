// Package servicetest builds a service from its Spec the way service.Run
// does: Configure from the environment, then Register on a server with the
// platform's whole interceptor chain, over a fresh schema migrated with the
// spec's own migrations. A service's wiring test (every method has an access
// rule, every worker starts) then exercises the wiring its main uses, not a
// copy of it.
package servicetest

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/server"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/service"
)

// Register configures spec from env and registers it as service.Run would,
// returning the Deps it was registered with (their Server holds the
// registered services). A spec with its own Verifier (company, which issues
// the tokens) gets it; any other verifies against a test key set.
func Register(t testing.TB, spec service.Spec, env map[string]string) *service.Deps {
	t.Helper()
	e := config.FromMap(env)
	spec.Configure(e)
	if err := e.Err(); err != nil {
		t.Fatalf("configure: %v", err)
	}
	db := pgtest.NewServiceSchema(t, spec.Name, spec.Migrations)
	d := &service.Deps{
		Config:   config.Common{JWTIssuer: authtest.Issuer, JWTAudience: authtest.Audience},
		DB:       db.App,
		Logger:   slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(),
		Events:   outbox.NewRecorder(spec.Name, nil),
	}
	if spec.Verifier == nil {
		d.Server = servertest.New(t, spec.Name, authtest.NewKeySet(t))
	} else {
		verifier, err := spec.Verifier(t.Context(), d)
		if err != nil {
			t.Fatalf("verifier: %v", err)
		}
		if d.Server, err = server.New(server.Config{Name: spec.Name, Logger: d.Logger, Registry: d.Registry,
			Verifier: verifier, Audit: &audit.MemorySink{}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := spec.Register(t.Context(), d); err != nil {
		t.Fatalf("register: %v", err)
	}
	return d
}

// NewKey returns a fresh ENCRYPTION_KEY value.
func NewKey(t testing.TB) string {
	t.Helper()
	raw, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// RequireConfigError configures spec from env and fails t unless that is
// refused with an error naming the variable name, and without repeating the
// ENCRYPTION_KEY it was given: a service must stop at start, saying which
// setting is wrong, and never log a secret while doing so.
func RequireConfigError(t testing.TB, spec service.Spec, env map[string]string, name string) {
	t.Helper()
	e := config.FromMap(env)
	spec.Configure(e)
	err := e.Err()
	if err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("%v: error %v does not name %s", env, err, name)
	}
	if v := env["ENCRYPTION_KEY"]; err != nil && v != "" && strings.Contains(err.Error(), v) {
		t.Errorf("error %q repeats the key ring", err)
	}
}
