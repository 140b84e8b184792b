package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/service"
)

// syncBuffer collects log output written by the service goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envOf(vars map[string]string) service.Env {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return lis
}

func TestRunMigratesServesHealthAndMetricsThenStopsCleanly(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	appRole, appURL := pgtest.NewAppRole(t, dbURL)
	keys := authtest.NewKeySet(t)
	migrations := fstest.MapFS{
		"00001_widgets.sql": {Data: []byte(`-- +goose Up
create table widgets (id uuid primary key, company_id uuid not null);
alter table widgets enable row level security, force row level security;
create policy tenant_isolation on widgets
  using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
  with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert on widgets to probe_app;
-- +goose Down
drop table widgets;
`)},
	}
	grpcLis, metricsLis := listen(t), listen(t)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, service.Spec{Name: "probe", DefaultPort: 1, Migrations: migrations},
			envOf(map[string]string{
				"DATABASE_URL":   appURL,
				"DB_MIGRATE_URL": dbURL,
				"JWKS_URL":       keys.URL(),
				"LOG_LEVEL":      "debug",
			}), logs, service.Listeners{GRPC: grpcLis, Metrics: metricsLis})
	}()

	conn, err := grpc.NewClient(grpcLis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	waitServing(t, healthpb.NewHealthClient(conn), done)

	resp, err := http.Get("http://" + metricsLis.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "grpc_server_handled_total") {
		t.Errorf("/metrics lacks the RPC metrics")
	}

	// The schema was migrated and the serving role is bound by row-level
	// security: without a tenant it sees nothing, and it cannot own DDL.
	conn2, err := pgx.Connect(context.Background(), appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(context.Background())
	var n int
	if err := conn2.QueryRow(context.Background(), "select count(*) from probe.widgets").Scan(&n); err != nil {
		t.Fatalf("serving role %s cannot read its table: %v", appRole, err)
	}
	if _, err := conn2.Exec(context.Background(), "drop table probe.widgets"); err == nil {
		t.Fatalf("serving role could drop its table")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after a clean stop; logs:\n%s", err, logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop within 30s of cancellation")
	}
}

func waitServing(t *testing.T, hc healthpb.HealthClient, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("service exited before serving: %v", err)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := hc.Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("service never reported SERVING")
}

func TestRunRefusesBadConfigurationNamingEveryVariable(t *testing.T) {
	err := service.Run(context.Background(), service.Spec{Name: "probe", DefaultPort: 1},
		envOf(map[string]string{
			"API_PORT":        "99999",
			"RATE_LIMIT_READ": "lots",
			"DB_PASSWORD":     "hunter2-secret",
		}), io.Discard, service.Listeners{})
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	var names []string
	for _, p := range cfgErr.Problems {
		names = append(names, p.Name)
	}
	for _, want := range []string{"API_PORT", "RATE_LIMIT_READ", "JWKS_URL"} {
		if !strings.Contains(strings.Join(names, ","), want) {
			t.Errorf("problems %v do not name %s", names, want)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error echoes a secret: %v", err)
	}
}
