package gateway_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/requestid"
)

const validLocation = `{"code":"ATL-02","name":"Atlanta 2","type":"LOCATION_TYPE_BRANCH","timeZone":"America/New_York"}`

func v(field string) httperr.Violation { return httperr.Violation{Field: field} }

// TestErrorBodies drives every kind of failure over HTTP and checks the
// status, the REST error body, and whether the service's handler ran.
func TestErrorBodies(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	owner := h.token(auth.RoleOwner)
	technician := h.token(auth.RoleTechnician)
	tests := []struct {
		name string
		req  request
		// want is compared with violation messages ignored, and with the
		// message ignored when wantMessage is false (text written by the
		// service, not the gateway).
		want        httperr.Body
		wantMessage bool
		// wantHandled is how many calls reached a handler of the service.
		wantHandled int
	}{
		{
			name: "validation failure lists each field",
			req:  request{method: "POST", path: "/api/v1/locations", token: owner, body: `{"code":"x","name":"` + strings.Repeat("n", 101) + `","type":"LOCATION_TYPE_BRANCH","timeZone":"UTC"}`},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("location.code"), v("location.name")}},
			wantMessage: true,
		},
		{
			name: "no credentials",
			req:  request{method: "GET", path: "/api/v1/locations/" + locationID},
			want: httperr.Body{StatusCode: 401, Reason: "UNAUTHENTICATED"},
		},
		{
			name: "role lacks the permission",
			req:  request{method: "POST", path: "/api/v1/locations", token: technician, body: validLocation},
			want: httperr.Body{StatusCode: 403, Reason: "PERMISSION_DENIED"},
		},
		{
			name:        "unknown id",
			req:         request{method: "GET", path: "/api/v1/locations/" + missingID, token: owner},
			want:        httperr.Body{StatusCode: 404, Reason: "NOT_FOUND"},
			wantHandled: 1,
		},
		{
			name:        "unknown route under the API",
			req:         request{method: "GET", path: "/api/v1/no-such-thing", token: owner},
			want:        httperr.Body{StatusCode: 404, Message: "No such resource or route"},
			wantMessage: true,
		},
		{
			name:        "unknown route outside the API",
			req:         request{method: "GET", path: "/wp-login.php"},
			want:        httperr.Body{StatusCode: 404, Message: "No such resource or route"},
			wantMessage: true,
		},
		{
			name:        "method not allowed",
			req:         request{method: "DELETE", path: "/api/v1/company", token: owner},
			want:        httperr.Body{StatusCode: 405, Message: "Method DELETE is not allowed on this route"},
			wantMessage: true,
		},
		{
			name:        "already exists",
			req:         request{method: "POST", path: "/api/v1/locations", token: owner, body: `{"code":"DUP-01","name":"Dup","type":"LOCATION_TYPE_BRANCH","timeZone":"UTC"}`},
			want:        httperr.Body{StatusCode: 409, Reason: "ALREADY_EXISTS"},
			wantHandled: 1,
		},
		{
			name: "path id is not a UUID",
			req:  request{method: "GET", path: "/api/v1/locations/not-a-uuid", token: owner},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("id")}},
			wantMessage: true,
		},
		{
			name: "page size far over the maximum",
			req:  request{method: "GET", path: "/api/v1/locations?pageSize=100000", token: owner},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("pageSize")}},
			wantMessage: true,
		},
		{
			name: "page size not a number",
			req:  request{method: "GET", path: "/api/v1/locations?page_size=lots", token: owner},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("pageSize")}},
			wantMessage: true,
		},
		{
			name: "unknown query parameter",
			req:  request{method: "GET", path: "/api/v1/locations?colour=red", token: owner},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("colour")}},
			wantMessage: true,
		},
		{
			name: "malformed JSON",
			req:  request{method: "POST", path: "/api/v1/locations", token: owner, body: `{"code": "ATL-02",`},
			want: httperr.Body{StatusCode: 400},
		},
		{
			name: "wrong type",
			req:  request{method: "POST", path: "/api/v1/locations", token: owner, body: `{"code":5,"name":"A","type":"LOCATION_TYPE_BRANCH","timeZone":"UTC"}`},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("location.code")}},
			wantMessage: true,
		},
		{
			name: "unknown enum value",
			req:  request{method: "POST", path: "/api/v1/locations", token: owner, body: `{"code":"ATL-03","name":"A","type":"LOCATION_TYPE_MOON","timeZone":"UTC"}`},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("location.type")}},
			wantMessage: true,
		},
		{
			name: "tenant id smuggled into a create",
			req:  request{method: "POST", path: "/api/v1/locations", token: owner, body: `{"code":"ATL-04","name":"A","type":"LOCATION_TYPE_BRANCH","timeZone":"UTC","companyId":"` + uuid.NewString() + `"}`},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("location.companyId")}},
			wantMessage: true,
		},
		{
			name: "roles smuggled into a user update",
			req:  request{method: "PATCH", path: "/api/v1/users/" + userID, token: owner, body: `{"givenName":"Ann","roles":["ROLE_OWNER"]}`},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("user.roles")}},
			wantMessage: true,
		},
		{
			name: "array where an object belongs",
			req:  request{method: "POST", path: "/api/v1/locations", token: owner, body: `[1,2]`},
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{v("location")}},
			wantMessage: true,
		},
		{
			name:        "body over the limit, by Content-Length",
			req:         request{method: "POST", path: "/api/v1/locations", token: owner, body: bigBody(5000)},
			want:        httperr.Body{StatusCode: 413, Message: "Request body too large; the limit is 4 KiB"},
			wantMessage: true,
		},
		{
			name:        "body over the limit, chunked",
			req:         request{method: "POST", path: "/api/v1/locations", token: owner, body: bigBody(5000), chunked: true},
			want:        httperr.Body{StatusCode: 413, Message: "Request body too large; the limit is 4 KiB"},
			wantMessage: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.company.TotalCalls()
			resp := h.do(tt.req)
			if resp.status != tt.want.StatusCode {
				t.Fatalf("status = %d, want %d; body %s", resp.status, tt.want.StatusCode, resp.body)
			}
			got := resp.errorBody(t)
			opts := []cmp.Option{
				// The ErrorInfo metadata passes through as the service set
				// it; httperr's tests hold that.
				cmpopts.IgnoreFields(httperr.Body{}, "RequestID", "Metadata"),
				cmpopts.IgnoreFields(httperr.Violation{}, "Message"),
				cmpopts.EquateEmpty(),
			}
			if !tt.wantMessage {
				opts = append(opts, cmpopts.IgnoreFields(httperr.Body{}, "Message"))
			}
			if diff := cmp.Diff(tt.want, got, opts...); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			if got.Message == "" {
				t.Error("message is empty")
			}
			if got.Errors == nil {
				t.Error(`"errors" is missing; it must be [] when there are no violations`)
			}
			for _, viol := range got.Errors {
				if viol.Message == "" {
					t.Errorf("violation of %s has no message", viol.Field)
				}
			}
			if id := resp.header.Get("X-Request-Id"); got.RequestID == "" || got.RequestID != id {
				t.Errorf("requestId = %q, X-Request-Id = %q; want the same non-empty id", got.RequestID, id)
			}
			if handled := h.company.TotalCalls() - before; handled != tt.wantHandled {
				t.Errorf("service handlers ran %d times, want %d", handled, tt.wantHandled)
			}
		})
	}
}

func bigBody(n int) string {
	return `{"code":"ATL-09","name":"` + strings.Repeat("a", n) + `"}`
}

func TestUnauthenticatedAnswerCarriesChallenge(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.do(request{method: "GET", path: "/api/v1/company"})
	if resp.status != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", resp.status)
	}
	if got := resp.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
	}
}

func TestSuccessfulCallSpeaksLowerCamelJSON(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.do(request{method: "POST", path: "/api/v1/locations", token: h.token(auth.RoleOwner), body: validLocation})
	if resp.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", resp.status, resp.body)
	}
	got := resp.json(t)
	delete(got, "id")
	want := map[string]any{
		"code":       "ATL-02",
		"name":       "Atlanta 2",
		"type":       "LOCATION_TYPE_BRANCH",
		"timeZone":   "America/New_York",
		"createTime": "2025-01-02T03:04:05Z",
		"etag":       locationETag,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
	for name := range resp.header {
		if strings.HasPrefix(name, "Grpc-") {
			t.Errorf("response leaks gRPC header %s", name)
		}
	}
}

func TestRequestIDEchoedAndGenerated(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	owner := h.token(auth.RoleOwner)

	t.Run("generated when absent", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/company", token: owner})
		id := resp.header.Get("X-Request-Id")
		if _, err := uuid.Parse(id); err != nil {
			t.Fatalf("X-Request-Id = %q, want a generated UUID", id)
		}
		if got := h.company.Seen().Get(requestid.Header); !cmp.Equal(got, []string{id}) {
			t.Errorf("service saw request id %q, want %q", got, id)
		}
	})
	t.Run("client id kept", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/company", token: owner, headers: map[string]string{"X-Request-Id": "partner-call-42"}})
		if got := resp.header.Get("X-Request-Id"); got != "partner-call-42" {
			t.Errorf("X-Request-Id = %q, want the client's", got)
		}
		if got := h.company.Seen().Get(requestid.Header); !cmp.Equal(got, []string{"partner-call-42"}) {
			t.Errorf("service saw request id %q, want the client's", got)
		}
	})
	t.Run("malformed client id replaced", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/company", token: owner, headers: map[string]string{"X-Request-Id": `bad "id"`}})
		if got := resp.header.Get("X-Request-Id"); got == `bad "id"` || !requestid.Valid(got) {
			t.Errorf("X-Request-Id = %q, want a fresh id", got)
		}
	})
	t.Run("on errors too", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/nowhere", headers: map[string]string{"X-Request-Id": "lost-1"}})
		if got := resp.errorBody(t).RequestID; got != "lost-1" || resp.header.Get("X-Request-Id") != "lost-1" {
			t.Errorf("requestId = %q, header %q, want lost-1 in both", got, resp.header.Get("X-Request-Id"))
		}
	})
}

func TestOnlyChosenHeadersReachTheService(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.do(request{method: "GET", path: "/api/v1/company", token: h.token(auth.RoleOwner), headers: map[string]string{
		"User-Agent":              "partner-sdk/1.0",
		"Cookie":                  "session=abc",
		"X-Forwarded-For":         "203.0.113.9",
		"Grpc-Metadata-Tenant-Id": "other-tenant",
	}})
	md := h.company.Seen()
	if got := md.Get("grpcgateway-user-agent"); !cmp.Equal(got, []string{"partner-sdk/1.0"}) {
		t.Errorf("user agent = %q", got)
	}
	// The peer is not a trusted proxy, so its X-Forwarded-For is dropped and
	// the service sees only the real peer address.
	if got := md.Get("x-forwarded-for"); !cmp.Equal(got, []string{"127.0.0.1"}) {
		t.Errorf("x-forwarded-for = %q, want the peer only", got)
	}
	for _, key := range []string{"cookie", "grpcgateway-cookie", "tenant-id", "x-api-key"} {
		if got := md.Get(key); len(got) > 0 {
			t.Errorf("metadata %s = %q reached the service", key, got)
		}
	}
}

func TestClientAddressBehindTrustedProxy(t *testing.T) {
	h := newHarness(t, harnessOptions{env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1/32"}})
	owner := h.token(auth.RoleOwner)
	tests := []struct {
		name string
		xff  string
		// want is the x-forwarded-for the service sees; nil when the
		// gateway refuses the request.
		want []string
	}{
		// The proxy (the test client on loopback) is trusted, so its
		// nearest untrusted hop is the client; the earlier hop is the
		// client's own claim.
		{"nearest untrusted hop", "192.0.2.1, 198.51.100.7", []string{"198.51.100.7"}},
		{"port dropped", "192.0.2.1, [2001:db8::7]:443", []string{"2001:db8::7"}},
		{"malformed where the client should be", "198.51.100.7, 198.51.100.8:http", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.company.Calls("GetCompany")
			resp := h.do(request{method: "GET", path: "/api/v1/company", token: owner, headers: map[string]string{"X-Forwarded-For": tt.xff}})
			if tt.want != nil {
				if got := h.company.Seen().Get("x-forwarded-for"); resp.status != http.StatusOK || !cmp.Equal(got, tt.want) {
					t.Errorf("status %d, x-forwarded-for = %q; want 200 and %q", resp.status, got, tt.want)
				}
				return
			}
			if resp.status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.status)
			}
			got := resp.errorBody(t)
			want := httperr.Body{StatusCode: 400, Errors: []httperr.Violation{v("X-Forwarded-For")}, RequestID: resp.header.Get("X-Request-Id")}
			opts := []cmp.Option{cmpopts.IgnoreFields(httperr.Body{}, "Message"), cmpopts.IgnoreFields(httperr.Violation{}, "Message")}
			if diff := cmp.Diff(want, got, opts...); diff != "" || want.RequestID == "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if h.company.Calls("GetCompany") != before {
				t.Error("the refused request reached the service")
			}
		})
	}
}

func TestETagAndIfNoneMatch(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	owner := h.token(auth.RoleOwner)
	path := "/api/v1/locations/" + locationID

	first := h.do(request{method: "GET", path: path, token: owner})
	if first.status != http.StatusOK || first.header.Get("ETag") != locationETag {
		t.Fatalf("status %d, ETag %q; want 200 and %s", first.status, first.header.Get("ETag"), locationETag)
	}
	tests := []struct {
		name        string
		ifNoneMatch string
		want        int
	}{
		{"same etag", locationETag, http.StatusNotModified},
		{"weak form of the same etag", "W/" + locationETag, http.StatusNotModified},
		{"one of several", `"1", ` + locationETag, http.StatusNotModified},
		{"any", "*", http.StatusNotModified},
		{"stale etag", `"2"`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(request{method: "GET", path: path, token: owner, headers: map[string]string{"If-None-Match": tt.ifNoneMatch}})
			if resp.status != tt.want {
				t.Fatalf("status = %d, want %d", resp.status, tt.want)
			}
			if tt.want == http.StatusNotModified {
				if len(resp.body) != 0 {
					t.Errorf("304 has a body: %q", resp.body)
				}
				if resp.header.Get("ETag") != locationETag || resp.header.Get("X-Request-Id") == "" {
					t.Errorf("304 headers: ETag %q, X-Request-Id %q", resp.header.Get("ETag"), resp.header.Get("X-Request-Id"))
				}
			}
		})
	}
	t.Run("errors never carry an ETag", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/locations/" + missingID, token: owner, headers: map[string]string{"If-None-Match": "*"}})
		if resp.status != http.StatusNotFound || resp.header.Get("ETag") != "" {
			t.Errorf("status %d, ETag %q; want 404 without ETag", resp.status, resp.header.Get("ETag"))
		}
	})
}

func TestCORS(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const allowed = "https://app.partner.example"
	preflight := func(origin string) response {
		return h.do(request{method: "OPTIONS", path: "/api/v1/locations", headers: map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization, content-type",
		}})
	}
	t.Run("preflight from an allowed origin", func(t *testing.T) {
		resp := preflight(allowed)
		if resp.status != http.StatusNoContent {
			t.Fatalf("status = %d, want 204", resp.status)
		}
		got := map[string]string{
			"origin":  resp.header.Get("Access-Control-Allow-Origin"),
			"methods": resp.header.Get("Access-Control-Allow-Methods"),
			"creds":   resp.header.Get("Access-Control-Allow-Credentials"),
		}
		want := map[string]string{"origin": allowed, "methods": "GET, POST, PUT, PATCH, DELETE", "creds": ""}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("preflight headers (-want +got):\n%s", diff)
		}
		if h := resp.header.Get("Access-Control-Allow-Headers"); !strings.Contains(h, "Authorization") {
			t.Errorf("Allow-Headers = %q, want Authorization listed", h)
		}
	})
	t.Run("preflight from another origin", func(t *testing.T) {
		resp := preflight("https://evil.example")
		if resp.status != http.StatusForbidden || resp.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("status %d, Allow-Origin %q; want 403 and none", resp.status, resp.header.Get("Access-Control-Allow-Origin"))
		}
		if got := resp.errorBody(t).StatusCode; got != http.StatusForbidden {
			t.Errorf("statusCode = %d", got)
		}
	})
	t.Run("request from an allowed origin", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/company", token: h.token(auth.RoleOwner), headers: map[string]string{"Origin": allowed}})
		if resp.header.Get("Access-Control-Allow-Origin") != allowed || !strings.Contains(resp.header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
			t.Errorf("Allow-Origin %q, Expose-Headers %q", resp.header.Get("Access-Control-Allow-Origin"), resp.header.Get("Access-Control-Expose-Headers"))
		}
	})
	t.Run("request from another origin", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/company", token: h.token(auth.RoleOwner), headers: map[string]string{"Origin": "https://evil.example"}})
		if got := resp.header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Allow-Origin = %q, want none", got)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, harnessOptions{env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1/32"}})
	common := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	}
	tests := []struct {
		name      string
		req       request
		wantCache string
		wantCSP   string
		wantHSTS  string
	}{
		{
			name:      "API over plain HTTP",
			req:       request{method: "GET", path: "/api/v1/company", token: h.token(auth.RoleOwner)},
			wantCache: "no-store",
			wantCSP:   "default-src 'none'",
		},
		{
			name:      "API error behind a TLS-terminating proxy",
			req:       request{method: "GET", path: "/api/v1/locations/" + missingID, token: h.token(auth.RoleOwner), headers: map[string]string{"X-Forwarded-Proto": "https"}},
			wantCache: "no-store",
			wantCSP:   "default-src 'none'",
			wantHSTS:  "max-age=31536000",
		},
		{
			name:      "docs page",
			req:       request{method: "GET", path: "/docs"},
			wantCache: "no-cache",
			wantCSP:   "script-src 'self'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(tt.req)
			for name, want := range common {
				if got := resp.header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got := resp.header.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if got := resp.header.Get("Content-Security-Policy"); !strings.Contains(got, tt.wantCSP) || !strings.Contains(got, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q, want it to contain %q", got, tt.wantCSP)
			}
			if got := resp.header.Get("Strict-Transport-Security"); got != tt.wantHSTS {
				t.Errorf("Strict-Transport-Security = %q, want %q", got, tt.wantHSTS)
			}
		})
	}
}

func TestAPIKeyExchange(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	whoami := func(headers map[string]string) response {
		return h.do(request{method: "GET", path: "/api/v1/auth/whoami", headers: headers})
	}

	for i := range 3 {
		resp := whoami(map[string]string{"X-API-Key": partnerKey})
		if resp.status != http.StatusOK {
			t.Fatalf("call %d: status = %d, body %s", i, resp.status, resp.body)
		}
		if got := resp.json(t)["kind"]; got != "api_key" {
			t.Errorf("call %d: kind = %v, want api_key", i, got)
		}
	}
	if got := h.company.Calls("ExchangeApiKey"); got != 1 {
		t.Errorf("ExchangeApiKey called %d times for 3 requests, want 1 (cached)", got)
	}

	resp := whoami(map[string]string{"X-API-Key": "ak_test_wrong"})
	if resp.status != http.StatusUnauthorized {
		t.Fatalf("bad key: status = %d, want 401", resp.status)
	}
	want := httperr.Body{StatusCode: 401, Message: "Invalid, expired or revoked API key", Reason: "INVALID_API_KEY"}
	if diff := cmp.Diff(want, resp.errorBody(t), cmpopts.IgnoreFields(httperr.Body{}, "RequestID"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("bad key body (-want +got):\n%s", diff)
	}

	before := h.company.Calls("ExchangeApiKey")
	resp = whoami(map[string]string{"X-API-Key": "ak_test_wrong", "Authorization": "Bearer " + h.token(auth.RoleAdmin)})
	if resp.status != http.StatusOK || h.company.Calls("ExchangeApiKey") != before {
		t.Errorf("with Authorization: status %d, exchanges %d→%d; want 200 and no exchange", resp.status, before, h.company.Calls("ExchangeApiKey"))
	}

	if strings.Contains(h.logs.String(), partnerKey) || strings.Contains(h.logs.String(), "ak_test_wrong") {
		t.Error("an API key appears in the logs")
	}
}

func TestInternalErrorMaskedAndLogged(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.do(request{method: "GET", path: "/api/v1/locations/" + explodingID, token: h.token(auth.RoleOwner)})
	if resp.status != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.status)
	}
	got := resp.errorBody(t)
	want := httperr.Body{StatusCode: 500, Message: "Internal server error", RequestID: resp.header.Get("X-Request-Id")}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if strings.Contains(string(resp.body), secretDetail) {
		t.Error("internal detail reached the client")
	}
	var logged bool
	for _, line := range h.logs.lines(t) {
		if line["level"] == "ERROR" && line["request_id"] == got.RequestID && line["code"] == "Internal" {
			logged = true
		}
	}
	if !logged {
		t.Errorf("no ERROR log line with request_id %s:\n%s", got.RequestID, h.logs.String())
	}
}

func TestEdgeRateLimit(t *testing.T) {
	h := newHarness(t, harnessOptions{env: map[string]string{"RATE_LIMIT_EDGE": "1/h:2"}})
	for i, wantRemaining := range []string{"1", "0"} {
		resp := h.do(request{method: "GET", path: "/api/v1/no-such-thing"})
		if got := resp.header.Get("X-RateLimit-Remaining"); got != wantRemaining || resp.header.Get("X-RateLimit-Limit") != "2" {
			t.Errorf("request %d: X-RateLimit-Limit %q, -Remaining %q; want 2, %s", i, resp.header.Get("X-RateLimit-Limit"), got, wantRemaining)
		}
	}
	resp := h.do(request{method: "GET", path: "/api/v1/no-such-thing"})
	if resp.status != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429", resp.status)
	}
	want := httperr.Body{StatusCode: 429, Reason: ratelimit.ReasonRateLimited}
	if diff := cmp.Diff(want, resp.errorBody(t), cmpopts.IgnoreFields(httperr.Body{}, "RequestID", "Message"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if secs, err := strconv.Atoi(resp.header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After = %q, want whole seconds ≥ 1", resp.header.Get("Retry-After"))
	}
	if probe := h.do(request{method: "GET", path: "/healthz"}); probe.status != http.StatusOK {
		t.Errorf("/healthz = %d while rate limited, want 200 (probes are exempt)", probe.status)
	}
}

func TestServiceRateLimitHeadersForwarded(t *testing.T) {
	h := newHarness(t, harnessOptions{serviceLimits: ratelimit.Classes{
		ratelimit.DefaultClass: {Rate: 1000, Burst: 1000},
		"read":                 {Rate: 1.0 / 3600, Burst: 1},
	}})
	owner := h.token(auth.RoleOwner)
	path := "/api/v1/locations/" + locationID

	ok := h.do(request{method: "GET", path: path, token: owner})
	if ok.status != http.StatusOK {
		t.Fatalf("first call: status %d", ok.status)
	}
	got := map[string]string{
		"limit":     ok.header.Get("X-RateLimit-Limit"),
		"remaining": ok.header.Get("X-RateLimit-Remaining"),
	}
	if diff := cmp.Diff(map[string]string{"limit": "1", "remaining": "0"}, got); diff != "" {
		t.Errorf("service quota headers (-want +got):\n%s", diff)
	}
	if vals := ok.header.Values("X-RateLimit-Limit"); len(vals) != 1 {
		t.Errorf("X-RateLimit-Limit sent %d times: %q", len(vals), vals)
	}

	denied := h.do(request{method: "GET", path: path, token: owner})
	if denied.status != http.StatusTooManyRequests {
		t.Fatalf("second call: status %d, want 429", denied.status)
	}
	if secs, err := strconv.Atoi(denied.header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After = %q", denied.header.Get("Retry-After"))
	}
	if got := denied.errorBody(t).Reason; got != ratelimit.ReasonRateLimited {
		t.Errorf("reason = %q, want %s", got, ratelimit.ReasonRateLimited)
	}
	for name := range denied.header {
		if strings.HasPrefix(name, "Grpc-") {
			t.Errorf("response leaks gRPC header %s", name)
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	h := newHarness(t, harnessOptions{env: map[string]string{"PUBLIC_URL": "https://api.acme.example"}})
	resp := h.do(request{method: "GET", path: "/api/v1/openapi.json"})
	if resp.status != http.StatusOK {
		t.Fatalf("status = %d", resp.status)
	}
	doc := resp.json(t)
	got := map[string]any{
		"swagger": doc["swagger"],
		"host":    doc["host"],
		"schemes": doc["schemes"],
		"bearer":  doc["securityDefinitions"].(map[string]any)["bearer"].(map[string]any)["name"],
		"apiKey":  doc["securityDefinitions"].(map[string]any)["apiKey"].(map[string]any)["name"],
	}
	want := map[string]any{
		"swagger": "2.0",
		"host":    "api.acme.example",
		"schemes": []any{"https"},
		"bearer":  "Authorization",
		"apiKey":  "X-API-Key",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	paths := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("no paths")
	}
	for p := range paths {
		if !strings.HasPrefix(p, "/api/v1/") {
			t.Errorf("path %s is not under /api/v1", p)
		}
	}
	login := paths["/api/v1/auth/login"].(map[string]any)["post"].(map[string]any)
	if diff := cmp.Diff([]any{}, login["security"]); diff != "" {
		t.Errorf("login security (-want +got):\n%s", diff)
	}
	getLocation := paths["/api/v1/locations/{id}"].(map[string]any)["get"].(map[string]any)
	if _, overridden := getLocation["security"]; overridden {
		t.Error("GetLocation overrides the document's security; it must require a credential")
	}
	ref := getLocation["responses"].(map[string]any)["default"].(map[string]any)["schema"].(map[string]any)["$ref"]
	if ref != "#/definitions/ErrorResponse" {
		t.Errorf("error schema = %v, want the REST error body", ref)
	}
}

// The same API is served as OpenAPI 3.0 YAML, converted from the Swagger 2.0
// document the gateway serves (so with the same public URL and security).
func TestOpenAPI3Document(t *testing.T) {
	h := newHarness(t, harnessOptions{env: map[string]string{"PUBLIC_URL": "https://api.acme.example"}})
	resp := h.do(request{method: "GET", path: "/api/v1/openapi.yaml"})
	if resp.status != http.StatusOK || resp.header.Get("Content-Type") != "application/yaml" {
		t.Fatalf("status %d, Content-Type %q; want 200 application/yaml", resp.status, resp.header.Get("Content-Type"))
	}
	doc, err := openapi3.NewLoader().LoadFromData(resp.body)
	if err != nil {
		t.Fatalf("not an OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid: %v", err)
	}
	if doc.Paths.Find("/api/v1/locations/{id}") == nil {
		t.Error("GET /api/v1/locations/{id} missing")
	}
	var servers []string
	for _, s := range doc.Servers {
		servers = append(servers, s.URL)
	}
	want := []string{"https://api.acme.example/"}
	if diff := cmp.Diff(want, servers); diff != "" || !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Errorf("openapi %q, servers (-want +got):\n%s", doc.OpenAPI, diff)
	}
}

func TestAPIPrefix(t *testing.T) {
	h := newHarness(t, harnessOptions{env: map[string]string{"API_PREFIX": "/partner/v1"}})
	owner := h.token(auth.RoleOwner)
	if resp := h.do(request{method: "GET", path: "/partner/v1/locations/" + locationID, token: owner}); resp.status != http.StatusOK {
		t.Errorf("under API_PREFIX: status %d, want 200; %s", resp.status, resp.body)
	}
	if resp := h.do(request{method: "GET", path: "/api/v1/locations/" + locationID, token: owner}); resp.status != http.StatusNotFound {
		t.Errorf("under the internal prefix: status %d, want 404", resp.status)
	}
	doc := h.do(request{method: "GET", path: "/partner/v1/openapi.json"}).json(t)
	for p := range doc["paths"].(map[string]any) {
		if !strings.HasPrefix(p, "/partner/v1/") {
			t.Errorf("document path %s is not under API_PREFIX", p)
		}
	}
}

// A gateway whose Redis is gone is degraded, not unready: /readyz stays 200
// and names Redis under "degraded"; with Redis answering nothing is named.
func TestReadyzReportsRedisDegraded(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := lis.Addr().String()
	lis.Close()
	for _, tt := range []struct {
		redis string
		want  map[string]any
	}{
		{redisAddr(), nil},
		{gone, map[string]any{"redis": "unreachable"}},
	} {
		h := newHarness(t, harnessOptions{edgeRedis: tt.redis})
		ready := h.do(request{method: "GET", path: "/readyz"})
		body := ready.json(t)
		if ready.status != http.StatusOK || body["status"] != "ready" {
			t.Errorf("Redis at %s: /readyz %d %v, want 200 ready", tt.redis, ready.status, body)
		}
		got, _ := body["degraded"].(map[string]any)
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Redis at %s: degraded (-want +got):\n%s", tt.redis, diff)
		}
		if resp := h.do(request{method: "GET", path: "/api/v1/locations/" + locationID, token: h.token(auth.RoleOwner)}); resp.status != http.StatusOK {
			t.Errorf("Redis at %s: a call through the edge limiter got %d", tt.redis, resp.status)
		}
	}
}

func redisAddr() string {
	if a := os.Getenv("REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

func TestReadyzReflectsServices(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ready := h.do(request{method: "GET", path: "/readyz"})
	want := map[string]any{"status": "ready", "services": map[string]any{"company": "SERVING"}}
	if diff := cmp.Diff(want, ready.json(t)); ready.status != http.StatusOK || diff != "" {
		t.Fatalf("ready: status %d, body (-want +got):\n%s", ready.status, diff)
	}

	h.stop()
	notReady := h.do(request{method: "GET", path: "/readyz"})
	if notReady.status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", notReady.status)
	}
	got := notReady.errorBody(t)
	wantBody := httperr.Body{StatusCode: 503, Errors: []httperr.Violation{{Field: "company"}}}
	if diff := cmp.Diff(wantBody, got, cmpopts.IgnoreFields(httperr.Body{}, "RequestID", "Message"), cmpopts.IgnoreFields(httperr.Violation{}, "Message")); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if live := h.do(request{method: "GET", path: "/healthz"}); live.status != http.StatusOK {
		t.Errorf("/healthz = %d with services down, want 200", live.status)
	}
}

func TestJWKS(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.do(request{method: "GET", path: "/.well-known/jwks.json"})
	want := map[string]any{"keys": []any{map[string]any{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": "qqqq", "e": "AQAB"}}}
	if diff := cmp.Diff(want, resp.json(t)); resp.status != http.StatusOK || diff != "" {
		t.Errorf("status %d, body (-want +got):\n%s", resp.status, diff)
	}
}

func TestDocsPage(t *testing.T) {
	t.Run("without swagger-ui", func(t *testing.T) {
		h := newHarness(t, harnessOptions{env: map[string]string{"DOCS_DIR": filepath.Join(t.TempDir(), "absent")}})
		resp := h.do(request{method: "GET", path: "/docs"})
		if resp.status != http.StatusOK || !strings.Contains(string(resp.body), "fetch-swagger-ui.sh") {
			t.Errorf("status %d, body %s; want a page saying how to fetch swagger-ui", resp.status, resp.body)
		}
		if asset := h.do(request{method: "GET", path: "/docs/swagger-ui-bundle.js"}); asset.status != http.StatusNotFound {
			t.Errorf("asset status = %d, want 404", asset.status)
		}
	})
	t.Run("with swagger-ui", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range []string{"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "package.json"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("/* "+f+" */"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		h := newHarness(t, harnessOptions{env: map[string]string{"DOCS_DIR": dir}})
		tests := []struct {
			path     string
			status   int
			contains string
		}{
			{"/docs", http.StatusOK, `src="/docs/swagger-ui-bundle.js"`},
			{"/docs/", http.StatusOK, `src="/docs/initializer.js"`},
			{"/docs/initializer.js", http.StatusOK, `"/api/v1/openapi.json"`},
			{"/docs/initializer.js", http.StatusOK, `{"name":"OpenAPI 3.0","url":"/api/v1/openapi.yaml"}`},
			{"/docs/swagger-ui-bundle.js", http.StatusOK, "swagger-ui-bundle.js"},
			{"/docs/package.json", http.StatusNotFound, ""},
			{"/docs/../go.mod", http.StatusNotFound, ""},
		}
		for _, tt := range tests {
			resp := h.do(request{method: "GET", path: tt.path})
			if resp.status != tt.status || !strings.Contains(string(resp.body), tt.contains) {
				t.Errorf("GET %s: status %d, body %.200s; want %d containing %q", tt.path, resp.status, resp.body, tt.status, tt.contains)
			}
		}
	})
}

func TestMetricsByRouteTemplate(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.do(request{method: "GET", path: "/api/v1/locations/" + locationID, token: h.token(auth.RoleOwner)})
	h.do(request{method: "GET", path: "/api/v1/locations/" + missingID, token: h.token(auth.RoleOwner)})
	h.do(request{method: "GET", path: "/no/such/" + uuid.NewString()})
	families, err := h.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "ariesone_gateway_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["method"]+" "+labels["route"]+" "+labels["code"]] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{
		"GET /api/v1/locations/{id} 200": 1,
		"GET /api/v1/locations/{id} 404": 1,
		"GET unmatched 404":              1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests by route (-want +got):\n%s", diff)
	}
}
