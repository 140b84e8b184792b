// Package server builds the gRPC server every AriesOne service runs: one
// interceptor chain, health, reflection, Prometheus metrics and a graceful
// shutdown, so a service's main only registers its handlers.
//
// The chain, outermost first:
//
//	request id → client address → recovery → default deadline → access log → metrics
//	→ audit → authentication + authorization → rate limit → validation
//	→ domain-error mapping → handler
//
// Two placements differ from a naive reading of the design and are
// deliberate: the request id is assigned before recovery so a panic's log line
// carries it, and audit wraps authentication so that refused calls are
// audited too (a trail of only successful calls would hide probing).
//
// Server streams have one more layer, outside all of these: the headers the
// chain sets are held until the handler sends headers or a message, so a
// stream refused before that ends trailers-only and its client can tell it
// from an accepted one (see holdStreamHeaders).
// Tracing, when configured, runs as a stats handler (otelgrpc) around all of
// it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/clientip"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/requestid"
	"github.com/ariesone/ariesone/platform/validate"
)

// Config holds what a Server needs. Logger, Registry, Verifier and Audit are
// required; Limiter may be nil (no rate limiting, tests and benchmarks only).
type Config struct {
	// Name of the service, for logs.
	Name string
	// Logger is the base structured logger.
	Logger *slog.Logger
	// Registry receives the RPC metrics.
	Registry *prometheus.Registry
	// Verifier checks bearer tokens.
	Verifier auth.TokenVerifier
	// Revocations refuses revoked tokens; nil checks none (tests that mint
	// their own tokens).
	Revocations auth.RevocationChecker
	// Limiter applies per-principal, per-class quotas; nil disables.
	Limiter ratelimit.Limiter
	// Audit receives one record per call.
	Audit audit.Sink
	// DefaultTimeout is applied to calls that arrive without a deadline.
	DefaultTimeout time.Duration
	// ShutdownTimeout bounds how long in-flight calls may drain.
	ShutdownTimeout time.Duration
	// MaxRecvBytes bounds one request message (default 4 MiB).
	MaxRecvBytes int
	// TrustedProxies are the peers (the REST gateway) whose x-forwarded-for
	// names the real client for rate limiting and audit.
	TrustedProxies []netip.Prefix
	// Tracing installs the OpenTelemetry stats handler. Off when no trace
	// exporter is configured: even a no-op tracer costs measurable latency
	// per call.
	Tracing bool
}

// Server is a configured gRPC server.
type Server struct {
	cfg     Config
	grpc    *grpc.Server
	health  *health.Server
	guard   *auth.Guard
	metrics *grpcprom.ServerMetrics
}

// New builds the server and its interceptor chain. Register services on
// GRPC() before calling Serve.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil || cfg.Registry == nil || cfg.Verifier == nil || cfg.Audit == nil {
		return nil, errors.New("server: logger, registry, verifier and audit sink are required")
	}
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = 30 * time.Second
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	if cfg.MaxRecvBytes <= 0 {
		cfg.MaxRecvBytes = 4 << 20
	}
	v, err := validate.New()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		health: health.NewServer(),
		guard:  auth.NewGuard(cfg.Verifier, cfg.Revocations),
		metrics: grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(
			grpcprom.WithHistogramBuckets([]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}),
		)),
	}
	if err := cfg.Registry.Register(s.metrics); err != nil {
		return nil, fmt.Errorf("server: registering metrics: %w", err)
	}

	access := accessLog{base: cfg.Logger, logger: s.Logger}
	recoveryOpt := recovery.WithRecoveryHandlerContext(s.recovered)
	skipAudit := func(m string) bool { return isSystemMethod(m) }

	clients := clientip.NewResolver(cfg.TrustedProxies)
	unary := []grpc.UnaryServerInterceptor{
		requestid.UnaryServerInterceptor(),
		clients.UnaryServerInterceptor(),
		recovery.UnaryServerInterceptor(recoveryOpt),
		s.defaultDeadline,
		access.unary,
		s.metrics.UnaryServerInterceptor(),
		audit.UnaryServerInterceptor(cfg.Audit, skipAudit, audit.DurableWhen(s.disclosesPHI)),
		s.guard.UnaryServerInterceptor(),
	}
	stream := []grpc.StreamServerInterceptor{
		holdStreamHeaders,
		requestid.StreamServerInterceptor(),
		clients.StreamServerInterceptor(),
		recovery.StreamServerInterceptor(recoveryOpt),
		access.stream,
		s.metrics.StreamServerInterceptor(),
		audit.StreamServerInterceptor(cfg.Audit, skipAudit),
		s.guard.StreamServerInterceptor(),
	}
	if cfg.Limiter != nil {
		onErr := func(ctx context.Context, err error) {
			s.Logger(ctx).WarnContext(ctx, "rate limiter unavailable, allowing call", "error", err)
		}
		unary = append(unary, ratelimit.UnaryServerInterceptor(cfg.Limiter, s.rateKey, onErr))
		stream = append(stream, ratelimit.StreamServerInterceptor(cfg.Limiter, s.rateKey, onErr))
	}
	unary = append(unary, validate.UnaryServerInterceptor(v), grpcerr.UnaryServerInterceptor(s.Logger), replayHeader)
	stream = append(stream, validate.StreamServerInterceptor(v), grpcerr.StreamServerInterceptor(s.Logger))

	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxRecvMsgSize(cfg.MaxRecvBytes),
		grpc.NumStreamWorkers(streamWorkers),
	}
	if cfg.Tracing {
		opts = append(opts, grpc.StatsHandler(otelgrpc.NewServerHandler()))
	}
	s.grpc = grpc.NewServer(opts...)
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	return s, nil
}

// disclosesPHI reports a method whose rule says its answer discloses PHI,
// so its audit record must be durable before the answer leaves.
func (s *Server) disclosesPHI(fullMethod string) bool {
	rule, ok := s.guard.Rule(fullMethod)
	return ok && rule.DisclosesPHI
}

// GRPC returns the underlying server for service registration.
func (s *Server) GRPC() *grpc.Server { return s.grpc }

// Health returns the health server; dependency checks flip its status.
func (s *Server) Health() *health.Server { return s.health }

// Guard returns the authentication and authorization guard.
func (s *Server) Guard() *auth.Guard { return s.guard }

// Logger returns the base logger with the request id of ctx attached.
func (s *Server) Logger(ctx context.Context) *slog.Logger {
	if id := requestid.FromContext(ctx); id != "" {
		return s.cfg.Logger.With("request_id", id)
	}
	return s.cfg.Logger
}

// Prepare reads the access rules of every registered method and initialises
// per-method metrics. Serve calls it; tests that serve by other means call it
// themselves. Methods without a rule are logged and will be denied.
func (s *Server) Prepare() error {
	policy, err := auth.PolicyFor(s.grpc)
	if err != nil {
		return err
	}
	for _, m := range policy.Unruled() {
		s.cfg.Logger.Warn("method has no access rule and will be denied", "method", m)
	}
	s.guard.SetPolicy(policy)
	s.metrics.InitializeMetrics(s.grpc)
	return nil
}

// Serve serves on lis until ctx ends, then shuts down gracefully: health
// turns NOT_SERVING so load balancers stop sending, in-flight calls drain for
// up to ShutdownTimeout, and whatever remains is cut.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	if err := s.Prepare(); err != nil {
		return err
	}
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	errc := make(chan error, 1)
	go func() { errc <- s.grpc.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.health.Shutdown()
	drained := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(s.cfg.ShutdownTimeout):
		s.cfg.Logger.Warn("shutdown timeout reached, cutting remaining calls")
		s.grpc.Stop()
		<-drained
	}
	return nil
}

func (s *Server) recovered(ctx context.Context, p any) error {
	s.Logger(ctx).ErrorContext(ctx, "panic in handler", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	return status.Error(codes.Internal, grpcerr.MaskedMessage)
}

func (s *Server) defaultDeadline(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if _, ok := ctx.Deadline(); ok {
		return handler(ctx, req)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DefaultTimeout)
	defer cancel()
	return handler(ctx, req)
}

// rateKey buckets authenticated callers by principal and anonymous callers
// (public methods) by client address, the real client's when the call came
// through a trusted proxy: an IPv4 address, or an IPv6 address's /64
// (clientip.RateKey).
func (s *Server) rateKey(ctx context.Context, fullMethod string) (key, class string) {
	rule, ok := s.guard.Rule(fullMethod)
	if !ok || isSystemMethod(fullMethod) {
		return "", ""
	}
	if p, ok := identity.FromContext(ctx); ok {
		return string(p.Kind) + ":" + p.CompanyID + ":" + p.Subject, rule.RateClass
	}
	if ip := clientip.FromContext(ctx); ip != "" {
		return "ip:" + clientip.RateKey(ip), rule.RateClass
	}
	return "anonymous", rule.RateClass
}

func isSystemMethod(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/grpc.health.") || strings.HasPrefix(fullMethod, "/grpc.reflection.")
}

// streamWorkers is how many goroutines serve calls and are kept between
// them. Without them every call starts on a fresh goroutine with a small
// stack, and the interceptor chain plus protovalidate's regexp grow it by
// copying, about 15% of a call's CPU in BenchmarkUnaryCallParallel; a kept
// goroutine keeps its grown stack (gRPC renews each after 65,536 calls, so
// a stack grown once by a rare deep call is not held forever). Calls beyond
// this many at once still get a goroutine of their own.
const streamWorkers = 64
