package apikey_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/gateway/internal/apikey"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/revocation"
)

const goodKey = "ak_test_good"

// fakeAuth answers ExchangeApiKey with numbered tokens that live 100s.
type fakeAuth struct {
	companyv1.AuthServiceClient
	calls   atomic.Int32
	release chan struct{}
}

func (f *fakeAuth) ExchangeApiKey(ctx context.Context, in *companyv1.ExchangeApiKeyRequest, _ ...grpc.CallOption) (*companyv1.TokenPair, error) {
	n := f.calls.Add(1)
	if f.release != nil {
		<-f.release
	}
	if in.GetApiKey() != goodKey {
		return nil, status.Error(codes.Unauthenticated, "unknown key")
	}
	return &companyv1.TokenPair{AccessToken: "token-" + string(rune('0'+n)), ExpiresIn: 100}, nil
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestTokenCachedUntilShortlyBeforeExpiry(t *testing.T) {
	auth := &fakeAuth{}
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	e, err := apikey.New(auth, apikey.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance   time.Duration
		wantToken string
	}{
		{0, "token-1"},
		{50 * time.Second, "token-1"},
		{39 * time.Second, "token-1"}, // 89s: still before the 10s margin
		{2 * time.Second, "token-2"},  // 91s: within the margin, refreshed
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		got, err := e.Token(t.Context(), goodKey)
		if err != nil || got != s.wantToken {
			t.Errorf("step %d: Token = %q, %v; want %q", i, got, err, s.wantToken)
		}
	}
	if got := auth.calls.Load(); got != 2 {
		t.Errorf("ExchangeApiKey called %d times, want 2", got)
	}
}

func TestConcurrentRequestsShareOneExchange(t *testing.T) {
	auth := &fakeAuth{release: make(chan struct{})}
	e, err := apikey.New(auth, apikey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := e.Token(t.Context(), goodKey); err != nil {
				t.Errorf("Token: %v", err)
			}
		})
	}
	for auth.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others join the flight
	close(auth.release)
	wg.Wait()
	if got := auth.calls.Load(); got != 1 {
		t.Errorf("ExchangeApiKey called %d times for 8 concurrent requests, want 1", got)
	}
}

func TestMiddleware(t *testing.T) {
	auth := &fakeAuth{}
	e, err := apikey.New(auth, apikey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var gotAuth, gotKey string
	h := e.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotKey = r.Header.Get("Authorization"), r.Header.Get(apikey.Header)
	}))
	tests := []struct {
		name      string
		headers   map[string]string
		wantCode  int
		wantAuth  string
		wantCalls int32
	}{
		{"no key", nil, 200, "", 0},
		{"good key", map[string]string{apikey.Header: goodKey}, 200, "Bearer token-1", 1},
		{"authorization wins", map[string]string{apikey.Header: goodKey, "Authorization": "Bearer mine"}, 200, "Bearer mine", 1},
		{"refused key", map[string]string{apikey.Header: "ak_test_bad"}, 401, "", 2},
		{"impossible key, no call", map[string]string{apikey.Header: "has space"}, 401, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotAuth, gotKey = "", ""
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.wantCode || gotAuth != tt.wantAuth || gotKey != "" || auth.calls.Load() != tt.wantCalls {
				t.Errorf("status %d, Authorization %q, X-API-Key passed on %q, calls %d; want %d, %q, none, %d",
					rec.Code, gotAuth, gotKey, auth.calls.Load(), tt.wantCode, tt.wantAuth, tt.wantCalls)
			}
		})
	}
}

// jwtAuth answers with JWT-shaped tokens whose subject is the key's id.
type jwtAuth struct {
	companyv1.AuthServiceClient
	calls atomic.Int32
}

func (f *jwtAuth) ExchangeApiKey(context.Context, *companyv1.ExchangeApiKeyRequest, ...grpc.CallOption) (*companyv1.TokenPair, error) {
	n := f.calls.Add(1)
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"key-1","n":` + strconv.Itoa(int(n)) + `}`))
	return &companyv1.TokenPair{AccessToken: "eyJhbGciOiJSUzI1NiJ9." + payload + ".sig", ExpiresIn: 100}, nil
}

// TestRevokedKeysTokenLeavesTheCache: the key's revocation event, or a
// service refusing the cached token, makes the next request exchange the
// key again rather than reuse the revoked token.
func TestRevokedKeysTokenLeavesTheCache(t *testing.T) {
	tests := []struct {
		name   string
		revoke func(e *apikey.Exchanger, downstream *int)
	}{
		{"revocation event", func(e *apikey.Exchanger, _ *int) { e.ForgetKey("key-1") }},
		{"a service refuses the token", func(_ *apikey.Exchanger, downstream *int) { *downstream = http.StatusUnauthorized }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := &jwtAuth{}
			e, err := apikey.New(auth, apikey.Options{})
			if err != nil {
				t.Fatal(err)
			}
			downstream := http.StatusOK
			var seen []string
			h := e.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = append(seen, r.Header.Get("Authorization"))
				w.WriteHeader(downstream)
			}))
			call := func() {
				r := httptest.NewRequest(http.MethodGet, "/api/v1/locations", nil)
				r.Header.Set(apikey.Header, goodKey)
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
			call()
			call()
			if auth.calls.Load() != 1 || seen[0] != seen[1] {
				t.Fatalf("before: %d exchanges, tokens %v; want one exchange, one token", auth.calls.Load(), seen)
			}
			tt.revoke(e, &downstream)
			call()
			downstream = http.StatusOK
			call()
			if auth.calls.Load() != 2 || seen[len(seen)-1] == seen[0] {
				t.Errorf("after: %d exchanges, last token %q; want the key exchanged again", auth.calls.Load(), seen[len(seen)-1])
			}
		})
	}
	e, _ := apikey.New(&jwtAuth{}, apikey.Options{})
	e.ForgetKey("") // names nothing: nothing to do, no panic
}

// TestRevocationStreamDropsTheKeysToken: the key's revocation event on the
// revocation stream drops its cached token; the next request exchanges
// the key again (and company refuses a revoked one).
func TestRevocationStreamDropsTheKeysToken(t *testing.T) {
	b := bus.NewMemory(bus.MemoryConfig{})
	auth := &jwtAuth{}
	e, err := apikey.New(auth, apikey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.ForgetRevoked(ctx, b) }()
	if _, err := e.Token(ctx, goodKey); err != nil {
		t.Fatal(err)
	}
	payload, err := proto.Marshal(&companyv1.ApiKeyRevoked{ApiKeyId: "key-1"})
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; auth.calls.Load() == 1; n++ {
		// Published until the stream, which may not be declared yet, has
		// carried one to the exchanger.
		b.Publish(ctx, []bus.Message{{ID: "revoked-" + strconv.Itoa(n), Type: revocation.EventAPIKeyRevoked,
			PayloadType: "ariesone.company.v1.ApiKeyRevoked", OccurTime: time.Now(), Payload: payload}})
		select {
		case <-ctx.Done():
			t.Fatal("the revocation never dropped the cached token")
		case <-time.After(10 * time.Millisecond):
		}
		if _, err := e.Token(ctx, goodKey); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ForgetRevoked = %v", err)
	}
}
