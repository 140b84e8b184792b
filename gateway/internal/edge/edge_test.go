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
	"github.com/ariesone/ariesone/platform/clientip"
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
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	const refused = "refused"
	tests := []struct {
		name   string
		remote string
		// xff are the X-Forwarded-For header lines, in order.
		xff   []string
		proto string
		// wantIP is the client's address, or refused for a 400.
		wantIP     string
		wantSecure bool
		wantRemote string
	}{
		{name: "direct client", remote: "203.0.113.5:4000", wantIP: "203.0.113.5", wantRemote: "203.0.113.5:4000"},
		{name: "direct client forging headers", remote: "203.0.113.5:4000", xff: []string{"1.2.3.4"}, proto: "https", wantIP: "203.0.113.5", wantRemote: "203.0.113.5:4000"},
		{name: "direct client sending garbage", remote: "203.0.113.5:4000", xff: []string{"garbage"}, wantIP: "203.0.113.5", wantRemote: "203.0.113.5:4000"},
		{name: "proxy without X-Forwarded-For", remote: "10.0.0.2:4000", wantIP: "10.0.0.2", wantRemote: "10.0.0.2:4000"},
		{name: "behind the load balancer", remote: "10.0.0.2:4000", xff: []string{"198.51.100.7"}, proto: "https", wantIP: "198.51.100.7", wantSecure: true, wantRemote: "198.51.100.7:4000"},
		{name: "spoofed hop before the real client", remote: "10.0.0.2:4000", xff: []string{"1.2.3.4, 198.51.100.7"}, proto: "http", wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "spoofed trusted-looking hop", remote: "10.0.0.2:4000", xff: []string{"10.6.6.6, 198.51.100.7"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "spoofed header line before the real client", remote: "10.0.0.2:4000", xff: []string{"1.2.3.4", "198.51.100.7"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "through two trusted proxies", remote: "10.0.0.2:4000", xff: []string{"198.51.100.7, 10.0.0.9"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "through three trusted proxies on several lines", remote: "10.0.0.2:4000", xff: []string{"6.6.6.6, 198.51.100.7", "10.0.0.9", "[2001:db8:ffff::3]:443"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "every hop trusted", remote: "10.0.0.2:4000", xff: []string{"10.0.0.8, 10.0.0.9"}, wantIP: "10.0.0.8", wantRemote: "10.0.0.8:4000"},
		{name: "IPv4 client with port", remote: "10.0.0.2:4000", xff: []string{"203.0.113.7:4711"}, wantIP: "203.0.113.7", wantRemote: "203.0.113.7:4000"},
		{name: "IPv6 client with port", remote: "10.0.0.2:4000", xff: []string{"[2001:db8::1]:443"}, wantIP: "2001:db8::1", wantRemote: "[2001:db8::1]:4000"},
		{name: "IPv6 client in brackets", remote: "10.0.0.2:4000", xff: []string{"[2001:db8::1]"}, wantIP: "2001:db8::1", wantRemote: "[2001:db8::1]:4000"},
		{name: "clients of a port-appending proxy keep apart", remote: "10.0.0.2:4000", xff: []string{"203.0.113.8:1"}, wantIP: "203.0.113.8", wantRemote: "203.0.113.8:4000"},
		{name: "IPv6 proxy", remote: "[2001:db8:ffff::1]:443", xff: []string{"198.51.100.7"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:443"},
		{name: "IPv4-mapped client", remote: "10.0.0.2:4000", xff: []string{"::ffff:198.51.100.7"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "IPv4-mapped proxy", remote: "[::ffff:10.0.0.2]:4000", xff: []string{"198.51.100.7, ::ffff:10.0.0.9"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "empty elements", remote: "10.0.0.2:4000", xff: []string{", 198.51.100.7,,10.0.0.9 ,"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "whitespace", remote: "10.0.0.2:4000", xff: []string{"\t198.51.100.7 ,\t 10.0.0.9  "}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "malformed hop left of the client", remote: "10.0.0.2:4000", xff: []string{"not-an-ip, 198.51.100.7"}, wantIP: "198.51.100.7", wantRemote: "198.51.100.7:4000"},
		{name: "malformed where the client should be", remote: "10.0.0.2:4000", xff: []string{"not-an-ip"}, wantIP: refused},
		{name: "malformed between client and proxy", remote: "10.0.0.2:4000", xff: []string{"198.51.100.7, not-an-ip, 10.0.0.9"}, wantIP: refused},
		{name: "malformed nearest hop", remote: "10.0.0.2:4000", xff: []string{"198.51.100.7", "unknown"}, wantIP: refused},
		{name: "malformed behind only trusted hops", remote: "10.0.0.2:4000", xff: []string{"not-an-ip, 10.0.0.9"}, wantIP: refused},
		{name: "empty header", remote: "10.0.0.2:4000", xff: []string{""}, wantIP: refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *edge.Client
			var forwarded, remote string
			h := edge.Chain(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				c := edge.ClientFrom(r.Context())
				got = &c
				forwarded, remote = r.Header.Get("X-Forwarded-For"), r.RemoteAddr
			}), edge.RequestID, edge.ClientAddress(trusted))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, line := range tt.xff {
				r.Header.Add("X-Forwarded-For", line)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if tt.wantIP == refused {
				if got != nil {
					t.Fatalf("served as client %v, want a 400", got.IP)
				}
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("status = %d, want 400", rec.Code)
				}
				var body httperr.Body
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("body is not the REST error body: %v", err)
				}
				fields := []string{}
				for _, v := range body.Errors {
					fields = append(fields, v.Field)
				}
				if diff := cmp.Diff([]string{"X-Forwarded-For"}, fields); diff != "" || body.RequestID != rec.Header().Get("X-Request-Id") {
					t.Errorf("fields (-want +got):\n%s\nrequestId %q, X-Request-Id %q", diff, body.RequestID, rec.Header().Get("X-Request-Id"))
				}
				return
			}
			if got == nil {
				t.Fatalf("refused with %d: %s", rec.Code, rec.Body)
			}
			want := edge.Client{IP: netip.MustParseAddr(tt.wantIP), Secure: tt.wantSecure}
			if diff := cmp.Diff(want, *got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("client (-want +got):\n%s", diff)
			}
			if forwarded != "" || remote != tt.wantRemote {
				t.Errorf("passed on X-Forwarded-For %q, RemoteAddr %q; want none and %q", forwarded, remote, tt.wantRemote)
			}
		})
	}
}

// FuzzClientAddress holds that any X-Forwarded-For from a trusted proxy
// ends in a valid client address or a 400, never in the proxy's address
// standing in for a client the header failed to name.
func FuzzClientAddress(f *testing.F) {
	f.Add("198.51.100.7", "10.0.0.9")
	f.Add("1.2.3.4, [2001:db8::1]:443", "")
	f.Add("garbage", "::ffff:10.0.0.1")
	f.Add(" , ,", "203.0.113.7:99999")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	proxy := netip.MustParseAddr("10.0.0.2")
	f.Fuzz(func(t *testing.T, first, second string) {
		var got *edge.Client
		h := edge.ClientAddress(trusted)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			c := edge.ClientFrom(r.Context())
			got = &c
		}))
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = proxy.String() + ":4000"
		r.Header["X-Forwarded-For"] = []string{first, second}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		switch {
		case got == nil && rec.Code != http.StatusBadRequest:
			t.Fatalf("neither served nor refused: status %d", rec.Code)
		case got != nil && (!got.IP.IsValid() || got.IP.Is4In6()):
			t.Fatalf("served with client %v", got.IP)
		case got != nil && got.IP == proxy && !names(proxy, first, second):
			t.Fatalf("served as the proxy for %q, %q", first, second)
		}
	})
}

// names reports whether one of the X-Forwarded-For lines has a as a hop.
func names(a netip.Addr, lines ...string) bool {
	for _, line := range lines {
		for hop := range strings.SplitSeq(line, ",") {
			if h, ok := clientip.ParseHop(strings.TrimSpace(hop)); ok && h == a {
				return true
			}
		}
	}
	return false
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
