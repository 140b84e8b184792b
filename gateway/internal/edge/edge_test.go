package edge_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

func TestNoneMatchFails(t *testing.T) {
	tests := []struct {
		ifNoneMatch, etag string
		want              bool
	}{
		{`"3"`, `"3"`, true},
		{`W/"3"`, `"3"`, true},
		{`"3"`, `W/"3"`, true},
		{`"1", "3"`, `"3"`, true},
		{`"a,b", "c"`, `"a,b"`, true},
		{`*`, `"3"`, true},
		{`*`, ``, false},
		{`"2"`, `"3"`, false},
		{`3`, `"3"`, false},
		{`"3`, `"3"`, false},
	}
	for _, tt := range tests {
		if got := edge.NoneMatchFails(tt.ifNoneMatch, tt.etag); got != tt.want {
			t.Errorf("NoneMatchFails(%s, %s) = %v, want %v", tt.ifNoneMatch, tt.etag, got, tt.want)
		}
	}
}

func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name       string
		remote     string
		xff        string
		proto      string
		wantIP     string
		wantSecure bool
		wantRemote string
	}{
		{"direct client", "203.0.113.5:4000", "", "", "203.0.113.5", false, "203.0.113.5:4000"},
		{"direct client forging headers", "203.0.113.5:4000", "1.2.3.4", "https", "203.0.113.5", false, "203.0.113.5:4000"},
		{"behind the load balancer", "10.0.0.2:4000", "198.51.100.7", "https", "198.51.100.7", true, "198.51.100.7:4000"},
		{"spoofed hop before the real client", "10.0.0.2:4000", "1.2.3.4, 198.51.100.7", "http", "198.51.100.7", false, "198.51.100.7:4000"},
		{"through two trusted proxies", "10.0.0.2:4000", "198.51.100.7, 10.0.0.9", "", "198.51.100.7", false, "198.51.100.7:4000"},
		{"garbled header", "10.0.0.2:4000", "not-an-ip", "", "10.0.0.2", false, "10.0.0.2:4000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got edge.Client
			var forwarded, remote string
			h := edge.ClientAddress(trusted)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got = edge.ClientFrom(r.Context())
				forwarded, remote = r.Header.Get("X-Forwarded-For"), r.RemoteAddr
			}))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			want := edge.Client{IP: netip.MustParseAddr(tt.wantIP), Secure: tt.wantSecure}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("client (-want +got):\n%s", diff)
			}
			if forwarded != "" || remote != tt.wantRemote {
				t.Errorf("passed on X-Forwarded-For %q, RemoteAddr %q; want none and %q", forwarded, remote, tt.wantRemote)
			}
		})
	}
}

func TestRecoverMasksPanics(t *testing.T) {
	var logs bytes.Buffer
	h := edge.Chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret: db password is hunter2")
	}), edge.RequestID, edge.Recover(slog.New(slog.NewJSONHandler(&logs, nil))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))

	var got httperr.Body
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := httperr.Body{StatusCode: 500, Message: httperr.MessageInternal, Errors: []httperr.Violation{}, RequestID: rec.Header().Get("X-Request-Id")}
	if diff := cmp.Diff(want, got); rec.Code != 500 || diff != "" {
		t.Errorf("status %d, body (-want +got):\n%s", rec.Code, diff)
	}
	if strings.Contains(rec.Body.String(), "hunter2") {
		t.Error("panic detail reached the client")
	}
	if !strings.Contains(logs.String(), want.RequestID) || !strings.Contains(logs.String(), "hunter2") {
		t.Errorf("panic not logged with its request id: %s", logs.String())
	}
}

func TestLimitBody(t *testing.T) {
	h := edge.LimitBody(10)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 11))))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader("small")))
	if rec.Code != http.StatusNoContent {
		t.Errorf("status = %d, want 204", rec.Code)
	}
}

func TestRewritePrefix(t *testing.T) {
	var seen string
	h := edge.RewritePrefix("/partner/v1", "/api/v1")(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = r.URL.Path
	}))
	for in, want := range map[string]string{
		"/partner/v1/locations/1": "/api/v1/locations/1",
		"/partner/v1":             "/api/v1",
		"/partner/v10/x":          "/partner/v10/x",
		"/other":                  "/other",
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", in, nil))
		if seen != want {
			t.Errorf("%s → %s, want %s", in, seen, want)
		}
	}
}

func TestConditionalGETLeavesOtherResponsesAlone(t *testing.T) {
	h := edge.ConditionalGET(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("ETag", `"5"`)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("created"))
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-None-Match", `"5"`)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusCreated || rec.Body.String() != "created" {
		t.Errorf("status %d, body %q; a non-200 must pass unchanged", rec.Code, rec.Body.String())
	}
}
