package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/backends"
	"github.com/ariesone/ariesone/gateway/internal/edgelimit"
	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	"github.com/ariesone/ariesone/gateway/internal/gateway"
	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/gateway/internal/openapi"
	"github.com/ariesone/ariesone/gateway/internal/settings"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/server"
)

// Fixed ids the fake company service gives meaning to.
const (
	companyID     = "0190a6a2-0000-7000-8000-000000000001"
	locationID    = "0190a6a2-0000-7000-8000-0000000000a1"
	missingID     = "0190a6a2-0000-7000-8000-0000000000ff"
	explodingID   = "0190a6a2-0000-7000-8000-0000000000ee"
	userID        = "0190a6a2-0000-7000-8000-0000000000b1"
	locationETag  = `"3"`
	duplicateCode = "DUP-01"
	partnerKey    = "ak_test_0123456789abcdef0123456789abcdef"
	secretDetail  = "connection to 10.1.2.3:5432 refused"
)

// fakeCompany stands in for the company service process: simple in-memory
// implementations behind the real platform interceptor chain, counting every
// call that reaches a handler.
type fakeCompany struct {
	companyv1.UnimplementedAuthServiceServer
	companyv1.UnimplementedCompanyServiceServer
	companyv1.UnimplementedLocationServiceServer
	companyv1.UnimplementedUserServiceServer

	keys *authtest.KeySet

	mu    sync.Mutex
	calls map[string]int
	// seen is the incoming metadata of the last GetCompany call.
	seen metadata.MD
}

func (f *fakeCompany) record(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
}

// Calls returns how many times method reached its handler.
func (f *fakeCompany) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// Seen returns the metadata the last GetCompany call arrived with.
func (f *fakeCompany) Seen() metadata.MD {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen.Copy()
}

// TotalCalls counts every call that reached a handler.
func (f *fakeCompany) TotalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func (f *fakeCompany) ExchangeApiKey(_ context.Context, req *companyv1.ExchangeApiKeyRequest) (*companyv1.TokenPair, error) {
	f.record("ExchangeApiKey")
	if req.GetApiKey() != partnerKey {
		return nil, errs.Unauthenticated("unknown or revoked API key")
	}
	claims := authtest.Claims(uuid.NewString(), companyID, auth.RolePartner)
	claims.Kind = string(identity.KindAPIKey)
	return &companyv1.TokenPair{AccessToken: f.keys.Mint(claims), TokenType: "Bearer", ExpiresIn: 900}, nil
}

func (f *fakeCompany) GetJwks(context.Context, *companyv1.GetJwksRequest) (*companyv1.Jwks, error) {
	f.record("GetJwks")
	return &companyv1.Jwks{Keys: []*companyv1.Jwk{{Kty: "RSA", Kid: "k1", Use: "sig", Alg: "RS256", N: "qqqq", E: "AQAB"}}}, nil
}

func (f *fakeCompany) WhoAmI(ctx context.Context, _ *companyv1.WhoAmIRequest) (*companyv1.WhoAmIResponse, error) {
	f.record("WhoAmI")
	p, _ := identity.FromContext(ctx)
	return &companyv1.WhoAmIResponse{Subject: p.Subject, CompanyId: p.CompanyID, Kind: string(p.Kind)}, nil
}

func (f *fakeCompany) GetCompany(ctx context.Context, _ *companyv1.GetCompanyRequest) (*companyv1.Company, error) {
	f.record("GetCompany")
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	f.seen = md.Copy()
	f.mu.Unlock()
	p, _ := identity.FromContext(ctx)
	return &companyv1.Company{Id: p.CompanyID, LegalName: "Acme Medical Supply", Etag: `"7"`}, nil
}

func location(id string) *companyv1.Location {
	return &companyv1.Location{
		Id:         id,
		Code:       "ATL-01",
		Name:       "Atlanta branch",
		Type:       companyv1.LocationType_LOCATION_TYPE_BRANCH,
		TimeZone:   "America/New_York",
		CreateTime: timestamppb.New(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)),
		Etag:       locationETag,
	}
}

func (f *fakeCompany) GetLocation(_ context.Context, req *companyv1.GetLocationRequest) (*companyv1.Location, error) {
	f.record("GetLocation")
	switch req.GetId() {
	case locationID:
		return location(locationID), nil
	case explodingID:
		return nil, errors.New(secretDetail)
	}
	return nil, errs.NotFound("location", req.GetId())
}

func (f *fakeCompany) ListLocations(context.Context, *companyv1.ListLocationsRequest) (*companyv1.ListLocationsResponse, error) {
	f.record("ListLocations")
	return &companyv1.ListLocationsResponse{Locations: []*companyv1.Location{location(locationID)}}, nil
}

func (f *fakeCompany) CreateLocation(_ context.Context, req *companyv1.CreateLocationRequest) (*companyv1.Location, error) {
	f.record("CreateLocation")
	if req.GetLocation().GetCode() == duplicateCode {
		return nil, errs.AlreadyExists("location", duplicateCode)
	}
	l := location(uuid.NewString())
	l.Code, l.Name = req.GetLocation().GetCode(), req.GetLocation().GetName()
	return l, nil
}

func (f *fakeCompany) UpdateUser(_ context.Context, req *companyv1.UpdateUserRequest) (*companyv1.User, error) {
	f.record("UpdateUser")
	return &companyv1.User{Id: req.GetUser().GetId(), GivenName: req.GetUser().GetGivenName(), Etag: `"2"`}, nil
}

// harness is a fake company service behind the real interceptor chain, and
// the gateway in front of it on a real HTTP listener.
type harness struct {
	t       *testing.T
	keys    *authtest.KeySet
	company *fakeCompany
	srv     *server.Server
	http    *httptest.Server
	logs    *syncBuffer
	metrics *prometheus.Registry
	stop    func()
}

type harnessOptions struct {
	// env overrides the gateway's environment.
	env map[string]string
	// serviceLimits, when set, turns on the service's rate limiter.
	serviceLimits ratelimit.Classes
	// clinical also serves a fake clinical PatientService from the same
	// process and points CLINICAL_ADDR at it.
	clinical *fakeClinical
	// prescribers, with clinical, also serves a fake PrescriberService.
	prescribers clinicalv1.PrescriberServiceServer
	// events also serves a fake notify EventService from the same process
	// and points NOTIFY_ADDR at it.
	events *fakeEvents
	// orders also serves a fake orders OrderService and PriceListService
	// from the same process and points ORDERS_ADDR at it.
	orders *fakeOrders
	// edgeRedis, when set, keeps the edge buckets in the Redis at this
	// address (ratelimit.Open), as REDIS_HOST does.
	edgeRedis string
	// services registers further fake services on the same server (so
	// they accept the same tokens), and serviceAddrs are the environment
	// variables pointed at it ("ORDERS_ADDR").
	services     func(s *grpc.Server)
	serviceAddrs []string
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	keys := authtest.NewKeySet(t)
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{
		JWKSURL:                keys.URL(),
		Issuer:                 authtest.Issuer,
		Audience:               authtest.Audience,
		UnknownKIDRefreshFloor: 10 * time.Millisecond,
		Leeway:                 time.Second,
	})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	var limiter ratelimit.Limiter
	if opts.serviceLimits != nil {
		if limiter, err = ratelimit.NewMemory(opts.serviceLimits, 1000); err != nil {
			t.Fatalf("service limiter: %v", err)
		}
	}
	srv, err := server.New(server.Config{
		Name:     "company",
		Logger:   slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(),
		Verifier: verifier,
		Limiter:  limiter,
		Audit:    &audit.MemorySink{},
	})
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	company := &fakeCompany{keys: keys, calls: map[string]int{}}
	companyv1.RegisterAuthServiceServer(srv.GRPC(), company)
	companyv1.RegisterCompanyServiceServer(srv.GRPC(), company)
	companyv1.RegisterLocationServiceServer(srv.GRPC(), company)
	companyv1.RegisterUserServiceServer(srv.GRPC(), company)
	if opts.clinical != nil {
		clinicalv1.RegisterPatientServiceServer(srv.GRPC(), opts.clinical)
	}
	if opts.prescribers != nil {
		clinicalv1.RegisterPrescriberServiceServer(srv.GRPC(), opts.prescribers)
	}
	if opts.events != nil {
		notifyv1.RegisterEventServiceServer(srv.GRPC(), opts.events)
	}
	if opts.orders != nil {
		ordersv1.RegisterOrderServiceServer(srv.GRPC(), opts.orders)
		ordersv1.RegisterPriceListServiceServer(srv.GRPC(), opts.orders)
	}
	if opts.services != nil {
		opts.services(srv.GRPC())
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis) }()

	env := map[string]string{
		"COMPANY_ADDR":         lis.Addr().String(),
		"CORS_ALLOWED_ORIGINS": "https://app.partner.example",
		"DOCS_DIR":             t.TempDir(),
		"MAX_BODY_BYTES":       "4096",
	}
	if opts.clinical != nil {
		env["CLINICAL_ADDR"] = lis.Addr().String()
	}
	if opts.events != nil {
		env["NOTIFY_ADDR"] = lis.Addr().String()
	}
	if opts.orders != nil {
		env["ORDERS_ADDR"] = lis.Addr().String()
	}
	for _, k := range opts.serviceAddrs {
		env[k] = lis.Addr().String()
	}
	for k, v := range opts.env {
		env[k] = v
	}
	e := config.FromMap(env)
	s := settings.Load(e)
	if err := e.Err(); err != nil {
		t.Fatalf("settings: %v", err)
	}
	set, err := backends.Dial(backends.All, s.Backends)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	var edgeLimiter ratelimit.Limiter
	if opts.edgeRedis == "" {
		edgeLimiter, err = ratelimit.NewMemory(ratelimit.Classes{edgelimit.Class: s.RateLimitEdge}, 1000)
	} else {
		var closeLimiter func()
		edgeLimiter, closeLimiter, err = ratelimit.Open(ratelimit.Classes{edgelimit.Class: s.RateLimitEdge}, ratelimit.Backend{RedisAddr: opts.edgeRedis})
		if err == nil {
			t.Cleanup(closeLimiter)
		}
	}
	if err != nil {
		t.Fatalf("edge limiter: %v", err)
	}
	logs := &syncBuffer{}
	metrics := prometheus.NewRegistry()
	handler, err := gateway.New(ctx, gateway.Deps{
		Settings: s,
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		Registry: metrics,
		Backends: set,
		Limiter:  edgeLimiter,
		OpenAPI:  openapi.Embedded(),
	})
	if err != nil {
		t.Fatalf("gateway: %v", err)
	}
	hs := httptest.NewServer(handler)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		hs.Close()
		set.Close()
		stop()
	})
	return &harness{t: t, keys: keys, company: company, srv: srv, http: hs, logs: logs, metrics: metrics, stop: stop}
}

// token mints an access token for a user of the test company with roles.
func (h *harness) token(roles ...string) string {
	return h.keys.Mint(authtest.Claims(uuid.NewString(), companyID, roles...))
}

// request is one HTTP call to the gateway.
type request struct {
	method  string
	path    string
	body    string
	token   string
	headers map[string]string
	// chunked sends the body without a Content-Length.
	chunked bool
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (h *harness) do(req request) response {
	h.t.Helper()
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
		if req.chunked {
			// Hiding the concrete type keeps net/http from learning the length.
			body = struct{ io.Reader }{body}
		}
	}
	r, err := http.NewRequest(req.method, h.http.URL+req.path, body)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	if req.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.token != "" {
		r.Header.Set("Authorization", "Bearer "+req.token)
	}
	for k, v := range req.headers {
		r.Header.Set(k, v)
	}
	resp, err := h.http.Client().Do(r)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("reading body: %v", err)
	}
	// Every FHIR answer is checked against the R4 definitions after the
	// tests (TestMain).
	fhirtest.RecordResponse(h.t.Name(), resp.Header, data)
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// errorBody decodes the REST error body, failing the test if the body is not
// exactly that shape.
func (r response) errorBody(t *testing.T) httperr.Body {
	t.Helper()
	var b httperr.Body
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("body is not the REST error body: %v\n%s", err, r.body)
	}
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", r.header.Get("Content-Type"))
	}
	return b
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns every JSON log record written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		out = append(out, m)
	}
	return out
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
