package ratelimit

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
)

// principalHeader stands in for the authenticated principal: the real chain
// classifies by the identity that authentication put in the context.
const principalHeader = "x-test-principal"

// classifyByHeader keys calls by principalHeader and classes them by method.
// A call without the header is not limited.
func classifyByHeader(ctx context.Context, fullMethod string) (key, class string) {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get(principalHeader); len(v) > 0 {
		key = v[0]
	}
	switch fullMethod {
	case healthpb.Health_Check_FullMethodName:
		return key, "read"
	case healthpb.Health_Watch_FullMethodName:
		return key, "watch"
	}
	return key, DefaultClass
}

// errorLog collects what the interceptors hand to onError.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) record(_ context.Context, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// serveHealth starts a health service behind the rate-limit interceptors on a
// loopback port and returns a client for it.
func serveHealth(t *testing.T, l Limiter, onError func(context.Context, error)) healthpb.HealthClient {
	t.Helper()
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(UnaryServerInterceptor(l, classifyByHeader, onError)),
		grpc.ChainStreamInterceptor(StreamServerInterceptor(l, classifyByHeader, onError)),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return healthpb.NewHealthClient(conn)
}

func asPrincipal(ctx context.Context, principal string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, principalHeader, principal)
}

// quotaHeaderValues picks the rate-limit headers out of md; a missing header
// is absent from the map.
func quotaHeaderValues(md metadata.MD) map[string]string {
	out := map[string]string{}
	for _, k := range []string{HeaderLimit, HeaderRemaining, HeaderReset, HeaderRetryAfter} {
		if v := md.Get(k); len(v) > 0 {
			out[k] = v[len(v)-1]
		}
	}
	return out
}

// wantDenied is the status detail list of a denial of class after retryAfter.
func wantDenied(class string, retryAfter time.Duration) []any {
	return []any{
		&errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)},
		&errdetails.ErrorInfo{Reason: ReasonRateLimited, Domain: ErrorDomain, Metadata: map[string]string{"class": class}},
	}
}

func TestUnaryInterceptorLimitsPerPrincipal(t *testing.T) {
	// One a second, bursts of two, on a frozen clock: the third call of a
	// principal is denied with exactly one second to wait.
	m, _ := newTestMemory(t, Classes{DefaultClass: {Rate: 1, Burst: 2}}, 64)
	var errs errorLog
	client := serveHealth(t, m, errs.record)
	ctx := context.Background()

	calls := []struct {
		principal   string
		wantCode    codes.Code
		wantHeaders map[string]string
		wantDetails []any
	}{
		{
			principal:   "user-1",
			wantCode:    codes.OK,
			wantHeaders: map[string]string{HeaderLimit: "2", HeaderRemaining: "1", HeaderReset: "1"},
		},
		{
			principal:   "user-1",
			wantCode:    codes.OK,
			wantHeaders: map[string]string{HeaderLimit: "2", HeaderRemaining: "0", HeaderReset: "2"},
		},
		{
			principal:   "user-1",
			wantCode:    codes.ResourceExhausted,
			wantHeaders: map[string]string{HeaderLimit: "2", HeaderRemaining: "0", HeaderReset: "2", HeaderRetryAfter: "1"},
			wantDetails: wantDenied("read", time.Second),
		},
		{
			// Another principal still passes while user-1 waits.
			principal:   "user-2",
			wantCode:    codes.OK,
			wantHeaders: map[string]string{HeaderLimit: "2", HeaderRemaining: "1", HeaderReset: "1"},
		},
		{
			principal:   "user-1",
			wantCode:    codes.ResourceExhausted,
			wantHeaders: map[string]string{HeaderLimit: "2", HeaderRemaining: "0", HeaderReset: "2", HeaderRetryAfter: "1"},
			wantDetails: wantDenied("read", time.Second),
		},
	}
	for i, c := range calls {
		var header metadata.MD
		_, err := client.Check(asPrincipal(ctx, c.principal), &healthpb.HealthCheckRequest{}, grpc.Header(&header))
		if got := status.Code(err); got != c.wantCode {
			t.Fatalf("call %d (%s): code %v, want %v (err %v)", i, c.principal, got, c.wantCode, err)
		}
		if diff := cmp.Diff(c.wantHeaders, quotaHeaderValues(header)); diff != "" {
			t.Errorf("call %d (%s): headers mismatch (-want +got):\n%s", i, c.principal, diff)
		}
		if diff := cmp.Diff(c.wantDetails, status.Convert(err).Details(), protocmp.Transform(), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("call %d (%s): status details mismatch (-want +got):\n%s", i, c.principal, diff)
		}
	}
	if got := errs.all(); len(got) != 0 {
		t.Errorf("onError received %v, want nothing from a healthy limiter", got)
	}
}

func TestUnaryInterceptorSkipsEmptyKey(t *testing.T) {
	m, _ := newTestMemory(t, Classes{DefaultClass: {Rate: MinRate, Burst: 1}}, 64)
	client := serveHealth(t, m, nil)
	for i := range 5 {
		var header metadata.MD
		_, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{}, grpc.Header(&header))
		if got := status.Code(err); got != codes.OK {
			t.Fatalf("call %d without a principal: code %v, want OK (err %v)", i, got, err)
		}
		if diff := cmp.Diff(map[string]string{}, quotaHeaderValues(header)); diff != "" {
			t.Errorf("call %d without a principal: unexpected rate-limit headers (-want +got):\n%s", i, diff)
		}
	}
	if n := m.buckets.Len(); n != 0 {
		t.Errorf("unlimited calls created %d buckets, want 0", n)
	}
}

func TestStreamInterceptorLimitsPerPrincipal(t *testing.T) {
	m, _ := newTestMemory(t, Classes{DefaultClass: {Rate: 1, Burst: 2}}, 64)
	client := serveHealth(t, m, nil)

	// watch opens a Watch stream and reads its first message, which is where
	// a denial surfaces.
	watch := func(principal string) (metadata.MD, error) {
		ctx, cancel := context.WithTimeout(asPrincipal(context.Background(), principal), 10*time.Second)
		defer cancel()
		stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return nil, err
		}
		_, err = stream.Recv()
		header, herr := stream.Header()
		if herr != nil && err == nil {
			err = herr
		}
		return header, err
	}

	for i := range 2 {
		if _, err := watch("user-1"); err != nil {
			t.Fatalf("stream %d of user-1: %v, want it to open", i, err)
		}
	}
	header, err := watch("user-1")
	if got := status.Code(err); got != codes.ResourceExhausted {
		t.Fatalf("third stream of user-1: code %v, want ResourceExhausted (err %v)", got, err)
	}
	if diff := cmp.Diff(wantDenied("watch", time.Second), status.Convert(err).Details(), protocmp.Transform()); diff != "" {
		t.Errorf("denied stream status details mismatch (-want +got):\n%s", diff)
	}
	wantHeaders := map[string]string{HeaderLimit: "2", HeaderRemaining: "0", HeaderReset: "2", HeaderRetryAfter: "1"}
	if diff := cmp.Diff(wantHeaders, quotaHeaderValues(header)); diff != "" {
		t.Errorf("denied stream headers mismatch (-want +got):\n%s", diff)
	}
	if _, err := watch("user-2"); err != nil {
		t.Errorf("first stream of user-2: %v, want it to open while user-1 waits", err)
	}
}

// limiterFunc adapts a function to Limiter, to stand in for a limiter whose
// backing store is failing.
type limiterFunc func(ctx context.Context, key, class string) (Decision, error)

func (f limiterFunc) Allow(ctx context.Context, key, class string) (Decision, error) {
	return f(ctx, key, class)
}

func TestUnaryInterceptorOnLimiterError(t *testing.T) {
	errStore := errors.New("bucket store unreachable")
	tests := []struct {
		name     string
		decision Decision
		wantCode codes.Code
	}{
		{name: "limiter fails open", decision: Decision{Allowed: true, Limit: 5}, wantCode: codes.OK},
		{name: "limiter fails closed", decision: Decision{}, wantCode: codes.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failing := limiterFunc(func(context.Context, string, string) (Decision, error) {
				return tt.decision, errStore
			})
			var errs errorLog
			client := serveHealth(t, failing, errs.record)

			var header metadata.MD
			_, err := client.Check(asPrincipal(context.Background(), "user-1"), &healthpb.HealthCheckRequest{}, grpc.Header(&header))
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("code %v, want %v (err %v)", got, tt.wantCode, err)
			}
			if diff := cmp.Diff(map[string]string{}, quotaHeaderValues(header)); diff != "" {
				t.Errorf("headers set from a failed decision (-want +got):\n%s", diff)
			}
			got := errs.all()
			if len(got) != 1 || !errors.Is(got[0], errStore) {
				t.Errorf("onError received %v, want exactly the limiter's error", got)
			}
		})
	}
}

func TestInterceptorsRejectMissingDependencies(t *testing.T) {
	m, _ := newTestMemory(t, Classes{DefaultClass: {Rate: 1, Burst: 1}}, 1)
	for name, build := range map[string]func(){
		"unary without limiter":   func() { UnaryServerInterceptor(nil, classifyByHeader, nil) },
		"unary without classify":  func() { UnaryServerInterceptor(m, nil, nil) },
		"stream without limiter":  func() { StreamServerInterceptor(nil, classifyByHeader, nil) },
		"stream without classify": func() { StreamServerInterceptor(m, nil, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("constructor accepted a nil dependency, want a panic at wiring time")
				}
			}()
			build()
		})
	}
}
