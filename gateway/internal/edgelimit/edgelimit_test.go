package edgelimit_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/gateway/internal/edgelimit"
	"github.com/ariesone/ariesone/platform/ratelimit"
)

// An IPv6 client is limited by its /64, so rotating addresses inside one
// network gains nothing; another /64, and every IPv4 address, has a bucket
// of its own.
func TestLimitsIPv6ByNetwork(t *testing.T) {
	limiter, err := ratelimit.NewMemory(ratelimit.Classes{edgelimit.Class: {Rate: 1.0 / 3600, Burst: 2}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := edge.Chain(ok, edge.ClientAddress(nil), edgelimit.Middleware(limiter, slog.New(slog.NewTextHandler(io.Discard, nil)), nil))
	call := func(remote string) int {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/locations", nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	steps := []struct {
		remote string
		want   int
	}{
		{"[2001:db8:1:2::1]:40000", http.StatusNoContent},
		{"[2001:db8:1:2::2]:40000", http.StatusNoContent},
		{"[2001:db8:1:2:ffff::3]:40000", http.StatusTooManyRequests}, // same /64: its third call
		{"[2001:db8:1:3::1]:40000", http.StatusNoContent},            // the next /64
		{"203.0.113.7:40000", http.StatusNoContent},
		{"203.0.113.7:40001", http.StatusNoContent},
		{"203.0.113.7:40002", http.StatusTooManyRequests},
		{"203.0.113.8:40000", http.StatusNoContent}, // IPv4: per address
	}
	for _, s := range steps {
		if got := call(s.remote); got != s.want {
			t.Errorf("call from %s: %d, want %d", s.remote, got, s.want)
		}
	}
}
