package server_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/server"
)

const companyA = "0190a000-0000-7000-8000-00000000000a"

func TestAuthenticationRejectsBadTokens(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	valid := func() *auth.Claims { return authtest.Claims(uuid.NewString(), companyA, "owner") }
	rogue := authtest.NewKey(t, "rogue")
	publicDER, err := x509.MarshalPKIXPublicKey(h.keys.Current().Private.Public())
	if err != nil {
		t.Fatal(err)
	}
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicDER})

	tests := []struct {
		name  string
		token func() string
	}{
		{"no token", func() string { return "" }},
		{"garbage", func() string { return "not.a.jwt" }},
		{"expired", func() string {
			c := valid()
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
			c.NotBefore = c.IssuedAt
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
			return h.keys.Mint(c)
		}},
		{"not yet valid", func() string {
			c := valid()
			c.NotBefore = jwt.NewNumericDate(time.Now().Add(time.Hour))
			return h.keys.Mint(c)
		}},
		{"issued in the future", func() string {
			c := valid()
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(time.Hour))
			return h.keys.Mint(c)
		}},
		{"no expiry", func() string {
			c := valid()
			c.ExpiresAt = nil
			return h.keys.Mint(c)
		}},
		{"wrong issuer", func() string {
			c := valid()
			c.Issuer = "https://evil.example"
			return h.keys.Mint(c)
		}},
		{"wrong audience", func() string {
			c := valid()
			c.Audience = jwt.ClaimStrings{"someone-else"}
			return h.keys.Mint(c)
		}},
		{"alg none", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, valid())
			tok.Header["kid"] = h.keys.Current().KeyID
			s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"HS256 signed with the public key", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, valid())
			tok.Header["kid"] = h.keys.Current().KeyID
			s, err := tok.SignedString(publicPEM)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"unknown kid", func() string { return authtest.Sign(t, rogue, valid()) }},
		{"known kid, wrong key", func() string {
			k := rogue
			k.KeyID = h.keys.Current().KeyID
			return authtest.Sign(t, k, valid())
		}},
		{"no kid", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, valid())
			s, err := tok.SignedString(h.keys.Current().Private)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"no tenant", func() string {
			c := valid()
			c.CompanyID = ""
			return h.keys.Mint(c)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tok := tc.token(); tok != "" {
				ctx = authtest.Bearer(tok)
			}
			_, err := h.client.GetWidget(ctx, &testingv1.GetWidgetRequest{Id: uuid.NewString()})
			if got := status.Code(err); got != codes.Unauthenticated {
				t.Fatalf("code = %v, want Unauthenticated (err %v)", got, err)
			}
		})
	}

	// The same server still accepts a good token.
	if _, err := h.client.GetWidget(authtest.Bearer(h.keys.Mint(valid())), &testingv1.GetWidgetRequest{Id: uuid.NewString()}); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
}

func TestRotatedKeyIsAcceptedWithoutRestart(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	old := h.keys.Current()
	ctx := authtest.Bearer(h.token(companyA, "owner"))
	if _, err := h.client.GetWidget(ctx, &testingv1.GetWidgetRequest{Id: uuid.NewString()}); err != nil {
		t.Fatalf("first key: %v", err)
	}

	rotated := h.keys.Rotate()
	if rotated.KeyID == old.KeyID {
		t.Fatalf("rotation kept kid %q", old.KeyID)
	}
	newToken := authtest.Sign(t, rotated, authtest.Claims(uuid.NewString(), companyA, "owner"))
	if _, err := h.client.GetWidget(authtest.Bearer(newToken), &testingv1.GetWidgetRequest{Id: uuid.NewString()}); err != nil {
		t.Fatalf("token signed with rotated key %s: %v", rotated.KeyID, err)
	}
	oldToken := authtest.Sign(t, old, authtest.Claims(uuid.NewString(), companyA, "owner"))
	if _, err := h.client.GetWidget(authtest.Bearer(oldToken), &testingv1.GetWidgetRequest{Id: uuid.NewString()}); err != nil {
		t.Fatalf("token signed with still-published key %s: %v", old.KeyID, err)
	}
}

func TestAuthorization(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	create := &testingv1.CreateWidgetRequest{Widget: &testingv1.Widget{DisplayName: "w", Email: "a@b.example", Quantity: 1}}
	tests := []struct {
		name  string
		roles []string
		call  func(context.Context) error
		want  codes.Code
	}{
		{"owner may write", []string{"owner"}, func(ctx context.Context) error {
			_, err := h.client.CreateWidget(ctx, create)
			return err
		}, codes.OK},
		{"auditor may read", []string{"auditor"}, func(ctx context.Context) error {
			_, err := h.client.GetWidget(ctx, &testingv1.GetWidgetRequest{Id: uuid.NewString()})
			return err
		}, codes.OK},
		{"auditor may not write", []string{"auditor"}, func(ctx context.Context) error {
			_, err := h.client.CreateWidget(ctx, create)
			return err
		}, codes.PermissionDenied},
		{"technician lacks widgets.read", []string{"technician"}, func(ctx context.Context) error {
			_, err := h.client.GetWidget(ctx, &testingv1.GetWidgetRequest{Id: uuid.NewString()})
			return err
		}, codes.PermissionDenied},
		{"unknown role grants nothing", []string{"superuser"}, func(ctx context.Context) error {
			_, err := h.client.GetWidget(ctx, &testingv1.GetWidgetRequest{Id: uuid.NewString()})
			return err
		}, codes.PermissionDenied},
		{"method without a rule is denied to an owner", []string{"owner"}, func(ctx context.Context) error {
			_, err := h.client.DeleteWidget(ctx, &testingv1.DeleteWidgetRequest{Id: "x"})
			return err
		}, codes.PermissionDenied},
		{"public method needs no role", nil, func(context.Context) error {
			_, err := h.client.Ping(context.Background(), &testingv1.PingRequest{})
			return err
		}, codes.OK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(authtest.Bearer(h.token(companyA, tc.roles...)))
			if got := status.Code(err); got != tc.want {
				t.Fatalf("code = %v, want %v (err %v)", got, tc.want, err)
			}
		})
	}
}

func TestEveryProbeMethodExceptTheDeliberateOneHasARule(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	policy, err := auth.PolicyFor(h.srv.GRPC())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/ariesone.testing.v1.ProbeService/DeleteWidget"}
	if diff := cmp.Diff(want, policy.Unruled()); diff != "" {
		t.Fatalf("unruled methods (-want +got):\n%s", diff)
	}
	for _, m := range []string{"/grpc.health.v1.Health/Check", "/ariesone.testing.v1.ProbeService/Ping"} {
		if r, ok := policy.Rule(m); !ok || !r.Public {
			t.Errorf("%s: rule %+v, want public", m, r)
		}
	}
	if r, _ := policy.Rule("/ariesone.testing.v1.ProbeService/GetWidget"); r.RateClass != "read" {
		t.Errorf("GetWidget rate class = %q, want read", r.RateClass)
	}
}

func TestValidationReportsEveryFieldInOneBadRequest(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	_, err := h.client.CreateWidget(authtest.Bearer(h.token(companyA, "owner")), &testingv1.CreateWidgetRequest{
		Widget:    &testingv1.Widget{DisplayName: "", Email: "not-an-email", Quantity: 0},
		RequestId: "not-a-uuid",
	})
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v, want InvalidArgument (%v)", st.Code(), err)
	}
	var badRequests int
	for _, d := range st.Details() {
		if _, ok := d.(*errdetails.BadRequest); ok {
			badRequests++
		}
	}
	if badRequests != 1 {
		t.Fatalf("BadRequest details = %d, want exactly 1", badRequests)
	}
	var fields []string
	for _, v := range grpcerr.FieldViolations(st) {
		fields = append(fields, v.Field)
		if v.Description == "" {
			t.Errorf("field %s has no description", v.Field)
		}
	}
	want := []string{"widget.displayName", "widget.email", "widget.quantity", "requestId"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Fatalf("violated fields (-want +got):\n%s", diff)
	}

	_, err = h.client.CreateWidget(authtest.Bearer(h.token(companyA, "owner")), &testingv1.CreateWidgetRequest{})
	if got := status.Code(err); got != codes.InvalidArgument {
		t.Fatalf("missing required widget: code = %v, want InvalidArgument", got)
	}
}

func TestRateLimitPerPrincipal(t *testing.T) {
	limiter, err := ratelimit.NewMemory(ratelimit.Classes{
		"read":    {Rate: 0.5, Burst: 3},
		"default": {Rate: 100, Burst: 100},
	}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{limiter: limiter})
	alice := authtest.Bearer(h.token(companyA, "owner"))
	bob := authtest.Bearer(h.token(companyA, "owner"))
	get := func(ctx context.Context) error {
		_, err := h.client.GetWidget(ctx, &testingv1.GetWidgetRequest{Id: uuid.NewString()})
		return err
	}
	for i := 0; i < 3; i++ {
		if err := get(alice); err != nil {
			t.Fatalf("call %d within burst: %v", i+1, err)
		}
	}
	var header metadata.MD
	_, err = h.client.GetWidget(alice, &testingv1.GetWidgetRequest{Id: uuid.NewString()}, grpc.Header(&header))
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("call over burst: code = %v, want ResourceExhausted", st.Code())
	}
	var retry *errdetails.RetryInfo
	for _, d := range st.Details() {
		if r, ok := d.(*errdetails.RetryInfo); ok {
			retry = r
		}
	}
	if retry == nil || retry.GetRetryDelay().AsDuration() <= 0 {
		t.Fatalf("RetryInfo = %v, want a positive retry delay", retry)
	}
	if got := header.Get("retry-after"); len(got) != 1 || got[0] == "0" {
		t.Errorf("retry-after header = %q, want a positive number of seconds", got)
	}
	if err := get(bob); err != nil {
		t.Fatalf("another principal was limited too: %v", err)
	}
}

func TestPanicIsMaskedAndServerKeepsServing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	_, err := h.client.Explode(authtest.Bearer(h.token(companyA, "owner")), &testingv1.ExplodeRequest{})
	st := status.Convert(err)
	if st.Code() != codes.Internal {
		t.Fatalf("code = %v, want Internal", st.Code())
	}
	if st.Message() != grpcerr.MaskedMessage || strings.Contains(st.Message(), "boom") {
		t.Fatalf("message %q leaks handler detail", st.Message())
	}
	if _, err := h.client.Ping(context.Background(), &testingv1.PingRequest{}); err != nil {
		t.Fatalf("server stopped serving after a panic: %v", err)
	}
}

func TestRequestIDIsPropagatedOrAssigned(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", "partner-req-42")
	var header metadata.MD
	resp, err := h.client.Ping(ctx, &testingv1.PingRequest{}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetRequestId() != "partner-req-42" || header.Get("x-request-id")[0] != "partner-req-42" {
		t.Fatalf("request id not propagated: body %q header %q", resp.GetRequestId(), header.Get("x-request-id"))
	}
	forged := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", "bad id\" injected")
	resp, err = h.client.Ping(forged, &testingv1.PingRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := uuid.Parse(resp.GetRequestId()); err != nil {
		t.Fatalf("forged request id was kept: %q", resp.GetRequestId())
	}
}

func TestHealthNeedsNoCredentials(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp, err := healthpb.NewHealthClient(h.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health = %v, want SERVING", resp.GetStatus())
	}
}

func TestOneAuditRecordPerCallIncludingDenied(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	owner := h.token(companyA, "owner")
	widgetID := uuid.NewString()
	calls := []struct {
		do   func() error
		code string
	}{
		{func() error {
			_, err := h.client.GetWidget(authtest.Bearer(owner), &testingv1.GetWidgetRequest{Id: widgetID})
			return err
		}, "OK"},
		{func() error {
			_, err := h.client.GetWidget(context.Background(), &testingv1.GetWidgetRequest{Id: widgetID})
			return err
		}, "UNAUTHENTICATED"},
		{func() error {
			_, err := h.client.DeleteWidget(authtest.Bearer(owner), &testingv1.DeleteWidgetRequest{Id: widgetID})
			return err
		}, "PERMISSION_DENIED"},
		{func() error {
			_, err := h.client.CreateWidget(authtest.Bearer(owner), &testingv1.CreateWidgetRequest{})
			return err
		}, "INVALID_ARGUMENT"},
		{func() error {
			_, err := h.client.GetWidget(authtest.Bearer(owner), &testingv1.GetWidgetRequest{Id: missingWidget})
			return err
		}, "NOT_FOUND"},
		{func() error {
			_, err := h.client.Explode(authtest.Bearer(owner), &testingv1.ExplodeRequest{})
			return err
		}, "INTERNAL"},
		{func() error { _, err := h.client.Ping(context.Background(), &testingv1.PingRequest{}); return err }, "OK"},
	}
	for _, c := range calls {
		_ = c.do()
	}
	// A health check is infrastructure, not business: it is not audited.
	_, _ = healthpb.NewHealthClient(h.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})

	records := h.audit.Records()
	if len(records) != len(calls) {
		t.Fatalf("audit records = %d, want %d (one per call)", len(records), len(calls))
	}
	var codesGot, codesWant []string
	for i, r := range records {
		codesGot = append(codesGot, r.Code)
		codesWant = append(codesWant, calls[i].code)
		if r.RequestID == "" || r.Method == "" || r.ClientAddr == "" || r.Time.IsZero() {
			t.Errorf("record %d incomplete: %+v", i, r)
		}
	}
	if diff := cmp.Diff(codesWant, codesGot); diff != "" {
		t.Fatalf("audited outcomes (-want +got):\n%s", diff)
	}
	first := records[0]
	if first.Actor == "" || first.CompanyID != companyA || first.ActorKind != "user" {
		t.Errorf("authenticated call lacks actor or tenant: %+v", first)
	}
	if first.Resources["id"] != widgetID {
		t.Errorf("resources = %v, want id %s", first.Resources, widgetID)
	}
	if denied := records[2]; denied.Actor == "" {
		t.Errorf("denied call lost its actor: %+v", denied)
	}
	if anon := records[1]; anon.Actor != "" {
		t.Errorf("unauthenticated call has an actor: %+v", anon)
	}
}

// A create that answered with a replay says so in its response header, and
// a creation does not: clients tell a retry's answer from a new record.
func TestReplayedCreateIsMarked(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := authtest.Bearer(h.token(companyA, "owner"))
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"new widget", nil},
		{replayedWidget, []string{"true"}},
	} {
		var header metadata.MD
		_, err := h.client.CreateWidget(ctx, &testingv1.CreateWidgetRequest{
			Widget: &testingv1.Widget{DisplayName: tc.name, Email: "a@example.com", Quantity: 1},
		}, grpc.Header(&header))
		if err != nil {
			t.Fatal(err)
		}
		if got := header.Get(server.HeaderReplayed); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %s = %q, want %q", tc.name, server.HeaderReplayed, got, tc.want)
		}
	}
}
