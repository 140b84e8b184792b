package edge_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/gateway/internal/edge"
)

func TestStreamRoutesMatch(t *testing.T) {
	routes := edge.NewStreamRoutes([]string{"/api/v1/events:watch", "/api/v1/units/{id}:watch"})
	tests := []struct {
		method, path string
		want         bool
	}{
		{http.MethodGet, "/api/v1/events:watch", true},
		{http.MethodGet, "/api/v1/units/0190-abc:watch", true},
		{http.MethodGet, "/api/v1/units/a/b:watch", false},
		{http.MethodGet, "/api/v1/events", false},
		{http.MethodGet, "/api/v1/events:watchx", false},
		{http.MethodPost, "/api/v1/events:watch", false},
		{http.MethodGet, "/api/v1/eventsXwatch", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		if got := routes.Match(r); got != tt.want {
			t.Errorf("Match(%s %s) = %v, want %v", tt.method, tt.path, got, tt.want)
		}
	}
	var none *edge.StreamRoutes
	if none.Match(httptest.NewRequest(http.MethodGet, "/api/v1/events:watch", nil)) {
		t.Error("nil routes matched a request")
	}
}

func TestDeadlineExceptLeavesStreamsUnbounded(t *testing.T) {
	routes := edge.NewStreamRoutes([]string{"/api/v1/events:watch"})
	hasDeadline := map[string]bool{}
	h := edge.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, ok := r.Context().Deadline()
		hasDeadline[r.URL.Path] = ok
	}), edge.Stream(routes), edge.DeadlineExcept(5*time.Second, routes.Match))
	for _, path := range []string{"/api/v1/events:watch", "/api/v1/locations"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	want := map[string]bool{"/api/v1/events:watch": false, "/api/v1/locations": true}
	for path, w := range want {
		if hasDeadline[path] != w {
			t.Errorf("%s has a deadline = %v, want %v", path, hasDeadline[path], w)
		}
	}
}

// statusLog records every status a handler writes.
type statusLog struct {
	httptest.ResponseRecorder
	statuses []int
}

func (l *statusLog) WriteHeader(code int) {
	l.statuses = append(l.statuses, code)
	l.ResponseRecorder.WriteHeader(code)
}

func TestStreamSendsOneStatus(t *testing.T) {
	routes := edge.NewStreamRoutes([]string{"/api/v1/events:watch"})
	h := edge.Chain(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}), edge.Stream(routes))
	for path, want := range map[string][]int{
		"/api/v1/events:watch": {http.StatusOK},
		"/api/v1/locations":    {http.StatusOK, http.StatusServiceUnavailable},
	} {
		w := &statusLog{ResponseRecorder: *httptest.NewRecorder()}
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if diff := cmp.Diff(want, w.statuses); diff != "" {
			t.Errorf("%s: statuses written (-want +got):\n%s", path, diff)
		}
	}
}
