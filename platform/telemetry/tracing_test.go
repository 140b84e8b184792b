package telemetry

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// restoreOTelGlobals puts back the global tracer provider and propagator a
// test replaces, so tests do not leak tracing setup into each other.
func restoreOTelGlobals(t *testing.T) {
	tp, prop := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() {
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(prop)
	})
}

func TestSetupTracingWithoutEndpoint(t *testing.T) {
	restoreOTelGlobals(t)
	before := otel.GetTracerProvider()

	shutdown, err := SetupTracing(context.Background(), "orders", "")
	if err != nil {
		t.Fatalf("SetupTracing: %v", err)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if otel.GetTracerProvider() != before {
		t.Errorf("tracer provider replaced although no endpoint was given")
	}

	// The propagator carries trace context and baggage across a hop.
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:     trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		TraceFlags: trace.FlagsSampled,
	})
	member, err := baggage.NewMember("tenant", "c1")
	if err != nil {
		t.Fatal(err)
	}
	bag, err := baggage.New(member)
	if err != nil {
		t.Fatal(err)
	}
	ctx := baggage.ContextWithBaggage(trace.ContextWithSpanContext(context.Background(), sc), bag)

	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	want := propagation.MapCarrier{
		"traceparent": "00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01",
		"baggage":     "tenant=c1",
	}
	if diff := cmp.Diff(want, carrier); diff != "" {
		t.Errorf("injected headers (-want +got):\n%s", diff)
	}

	out := otel.GetTextMapPropagator().Extract(context.Background(), carrier)
	if got := trace.SpanContextFromContext(out); got.TraceID() != sc.TraceID() || !got.IsRemote() {
		t.Errorf("extracted span context = %+v, want remote trace %s", got, sc.TraceID())
	}
	if got := baggage.FromContext(out).Member("tenant").Value(); got != "c1" {
		t.Errorf("extracted baggage tenant = %q, want c1", got)
	}
}

// fakeCollector is an OTLP trace receiver on a loopback listener.
type fakeCollector struct {
	collectortrace.UnimplementedTraceServiceServer
	mu   sync.Mutex
	reqs []*collectortrace.ExportTraceServiceRequest
}

func (c *fakeCollector) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, req)
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

func TestSetupTracingExportsToCollector(t *testing.T) {
	restoreOTelGlobals(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	collector := &fakeCollector{}
	srv := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(srv, collector)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A loopback host:port must be reached in plaintext, or the TLS
	// handshake with this plaintext server fails and nothing arrives.
	shutdown, err := SetupTracing(ctx, "orders", lis.Addr().String())
	if err != nil {
		t.Fatalf("SetupTracing: %v", err)
	}
	_, span := otel.Tracer("test").Start(ctx, "ApproveOrder")
	span.End()
	if err := shutdown(ctx); err != nil {
		t.Fatalf("shutdown (flush): %v", err)
	}

	collector.mu.Lock()
	defer collector.mu.Unlock()
	type got struct{ Service, Span string }
	var spans []got
	for _, req := range collector.reqs {
		for _, rs := range req.GetResourceSpans() {
			service := ""
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.GetKey() == "service.name" {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					spans = append(spans, got{service, s.GetName()})
				}
			}
		}
	}
	if diff := cmp.Diff([]got{{"orders", "ApproveOrder"}}, spans); diff != "" {
		t.Errorf("spans received by the collector (-want +got):\n%s", diff)
	}
}

func TestSetupTracingRejectsBadEndpoint(t *testing.T) {
	restoreOTelGlobals(t)
	before := otel.GetTracerProvider()
	for _, endpoint := range []string{"collector", "grpc://collector:4317", "http://", ":4317"} {
		t.Run(endpoint, func(t *testing.T) {
			shutdown, err := SetupTracing(context.Background(), "orders", endpoint)
			if err == nil {
				t.Errorf("SetupTracing(%q) succeeded, want an error", endpoint)
			}
			if shutdown == nil {
				t.Fatalf("shutdown is nil")
			}
			if err := shutdown(context.Background()); err != nil {
				t.Errorf("shutdown after failure: %v", err)
			}
		})
	}
	if otel.GetTracerProvider() != before {
		t.Errorf("a failed setup replaced the tracer provider")
	}
}

func TestPlaintextHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"127.0.0.1", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"192.168.0.10", true},
		{"otel-collector", true},
		{"otel-collector.observability.svc", true},
		{"otel-collector.observability.svc.cluster.local", true},
		{"otel-collector.observability.svc.cluster.local.", true},
		{"api.honeycomb.io", false},
		{"8.8.8.8", false},
		{"otel-collector.observability", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := plaintextHost(tt.host); got != tt.want {
				t.Errorf("plaintextHost(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}
