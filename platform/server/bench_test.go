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

// BenchmarkUnaryCall prices the interceptor chain: the same GetWidget call,
// carrying the same bearer token, over loopback TCP to a bare grpc.Server and
// to the full AriesOne chain (token verified from cache). Both calls pay for
// sending the token; the difference is the chain. scripts/bench.sh prints the
// difference and the ratio.
func BenchmarkUnaryCall(b *testing.B) {
	req := &testingv1.GetWidgetRequest{Id: uuid.NewString()}
	keys := authtest.NewKeySetOfSize(b, 2048)
	token := keys.Mint(authtest.Claims(uuid.NewString(), companyA, "owner"))

	b.Run("bare", func(b *testing.B) {
		client := bareServer(b)
		ctx := authtest.Bearer(token)
		callLoop(b, func() error { _, err := client.GetWidget(ctx, req); return err })
	})

	b.Run("full_chain", func(b *testing.B) {
		client, ctx := fullChain(b)
		callLoop(b, func() error { _, err := client.GetWidget(ctx, req); return err })
	})
}

// BenchmarkUnaryCallParallel is BenchmarkUnaryCall with 16 calls in flight,
// the load shape the service benchmarks use: it prices the chain in CPU per
// call under load rather than in latency of one call at a time.
func BenchmarkUnaryCallParallel(b *testing.B) {
	req := &testingv1.GetWidgetRequest{Id: uuid.NewString()}
	keys := authtest.NewKeySetOfSize(b, 2048)
	token := keys.Mint(authtest.Claims(uuid.NewString(), companyA, "owner"))

	b.Run("bare", func(b *testing.B) {
		client := bareServer(b)
		parallelLoop(b, func() error { _, err := client.GetWidget(authtest.Bearer(token), req); return err })
	})
	b.Run("full_chain", func(b *testing.B) {
		client, ctx := fullChain(b)
		parallelLoop(b, func() error { _, err := client.GetWidget(ctx, req); return err })
	})
}

// fullChain serves the probe behind the whole chain, with a limiter too
// generous to refuse anything (its cost is still paid) and a sink that
// discards records, and returns a client with an owner's credentials.
func fullChain(b *testing.B) (testingv1.ProbeServiceClient, context.Context) {
	limiter, err := ratelimit.NewMemory(ratelimit.Classes{"default": {Rate: 1e9, Burst: 1 << 30}}, 10000)
	if err != nil {
		b.Fatal(err)
	}
	h := newHarness(b, harnessOptions{limiter: limiter, sink: discardSink{}})
	return h.client, authtest.Bearer(h.token(companyA, "owner"))
}

// bareServer serves the probe with no interceptors at all.
func bareServer(b *testing.B) testingv1.ProbeServiceClient {
	s := grpc.NewServer()
	testingv1.RegisterProbeServiceServer(s, probe{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = s.Serve(lis) }()
	b.Cleanup(s.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return testingv1.NewProbeServiceClient(conn)
}

func parallelLoop(b *testing.B, call func() error) {
	if err := call(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 in flight
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(); err != nil {
				b.Error(err)
				return
			}
		}
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
	keys := authtest.NewKeySetOfSize(b, 2048)
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
