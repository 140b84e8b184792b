package gateway_test

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/ratelimit"
)

const watchPath = "/api/v1/events:watch"

// Event types the fake EventService gives meaning to as the first type of
// a watch's filter; any other filter gets the events, then waits for the
// client to hang up.
const (
	// watchQuiet accepts the stream and sends nothing.
	watchQuiet = "test.quiet"
	// watchDisabled refuses in the handler, before accepting, as notify
	// does while FEATURE_REAL_TIME_UPDATES is off.
	watchDisabled = "test.disabled"
	// watchFallBehind sends the events, then ends the stream as notify
	// ends a watcher that fell behind.
	watchFallBehind = "test.fall_behind"
	// watchStop sends the events, then ends the stream as notify does when
	// it stops.
	watchStop = "test.stop"
	// watchStopAtOnce accepts the stream and ends it as notify does when
	// it stops, before any event.
	watchStopAtOnce = "test.stop_at_once"
)

// watchedEvents are the ids of the events every watch that sends events
// sends.
var watchedEvents = []string{"0190a6a2-0000-7000-8000-0000000000e1", "0190a6a2-0000-7000-8000-0000000000e2"}

// fakeEvents stands in for notify's EventService the way notify serves
// it: the stream's headers once the watcher is registered, then events.
type fakeEvents struct {
	notifyv1.UnimplementedEventServiceServer

	mu      sync.Mutex
	watches int
}

// Watches counts the streams that reached the handler.
func (f *fakeEvents) Watches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watches
}

func (f *fakeEvents) WatchEvents(req *notifyv1.WatchEventsRequest, stream grpc.ServerStreamingServer[notifyv1.Event]) error {
	f.mu.Lock()
	f.watches++
	f.mu.Unlock()
	mode := ""
	if types := req.GetTypes(); len(types) > 0 {
		mode = types[0]
	}
	if mode == watchDisabled {
		return errs.FailedPrecondition("FEATURE_DISABLED", "live events are turned off")
	}
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	stopping := &errs.Error{Kind: errs.KindUnavailable, Reason: "LIVE_EVENTS_STOPPED", Message: "the service is stopping; reconnect"}
	switch mode {
	case watchQuiet:
		<-stream.Context().Done()
		return stream.Context().Err()
	case watchStopAtOnce:
		return stopping
	}
	for _, id := range watchedEvents {
		if err := stream.Send(&notifyv1.Event{Id: id, Type: "company.location.created.v1", CompanyId: companyID, Source: "company"}); err != nil {
			return err
		}
	}
	switch mode {
	case watchFallBehind:
		return &errs.Error{Kind: errs.KindResourceExhausted, Reason: "WATCHER_FELL_BEHIND", Message: "watcher fell behind; reconnect"}
	case watchStop:
		return stopping
	}
	<-stream.Context().Done()
	return stream.Context().Err()
}

// openWatch starts GET /api/v1/events:watch with query and token and
// returns the response as soon as its headers arrive; the caller closes the
// body, which hangs up.
func (h *harness) openWatch(query, token string) *http.Response {
	h.t.Helper()
	r, err := http.NewRequest(http.MethodGet, h.http.URL+watchPath+query, nil)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.http.Client().Do(r)
	if err != nil {
		h.t.Fatalf("GET %s: %v", watchPath, err)
	}
	return resp
}

// streamLine is one line of a streamed response: a message or the error
// that ended the stream.
type streamLine struct {
	Result *notifyv1.Event `json:"-"`
	Error  *httperr.Body   `json:"error"`
}

// readLine decodes the next line of a stream, failing the test unless it
// is exactly {"result": Event} or {"error": REST error body}.
func readLine(t *testing.T, lines *bufio.Scanner) streamLine {
	t.Helper()
	if !lines.Scan() {
		t.Fatalf("stream ended early: %v", lines.Err())
	}
	raw := lines.Bytes()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil || len(keys) != 1 {
		t.Fatalf("line is not an object with one key: %s", raw)
	}
	var out streamLine
	if result, ok := keys["result"]; ok {
		var e struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(result, &e); err != nil {
			t.Fatalf("result is not an event: %s", raw)
		}
		out.Result = &notifyv1.Event{Id: e.ID}
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(keys["error"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out.Error); err != nil || out.Error == nil {
		t.Fatalf(`line is neither {"result": ...} nor {"error": REST error body}: %s`, raw)
	}
	return out
}

// forgedTokens are tokens the services must refuse, each a way of
// getting past a careless verifier.
func forgedTokens(t *testing.T, h *harness) map[string]string {
	t.Helper()
	claims := authtest.Claims(uuid.NewString(), companyID, auth.RoleOwner)
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	segment := func(v []byte) string { return base64.RawURLEncoding.EncodeToString(v) }
	header := func(alg string) string {
		return segment([]byte(`{"alg":"` + alg + `","typ":"JWT","kid":"` + h.keys.Current().KeyID + `"}`))
	}
	publicDER, err := x509.MarshalPKIXPublicKey(h.keys.Current().Private.Public())
	if err != nil {
		t.Fatal(err)
	}
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicDER})
	mac := hmac.New(sha256.New, publicPEM)
	mac.Write([]byte(header("HS256") + "." + segment(payload)))

	// A genuine partner token whose claims are swapped for an owner's,
	// keeping the partner's signature.
	genuine := strings.Split(h.token(auth.RolePartner), ".")
	tampered := genuine[0] + "." + segment(payload) + "." + genuine[2]

	expired := authtest.Claims(uuid.NewString(), companyID, auth.RoleOwner)
	expired.IssuedAt.Time = time.Now().Add(-2 * time.Hour)
	expired.NotBefore.Time = expired.IssuedAt.Time
	expired.ExpiresAt.Time = time.Now().Add(-time.Hour)

	return map[string]string{
		"garbage":                          "not.a.jwt",
		"alg none":                         header("none") + "." + segment(payload) + ".",
		"tampered claims":                  tampered,
		"HS256 signed with the public key": header("HS256") + "." + segment(payload) + "." + segment(mac.Sum(nil)),
		"expired":                          h.keys.Mint(expired),
	}
}

// TestRefusedStreamAnswersItsStatus holds that a stream the service refuses
// is answered like a refused unary call: its own status, the REST error
// body with the request id, and nothing streamed.
func TestRefusedStreamAnswersItsStatus(t *testing.T) {
	events := &fakeEvents{}
	h := newHarness(t, harnessOptions{events: events})
	type test struct {
		name  string
		query string
		token string
		want  httperr.Body
		// wantWatched is whether the handler ran (and refused).
		wantWatched bool
	}
	tests := []test{
		{name: "no token", want: httperr.Body{StatusCode: 401, Reason: "UNAUTHENTICATED"}},
	}
	for name, token := range forgedTokens(t, h) {
		tests = append(tests, test{name: name, token: token, want: httperr.Body{StatusCode: 401, Reason: "UNAUTHENTICATED"}})
	}
	tests = append(tests,
		test{name: "role without the permission", token: h.token(auth.RoleTechnician), want: httperr.Body{StatusCode: 403, Reason: "PERMISSION_DENIED"}},
		test{name: "invalid filter", query: "?types=Not%20A%20Type", token: h.token(auth.RolePartner),
			want: httperr.Body{StatusCode: 400, Reason: "INVALID_ARGUMENT", Errors: []httperr.Violation{v("types[0]")}}},
		test{name: "unknown query parameter", query: "?colour=red", token: h.token(auth.RolePartner),
			want: httperr.Body{StatusCode: 400, Reason: "INVALID_ARGUMENT", Errors: []httperr.Violation{v("colour")}}},
		test{name: "refused by the handler", query: "?types=" + watchDisabled, token: h.token(auth.RolePartner),
			want: httperr.Body{StatusCode: 400, Reason: "FEATURE_DISABLED"}, wantWatched: true},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := events.Watches()
			resp := h.do(request{method: http.MethodGet, path: watchPath + tt.query, token: tt.token})
			if resp.status != tt.want.StatusCode {
				t.Fatalf("status = %d, want %d; body %s", resp.status, tt.want.StatusCode, resp.body)
			}
			got := resp.errorBody(t)
			opts := []cmp.Option{
				cmpopts.IgnoreFields(httperr.Body{}, "RequestID", "Message", "Metadata"),
				cmpopts.IgnoreFields(httperr.Violation{}, "Message"),
				cmpopts.EquateEmpty(),
			}
			if diff := cmp.Diff(tt.want, got, opts...); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			if id := resp.header.Get("X-Request-Id"); got.RequestID == "" || got.RequestID != id {
				t.Errorf("requestId = %q, X-Request-Id = %q; want the same non-empty id", got.RequestID, id)
			}
			if got.Message == "" {
				t.Error("message is empty")
			}
			if tt.want.StatusCode == http.StatusUnauthorized && !strings.HasPrefix(resp.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", resp.header.Get("WWW-Authenticate"))
			}
			if watched := events.Watches() > before; watched != tt.wantWatched {
				t.Errorf("handler ran = %v, want %v", watched, tt.wantWatched)
			}
		})
	}
}

// TestRateLimitedStreamAnswers429LikeUnary holds that a stream over the
// service's rate limit gets the 429 a unary call over it gets, with the
// same quota headers.
func TestRateLimitedStreamAnswers429LikeUnary(t *testing.T) {
	h := newHarness(t, harnessOptions{events: &fakeEvents{}, serviceLimits: ratelimit.Classes{
		ratelimit.DefaultClass: {Rate: 1000, Burst: 1000},
		"read":                 {Rate: 1.0 / 3600, Burst: 1},
	}})
	quota := func(resp response) map[string]string {
		out := map[string]string{}
		for _, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"} {
			out[name] = resp.header.Get(name)
		}
		return out
	}
	// Each caller spends its one read: a unary call, and a stream that is
	// accepted and hung up.
	unaryToken, streamToken := h.token(auth.RolePartner), h.token(auth.RolePartner)
	if resp := h.do(request{method: http.MethodGet, path: "/api/v1/locations/" + locationID, token: unaryToken}); resp.status != http.StatusOK {
		t.Fatalf("first unary call: status %d", resp.status)
	}
	first := h.openWatch("", streamToken)
	first.Body.Close()
	if first.StatusCode != http.StatusOK {
		t.Fatalf("first stream: status %d", first.StatusCode)
	}

	unary := h.do(request{method: http.MethodGet, path: "/api/v1/locations/" + locationID, token: unaryToken})
	stream := h.do(request{method: http.MethodGet, path: watchPath, token: streamToken})
	if unary.status != http.StatusTooManyRequests || stream.status != http.StatusTooManyRequests {
		t.Fatalf("statuses: unary %d, stream %d; want 429 for both", unary.status, stream.status)
	}
	wantQuota := quota(unary)
	if wantQuota["Retry-After"] == "" || wantQuota["X-RateLimit-Limit"] != "1" {
		t.Fatalf("unary 429 quota headers = %v", wantQuota)
	}
	if diff := cmp.Diff(wantQuota, quota(stream)); diff != "" {
		t.Errorf("stream quota headers (-unary +stream):\n%s", diff)
	}
	got := stream.errorBody(t)
	want := httperr.Body{StatusCode: 429, Reason: ratelimit.ReasonRateLimited, RequestID: stream.header.Get("X-Request-Id")}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(httperr.Body{}, "Message", "Metadata"), cmpopts.EquateEmpty()); diff != "" || want.RequestID == "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

// TestAcceptedStreamStreams holds that an accepted stream answers 200 at
// once, before any event, and then sends one {"result": Event} line per
// event.
func TestAcceptedStreamStreams(t *testing.T) {
	h := newHarness(t, harnessOptions{events: &fakeEvents{}})
	partner := h.token(auth.RolePartner)

	t.Run("quiet stream answers before any event", func(t *testing.T) {
		resp := h.openWatch("?types="+watchQuiet, partner)
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, Content-Type %q; want 200, application/json", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
	t.Run("events arrive as result lines", func(t *testing.T) {
		resp := h.openWatch("", partner)
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", resp.StatusCode)
		}
		lines := bufio.NewScanner(resp.Body)
		var got []string
		for range watchedEvents {
			line := readLine(t, lines)
			if line.Result == nil {
				t.Fatalf("line is an error: %+v", line.Error)
			}
			got = append(got, line.Result.GetId())
		}
		if diff := cmp.Diff(watchedEvents, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		for name := range resp.Header {
			if strings.HasPrefix(name, "Grpc-") {
				t.Errorf("response leaks gRPC header %s", name)
			}
		}
	})
}

// TestStreamEndsWithRESTErrorLine holds that a stream the service ends with
// an error after accepting it ends with one last line holding the REST
// error body, masked as a unary answer would be.
func TestStreamEndsWithRESTErrorLine(t *testing.T) {
	h := newHarness(t, harnessOptions{events: &fakeEvents{}})
	partner := h.token(auth.RolePartner)
	tests := []struct {
		name       string
		mode       string
		wantEvents []string
		want       httperr.Body
		// wantLogged is whether the gateway logs the error it masked.
		wantLogged bool
	}{
		{
			name:       "watcher fell behind",
			mode:       watchFallBehind,
			wantEvents: watchedEvents,
			want:       httperr.Body{StatusCode: 429, Message: "watcher fell behind; reconnect", Reason: "WATCHER_FELL_BEHIND"},
		},
		{
			name:       "service stopping",
			mode:       watchStop,
			wantEvents: watchedEvents,
			want:       httperr.Body{StatusCode: 503, Message: httperr.MessageUnavailable},
			wantLogged: true,
		},
		{
			name:       "service stopping before any event",
			mode:       watchStopAtOnce,
			want:       httperr.Body{StatusCode: 503, Message: httperr.MessageUnavailable},
			wantLogged: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.openWatch("?types="+tt.mode, partner)
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			lines := bufio.NewScanner(resp.Body)
			var events []string
			var last streamLine
			for {
				last = readLine(t, lines)
				if last.Result == nil {
					break
				}
				events = append(events, last.Result.GetId())
			}
			if diff := cmp.Diff(tt.wantEvents, events, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			want := tt.want
			want.RequestID = resp.Header.Get("X-Request-Id")
			if diff := cmp.Diff(want, *last.Error, cmpopts.IgnoreFields(httperr.Body{}, "Metadata"), cmpopts.EquateEmpty()); diff != "" || want.RequestID == "" {
				t.Errorf("error line (-want +got):\n%s", diff)
			}
			if last.Error.Errors == nil {
				t.Error(`"errors" is missing; it must be [] when there are no violations`)
			}
			if lines.Scan() {
				t.Errorf("line after the error line: %s", lines.Bytes())
			}
			var logged bool
			for _, line := range h.logs.lines(t) {
				if line["request_id"] == want.RequestID && line["code"] == "Unavailable" {
					logged = true
				}
			}
			if logged != tt.wantLogged {
				t.Errorf("masked error logged with request_id %s = %v, want %v", want.RequestID, logged, tt.wantLogged)
			}
		})
	}
}
