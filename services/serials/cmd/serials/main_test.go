package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

// TestEveryMethodHasAnAccessRule builds the server as the service runner
// does (Configure and Register of the real spec) and walks every
// registered method: one without a rule would be denied to everyone.
func TestEveryMethodHasAnAccessRule(t *testing.T) {
	db := pgtest.NewServiceSchema(t, "serials", migrations.FS)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sp := spec(&wiring{})
	e := config.FromMap(map[string]string{"COMPANY_ADDR": "company:8081", "CLINICAL_ADDR": "clinical:8082"})
	sp.Configure(e)
	if err := e.Err(); err != nil {
		t.Fatalf("configure: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	d := &service.Deps{DB: db.App, Logger: logger, Registry: prometheus.NewRegistry(), Events: outbox.NewRecorder("serials", nil)}
	d.Server = servertest.New(t, "serials", authtest.NewKeySet(t))
	if err := sp.Register(ctx, d); err != nil {
		t.Fatalf("register: %v", err)
	}
	policy, err := auth.PolicyFor(d.Server.GRPC())
	if err != nil {
		t.Fatal(err)
	}
	if unruled := policy.Unruled(); len(unruled) != 0 {
		t.Errorf("methods without an access rule: %v", unruled)
	}
	methods := 0
	for name, info := range d.Server.GRPC().GetServiceInfo() {
		for _, m := range info.Methods {
			methods++
			if _, ok := policy.Rule("/" + name + "/" + m.Name); !ok {
				t.Errorf("/%s/%s has no rule", name, m.Name)
			}
		}
	}
	if methods < 20 {
		t.Errorf("only %d methods registered; the serials services are missing", methods)
	}
}

// TestBadConfigurationIsNamed: a malformed peer address or sweep interval
// stops the service with the variable's name.
func TestBadConfigurationIsNamed(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"COMPANY_ADDR":               {"COMPANY_ADDR": "no port"},
		"CLINICAL_ADDR":              {"CLINICAL_ADDR": ":"},
		"MAINTENANCE_SWEEP_INTERVAL": {"MAINTENANCE_SWEEP_INTERVAL": "0s"},
	} {
		e := config.FromMap(env)
		spec(&wiring{}).Configure(e)
		if err := e.Err(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name it", name, err)
		}
	}
}
