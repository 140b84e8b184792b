package peer_test

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/peer"
	"github.com/ariesone/ariesone/platform/requestid"
)

// TestForwardsTheCallersCredentials: a call made while serving another
// carries that call's bearer token and request id, and nothing when the
// served call had none.
func TestForwardsTheCallersCredentials(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan metadata.MD, 2)
	srv := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		seen <- md
		return h(ctx, req)
	}))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)

	conn, err := peer.Dial(lis.Addr().String(), "peer-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	client := healthpb.NewHealthClient(conn)

	served := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer abc", "other", "x"))
	served = requestid.NewContext(served, "req-1")
	if _, err := client.Check(served, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	md := <-seen
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer abc" {
		t.Errorf("authorization = %v, want the served call's", got)
	}
	if got := md.Get(requestid.Header); len(got) != 1 || got[0] != "req-1" {
		t.Errorf("request id = %v", got)
	}
	if got := md.Get("other"); len(got) != 0 {
		t.Errorf("an unrelated header was forwarded: %v", got)
	}

	if _, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := (<-seen).Get("authorization"); len(got) != 0 {
		t.Errorf("a call serving nobody carried %v", got)
	}
}

// locations answers GetLocation (a read: bound to HTTP GET) with its
// replica's name, or UNAVAILABLE while it is stopping.
type locations struct {
	companyv1.UnimplementedLocationServiceServer
	name     string
	stopping atomic.Bool
	calls    atomic.Int32
}

func (l *locations) GetLocation(context.Context, *companyv1.GetLocationRequest) (*companyv1.Location, error) {
	l.calls.Add(1)
	if l.stopping.Load() {
		return nil, status.Error(codes.Unavailable, "stopping")
	}
	return &companyv1.Location{Name: l.name}, nil
}

func (l *locations) CreateLocation(context.Context, *companyv1.CreateLocationRequest) (*companyv1.Location, error) {
	l.calls.Add(1)
	if l.stopping.Load() {
		return nil, status.Error(codes.Unavailable, "stopping")
	}
	return &companyv1.Location{Name: l.name}, nil
}

func serveLocations(t *testing.T, name string) (*locations, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &locations{name: name}
	srv := grpc.NewServer()
	companyv1.RegisterLocationServiceServer(srv, l)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return l, lis.Addr().String()
}

// TestReplicasShareCallsAndReadsRetryOnAnother: with two addresses, calls
// go to both replicas in turn; while one answers UNAVAILABLE every read
// still succeeds (retried on the other), and a write is not retried: its
// caller sees UNAVAILABLE and retries it with its request id.
func TestReplicasShareCallsAndReadsRetryOnAnother(t *testing.T) {
	a, addrA := serveLocations(t, "a")
	b, addrB := serveLocations(t, "b")
	conn, err := peer.Dial(addrA+","+addrB, "peer-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	client := companyv1.NewLocationServiceClient(conn)
	ctx := context.Background()
	// Round robin spreads calls over the replicas that are connected; the
	// second connection may come up a little after the first, so the
	// spread is measured once both have answered.
	deadline := time.Now().Add(10 * time.Second)
	for seen := map[string]bool{}; len(seen) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("only %v answered within 10s", seen)
		}
		loc, err := client.GetLocation(ctx, &companyv1.GetLocationRequest{Id: "x"})
		if err != nil {
			t.Fatalf("GetLocation: %v", err)
		}
		seen[loc.GetName()] = true
	}
	served := map[string]int{}
	for range 20 {
		loc, err := client.GetLocation(ctx, &companyv1.GetLocationRequest{Id: "x"})
		if err != nil {
			t.Fatalf("GetLocation: %v", err)
		}
		served[loc.GetName()]++
	}
	if served["a"] < 5 || served["b"] < 5 {
		t.Fatalf("calls per replica %v; want them spread over both", served)
	}
	a.stopping.Store(true)
	for range 20 {
		loc, err := client.GetLocation(ctx, &companyv1.GetLocationRequest{Id: "x"})
		if err != nil || loc.GetName() != "b" {
			t.Fatalf("a read while a stops: %v, %v; want b's answer", loc, err)
		}
	}
	before := a.calls.Load() + b.calls.Load()
	var refused int
	for range 20 {
		if _, err := client.CreateLocation(ctx, &companyv1.CreateLocationRequest{}); status.Code(err) == codes.Unavailable {
			refused++
		}
	}
	if after := a.calls.Load() + b.calls.Load(); after-before != 20 || refused == 0 {
		t.Fatalf("20 writes reached the replicas %d times, %d refused; want each once, some refused by a", after-before, refused)
	}
}

// TestServiceConfigRetriesReadsOnly: the service config names the GET
// methods of the API linked in, and not the writes.
func TestServiceConfigRetriesReadsOnly(t *testing.T) {
	cfg := peer.ServiceConfig()
	for _, read := range []string{`{"service":"ariesone.company.v1.LocationService","method":"GetLocation"}`,
		`{"service":"ariesone.company.v1.LocationService","method":"ListLocations"}`} {
		if !strings.Contains(cfg, read) {
			t.Errorf("service config %s does not retry %s", cfg, read)
		}
	}
	if strings.Contains(cfg, `"CreateLocation"`) || !strings.Contains(cfg, `"round_robin"`) {
		t.Errorf("service config %s: want round robin, and no write retried", cfg)
	}
}
