package peer_test

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

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
