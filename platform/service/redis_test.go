package service_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/service"
)

// pinged answers the probe service's public Ping.
type pinged struct {
	testingv1.UnimplementedProbeServiceServer
}

func (pinged) Ping(context.Context, *testingv1.PingRequest) (*testingv1.PingResponse, error) {
	return &testingv1.PingResponse{}, nil
}

// redisServer runs a redis-server of the test's own on a free port, so the
// test can stop it without touching the machine's; stop and start take it
// down and bring it back on the same port.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	lis := listen(t)
	port := lis.Addr().String()
	lis.Close()
	p, _ := strconv.Atoi(port[strings.LastIndex(port, ":")+1:])
	r := &redisServer{t: t, port: p}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.t.TempDir())
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("redis-server (Debian package redis-server): %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", r.addr()); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatal("redis-server did not start")
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// With Redis configured, losing it degrades the service rather than stopping
// it: health reports "redis" NOT_SERVING while the service stays SERVING,
// calls are still answered and still limited (by local buckets), the
// dependency metric and the log say so, and its return is reported.
func TestRedisLossDegradesAndRecovers(t *testing.T) {
	redis := startRedis(t)
	dbURL := pgtest.NewDatabase(t)
	_, appURL := pgtest.NewAppRole(t, dbURL)
	keys := authtest.NewKeySet(t)
	grpcLis, metricsLis := listen(t), listen(t)
	logs := &syncBuffer{}
	spec := probeSpec
	spec.Register = func(_ context.Context, d *service.Deps) error {
		testingv1.RegisterProbeServiceServer(d.Server.GRPC(), pinged{})
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, spec, envOf(map[string]string{
			"DATABASE_URL":      appURL,
			"DB_MIGRATE_URL":    dbURL,
			"JWKS_URL":          keys.URL(),
			"REDIS_HOST":        "127.0.0.1",
			"REDIS_PORT":        strconv.Itoa(redis.port),
			"RATE_LIMIT_PUBLIC": "1/h:3",
		}), logs, service.Listeners{GRPC: grpcLis, Metrics: metricsLis})
	}()
	conn, err := grpc.NewClient(grpcLis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	waitServing(t, health, done)
	waitDependency(t, health, service.DependencyRedis, healthpb.HealthCheckResponse_SERVING)

	redis.stop()
	waitDependency(t, health, service.DependencyRedis, healthpb.HealthCheckResponse_NOT_SERVING)
	if got := overall(t, health); got != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("service health with Redis down = %v, want SERVING (degraded, not down)", got)
	}
	probe := testingv1.NewProbeServiceClient(conn)
	for i := range 3 {
		if _, err := probe.Ping(context.Background(), &testingv1.PingRequest{}); err != nil {
			t.Fatalf("call %d with Redis down: %v", i+1, err)
		}
	}
	if _, err := probe.Ping(context.Background(), &testingv1.PingRequest{}); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("fourth call past the burst of 3 with Redis down: %v; want RESOURCE_EXHAUSTED from the local limit", err)
	}
	if got := metric(t, metricsLis.Addr().String(), `ariesone_dependency_up{dependency="redis"}`); got != "0" {
		t.Errorf("dependency_up for redis while down = %q, want 0", got)
	}

	redis.start()
	waitDependency(t, health, service.DependencyRedis, healthpb.HealthCheckResponse_SERVING)
	if got := metric(t, metricsLis.Addr().String(), `ariesone_dependency_up{dependency="redis"}`); got != "1" {
		t.Errorf("dependency_up for redis after recovery = %q, want 1", got)
	}
	for _, want := range []string{"redis unreachable; degraded", "redis reachable again"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func overall(t *testing.T, hc healthpb.HealthClient) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetStatus()
}

func waitDependency(t *testing.T, hc healthpb.HealthClient, name string, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last healthpb.HealthCheckResponse_ServingStatus
	for time.Now().Before(deadline) {
		resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: name})
		if err == nil {
			if last = resp.GetStatus(); last == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("health of %s stayed %v, want %v", name, last, want)
}

// metric returns the value of the sample line starting with name on the
// metrics endpoint at addr, "" when absent.
func metric(t *testing.T, addr, name string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}
