package server_test

import (
	"context"
	"net"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/ratelimit"
)

type discardSink struct{}

func (discardSink) Write(context.Context, audit.Record) {}

// BenchmarkUnaryCall prices the interceptor chain: the same GetWidget call
// over loopback TCP to a bare grpc.Server and to the full AriesOne chain with
// a cached token. scripts/bench.sh prints the difference and the ratio.
func BenchmarkUnaryCall(b *testing.B) {
	req := &testingv1.GetWidgetRequest{Id: uuid.NewString()}

	b.Run("bare", func(b *testing.B) {
		s := grpc.NewServer()
		testingv1.RegisterProbeServiceServer(s, probe{})
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = s.Serve(lis) }()
		defer s.Stop()
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		client := testingv1.NewProbeServiceClient(conn)
		ctx := context.Background()
		callLoop(b, func() error { _, err := client.GetWidget(ctx, req); return err })
	})

	b.Run("full_chain", func(b *testing.B) {
		limiter, err := ratelimit.NewMemory(ratelimit.Classes{"default": {Rate: 1e9, Burst: 1 << 30}}, 10000)
		if err != nil {
			b.Fatal(err)
		}
		h := newHarness(b, harnessOptions{limiter: limiter, sink: discardSink{}})
		ctx := as(h.token(companyA, "owner"))
		callLoop(b, func() error { _, err := h.client.GetWidget(ctx, req); return err })
	})
}

func callLoop(b *testing.B, call func() error) {
	if err := call(); err != nil { // warm up: connection, rule compilation, token cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify prices token verification: a cold RS256 signature check
// against a cache hit.
func BenchmarkVerify(b *testing.B) {
	keys := authtest.NewKeySet(b)
	v, err := auth.NewVerifier(b.Context(), auth.VerifierConfig{
		JWKSURL: keys.URL(), Issuer: authtest.Issuer, Audience: authtest.Audience,
	})
	if err != nil {
		b.Fatal(err)
	}
	token := keys.Mint(authtest.Claims(uuid.NewString(), companyA, "owner"))
	ctx := context.Background()
	if _, err := v.Verify(ctx, token); err != nil {
		b.Fatal(err)
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyUncached(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
}
