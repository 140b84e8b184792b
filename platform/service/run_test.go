package service_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
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
	"github.com/ariesone/ariesone/platform/postgres"
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
	grpcLis, metricsLis := listen(t), listen(t)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, probeSpec,
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

// probeSpec is a service with one tenant table.
var probeSpec = service.Spec{Name: "probe", DefaultPort: 1, Migrations: fstest.MapFS{
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
}}

// A deployment migrates in a step of its own (`probe migrate`, holding the
// owner's credentials) and serves without them: the serving process refuses
// to start before the step ran, serves after it, and reports NOT_SERVING
// when its key is not the one the step sealed the check with.
func TestMigrateStepThenServeWithoutTheOwner(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	_, appURL := pgtest.NewAppRole(t, dbURL)
	keys := authtest.NewKeySet(t)
	random := func() string { return base64.StdEncoding.EncodeToString([]byte(rand.Text() + rand.Text())[:32]) }
	keyring1, keyring2 := "index:"+random()+",1:"+random(), "index:"+random()+",1:"+random()
	serving := func(encryptionKey string) map[string]string {
		return map[string]string{
			"DATABASE_URL": appURL, "DB_MIGRATE_ON_START": "false",
			"JWKS_URL": keys.URL(), "ENCRYPTION_KEY": encryptionKey,
		}
	}
	ctx := context.Background()

	err := service.Run(ctx, probeSpec, envOf(serving(keyring1)), io.Discard, service.Listeners{GRPC: listen(t), Metrics: listen(t)})
	if !errors.Is(err, postgres.ErrNotMigrated) || !strings.Contains(err.Error(), "run `probe migrate`") {
		t.Fatalf("serving before the migration step: %v, want ErrNotMigrated saying to run probe migrate", err)
	}

	var out bytes.Buffer
	migrate := map[string]string{"DATABASE_URL": appURL, "DB_MIGRATE_URL": dbURL, "ENCRYPTION_KEY": keyring1}
	handled, err := service.Command(ctx, probeSpec, []string{"migrate"}, envOf(migrate), &out)
	if !handled || err != nil {
		t.Fatalf("probe migrate: handled %v, %v; output:\n%s", handled, err, &out)
	}
	if handled, err := service.Command(ctx, probeSpec, []string{"migrate", "now"}, envOf(migrate), io.Discard); !handled || err == nil {
		t.Fatalf("probe migrate now: handled %v, %v; want an error", handled, err)
	}

	for _, tc := range []struct {
		key  string
		want healthpb.HealthCheckResponse_ServingStatus
	}{
		{keyring1, healthpb.HealthCheckResponse_SERVING},
		{keyring2, healthpb.HealthCheckResponse_NOT_SERVING},
	} {
		grpcLis, metricsLis := listen(t), listen(t)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- service.Run(runCtx, probeSpec, envOf(serving(tc.key)), io.Discard, service.Listeners{GRPC: grpcLis, Metrics: metricsLis})
		}()
		conn, err := grpc.NewClient(grpcLis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		waitStatus(t, healthpb.NewHealthClient(conn), done, tc.want)
		resp, err := http.Get("http://" + metricsLis.Addr().String() + "/livez")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("/livez: %v %v, want 200 whatever the readiness", resp, err)
		}
		if resp != nil {
			resp.Body.Close()
		}
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
}

func waitServing(t *testing.T, hc healthpb.HealthClient, done <-chan error) {
	t.Helper()
	waitStatus(t, hc, done, healthpb.HealthCheckResponse_SERVING)
}

func waitStatus(t *testing.T, hc healthpb.HealthClient, done <-chan error, want healthpb.HealthCheckResponse_ServingStatus) {
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
		if err == nil && resp.GetStatus() == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("service never reported %v", want)
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
