// Package servertest runs a platform server on a loopback port for the
// length of one test, so RPC tests of every service exercise the real
// transport and the real interceptor chain without repeating the plumbing.
package servertest

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/server"
)

// New returns a server named name with the platform's whole interceptor
// chain, verifying tokens against keys (the test issuer's JWKS) and auditing
// into a MemorySink; register services on it, then Start it.
func New(t testing.TB, name string, keys *authtest.KeySet) *server.Server {
	srv, _ := NewObserved(t, name, keys)
	return srv
}

// Observed is what a test can read of a server's side effects: the audit
// records of its calls and every line it logged.
type Observed struct {
	Audit *audit.MemorySink
	Logs  *Log
}

// NewObserved is New, returning also the server's audit sink and log, so a
// test can check what reaches the audit trail and that nothing secret
// reaches the log.
func NewObserved(t testing.TB, name string, keys *authtest.KeySet) (*server.Server, Observed) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{JWKSURL: keys.URL(), Issuer: authtest.Issuer, Audience: authtest.Audience})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	obs := Observed{Audit: &audit.MemorySink{}, Logs: &Log{}}
	srv, err := server.New(server.Config{
		Name:     name,
		Logger:   slog.New(slog.NewJSONHandler(obs.Logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registry: prometheus.NewRegistry(),
		Verifier: verifier,
		Audit:    obs.Audit,
	})
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	return srv, obs
}

// Log is a concurrency-safe, in-memory log destination.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Start serves srv (with its services already registered) on 127.0.0.1 until
// the test ends, and returns a client connection to it; conn.Target() is the
// address. At cleanup the connection closes, the server shuts down
// gracefully, and a Serve error fails the test.
func Start(t testing.TB, srv *server.Server) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		cancel()
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return conn
}

// RequireRules fails t unless every method registered on s has an access
// rule (a method without one is denied to everyone), and returns how many
// methods are registered, for the caller to check that its services are
// there at all.
func RequireRules(t testing.TB, s *server.Server) int {
	t.Helper()
	policy, err := auth.PolicyFor(s.GRPC())
	if err != nil {
		t.Fatal(err)
	}
	if unruled := policy.Unruled(); len(unruled) != 0 {
		t.Errorf("methods without an access rule: %v", unruled)
	}
	methods := 0
	for name, info := range s.GRPC().GetServiceInfo() {
		for _, m := range info.Methods {
			methods++
			if _, ok := policy.Rule("/" + name + "/" + m.Name); !ok {
				t.Errorf("/%s/%s has no rule", name, m.Name)
			}
		}
	}
	return methods
}
