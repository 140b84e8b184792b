package grpcapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/gate"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/server"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/services/company/internal/authn"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
	"github.com/ariesone/ariesone/services/company/internal/grpcapi"
)

const (
	rpcCompanyCode = "acme-medical"
	rpcOwnerEmail  = "owner@acme.test"
	rpcPassword    = "correct horse battery staple"
)

// syncBuffer is a log sink the server's goroutines may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// authHarness is AuthService and ApiKeyService, with the directory's
// services beside them, on a loopback port behind the full platform chain,
// with company's own verifier, on a fresh database: the service as it
// runs. Every log line (access log, audit) goes to logs; events go to
// env.Events.
type authHarness struct {
	env       *authntest.Env
	companyID string
	ownerID   string
	logs      *syncBuffer
	srv       *server.Server
	auth      companyv1.AuthServiceClient
	keys      companyv1.ApiKeyServiceClient
	locations companyv1.LocationServiceClient
	users     companyv1.UserServiceClient
}

func newAuthHarness(t *testing.T) *authHarness {
	t.Helper()
	return newAuthHarnessWith(t, authHarnessConfig{})
}

// authHarnessConfig varies the harness.
type authHarnessConfig struct {
	// sink receives the server's audit records; nil means the log.
	sink func(*authntest.Env) audit.Sink
	// env configures the stack.
	env authntest.Options
}

func newAuthHarnessWith(t *testing.T, cfg authHarnessConfig) *authHarness {
	t.Helper()
	sink := cfg.sink
	ctx, cancel := context.WithCancel(context.Background())
	h := &authHarness{env: authntest.New(t, cfg.env), logs: &syncBuffer{}}
	h.companyID = h.env.SeedCompany(t, rpcCompanyCode, "active")
	h.ownerID = h.env.SeedUser(t, h.companyID, rpcOwnerEmail, rpcPassword, "owner")

	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	verifier, err := authn.NewVerifier(ctx, h.env.KeySet, authn.VerifierConfig{
		Issuer: authntest.Issuer, Audience: authntest.Audience, UnknownKIDRefreshFloor: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	var auditSink audit.Sink = audit.LogSink{Logger: logger}
	if sink != nil {
		auditSink = sink(h.env)
	}
	h.srv, err = server.New(server.Config{
		Name:     "company",
		Logger:   logger,
		Registry: prometheus.NewRegistry(),
		Verifier: verifier,
		Audit:    auditSink,
	})
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	grpcapi.RegisterAuth(h.srv.GRPC(), h.env.App, h.env.KeySet)
	grpcapi.RegisterDirectory(h.srv.GRPC(), h.env.App)
	t.Cleanup(cancel)
	conn := servertest.Start(t, h.srv)
	h.auth = companyv1.NewAuthServiceClient(conn)
	h.keys = companyv1.NewApiKeyServiceClient(conn)
	h.locations = companyv1.NewLocationServiceClient(conn)
	h.users = companyv1.NewUserServiceClient(conn)
	return h
}

func (h *authHarness) login(t *testing.T) *companyv1.TokenPair {
	t.Helper()
	pair, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail, Password: rpcPassword})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return pair
}

func wantAuthCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Errorf("%s: code %s (%v), want %s", what, got, err, code)
	}
}

func TestAuthRPCEveryMethodHasARule(t *testing.T) {
	h := newAuthHarness(t)
	policy, err := auth.PolicyFor(h.srv.GRPC())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string(nil), policy.Unruled()); diff != "" {
		t.Errorf("methods without an access rule (-want +got):\n%s", diff)
	}
}

func TestAuthRPCLoginWhoAmILogout(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	pair := h.login(t)
	if pair.GetTokenType() != "Bearer" || pair.GetExpiresIn() != 900 || pair.GetRefreshToken() == "" || pair.GetSessionId() == "" {
		t.Errorf("token pair %v: want a Bearer token for 900s with a refresh token and session", pair)
	}
	if got := pair.GetRefreshExpiresIn(); got < 1790 || got > 1800 {
		t.Errorf("refresh_expires_in = %d, want the 30-minute idle timeout", got)
	}

	me, err := h.auth.WhoAmI(authtest.Bearer(pair.GetAccessToken()), &companyv1.WhoAmIRequest{})
	if err != nil {
		t.Fatalf("WhoAmI: %v", err)
	}
	want := &companyv1.WhoAmIResponse{
		Subject:   h.ownerID,
		CompanyId: h.companyID,
		Roles:     []companyv1.Role{companyv1.Role_ROLE_OWNER},
		Kind:      "user",
		SessionId: pair.GetSessionId(),
	}
	if diff := cmp.Diff(want, me, protocmp.Transform(), protocmp.IgnoreFields(&companyv1.WhoAmIResponse{}, "expire_time")); diff != "" {
		t.Errorf("WhoAmI (-want +got):\n%s", diff)
	}
	if left := time.Until(me.GetExpireTime().AsTime()); left < 14*time.Minute || left > 15*time.Minute {
		t.Errorf("WhoAmI expire_time is %v away, want about 15m", left)
	}

	_, err = h.auth.WhoAmI(context.Background(), &companyv1.WhoAmIRequest{})
	wantAuthCode(t, "WhoAmI without a token", err, codes.Unauthenticated)
	_, err = h.auth.WhoAmI(authtest.Bearer(pair.GetAccessToken()+"x"), &companyv1.WhoAmIRequest{})
	wantAuthCode(t, "WhoAmI with a tampered token", err, codes.Unauthenticated)

	if _, err := h.auth.Logout(authtest.Bearer(pair.GetAccessToken()), &companyv1.LogoutRequest{}); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	_, err = h.auth.WhoAmI(authtest.Bearer(pair.GetAccessToken()), &companyv1.WhoAmIRequest{})
	wantAuthCode(t, "WhoAmI after logout", err, codes.Unauthenticated)
	_, err = h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: pair.GetRefreshToken()})
	wantAuthCode(t, "Refresh after logout", err, codes.Unauthenticated)
}

func TestAuthRPCLoginRefusals(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	tests := []struct {
		name string
		req  *companyv1.LoginRequest
		want codes.Code
	}{
		{"wrong password", &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail, Password: "not the password"}, codes.Unauthenticated},
		{"unknown company", &companyv1.LoginRequest{CompanyCode: "nobody-dme", Email: rpcOwnerEmail, Password: rpcPassword}, codes.Unauthenticated},
		{"malformed company code", &companyv1.LoginRequest{CompanyCode: "Acme Medical", Email: rpcOwnerEmail, Password: rpcPassword}, codes.InvalidArgument},
		{"empty password", &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail}, codes.InvalidArgument},
	}
	for _, tc := range tests {
		_, err := h.auth.Login(context.Background(), tc.req)
		wantAuthCode(t, tc.name, err, tc.want)
	}
}

func TestAuthRPCRefreshAndReplay(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	first := h.login(t)
	second, err := h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: first.GetRefreshToken()})
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if second.GetSessionId() != first.GetSessionId() || second.GetRefreshToken() == first.GetRefreshToken() {
		t.Errorf("refresh returned %v after %v: want a new refresh token in the same session", second, first)
	}
	if _, err := h.auth.WhoAmI(authtest.Bearer(second.GetAccessToken()), &companyv1.WhoAmIRequest{}); err != nil {
		t.Fatalf("WhoAmI with the refreshed token: %v", err)
	}

	_, err = h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: first.GetRefreshToken()})
	wantAuthCode(t, "replayed refresh token", err, codes.Unauthenticated)
	_, err = h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: second.GetRefreshToken()})
	wantAuthCode(t, "newest refresh token after the replay", err, codes.Unauthenticated)
	_, err = h.auth.WhoAmI(authtest.Bearer(second.GetAccessToken()), &companyv1.WhoAmIRequest{})
	wantAuthCode(t, "WhoAmI in the revoked session", err, codes.Unauthenticated)
}

func TestAuthRPCAPIKeyExchangeAndUse(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	owner := authtest.Bearer(h.login(t).GetAccessToken())

	created, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
		ApiKey:    &companyv1.ApiKey{ClientName: "Acme Billing", Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}},
		RequestId: "0195f3a2-0000-7000-8000-0000000000aa",
	})
	if err != nil {
		t.Fatalf("CreateApiKey: %v", err)
	}
	key := created.GetApiKey()
	want := &companyv1.ApiKey{
		Id: key.GetId(), ClientName: "Acme Billing", Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER},
		Prefix: created.GetSecret()[:len("ak_live_")+32], CreateTime: key.GetCreateTime(), CreatorUserId: h.ownerID,
	}
	if diff := cmp.Diff(want, key, protocmp.Transform()); diff != "" {
		t.Errorf("created key (-want +got):\n%s", diff)
	}

	// A retry of the create shows the key but not the secret.
	retry, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
		ApiKey:    &companyv1.ApiKey{ClientName: "Acme Billing", Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}},
		RequestId: "0195f3a2-0000-7000-8000-0000000000aa",
	})
	if err != nil {
		t.Fatalf("CreateApiKey retry: %v", err)
	}
	if diff := cmp.Diff(&companyv1.CreateApiKeyResponse{ApiKey: key}, retry, protocmp.Transform()); diff != "" {
		t.Errorf("retry (-want +got):\n%s", diff)
	}

	_, err = h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
		ApiKey: &companyv1.ApiKey{ClientName: "x", Roles: []companyv1.Role{companyv1.Role_ROLE_OWNER}},
	})
	wantAuthCode(t, "key with the owner role", err, codes.InvalidArgument)

	pair, err := h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: created.GetSecret()})
	if err != nil {
		t.Fatalf("ExchangeApiKey: %v", err)
	}
	if pair.GetRefreshToken() != "" || pair.GetSessionId() != "" || pair.GetRefreshExpiresIn() != 0 || pair.GetExpiresIn() != 900 {
		t.Errorf("exchange pair %v: want a 900s access token only", pair)
	}
	partner := authtest.Bearer(pair.GetAccessToken())
	me, err := h.auth.WhoAmI(partner, &companyv1.WhoAmIRequest{})
	if err != nil {
		t.Fatalf("WhoAmI as the key: %v", err)
	}
	wantMe := &companyv1.WhoAmIResponse{Subject: key.GetId(), CompanyId: h.companyID, Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}, Kind: "api_key"}
	if diff := cmp.Diff(wantMe, me, protocmp.Transform(), protocmp.IgnoreFields(&companyv1.WhoAmIResponse{}, "expire_time")); diff != "" {
		t.Errorf("WhoAmI as the key (-want +got):\n%s", diff)
	}
	_, err = h.auth.Logout(partner, &companyv1.LogoutRequest{})
	wantAuthCode(t, "Logout as a key", err, codes.FailedPrecondition)
	_, err = h.keys.ListApiKeys(partner, &companyv1.ListApiKeysRequest{})
	wantAuthCode(t, "partner lists keys", err, codes.PermissionDenied)

	list, err := h.keys.ListApiKeys(owner, &companyv1.ListApiKeysRequest{})
	if err != nil {
		t.Fatalf("ListApiKeys: %v", err)
	}
	if len(list.GetApiKeys()) != 1 || list.GetApiKeys()[0].GetLastUsedTime() == nil {
		t.Errorf("list %v: want the key with its last use", list)
	}

	revoked, err := h.keys.RevokeApiKey(owner, &companyv1.RevokeApiKeyRequest{Id: key.GetId()})
	if err != nil || revoked.GetRevokeTime() == nil {
		t.Fatalf("RevokeApiKey = %v, %v", revoked, err)
	}
	_, err = h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: created.GetSecret()})
	wantAuthCode(t, "exchange of a revoked key", err, codes.Unauthenticated)
	_, err = h.keys.GetApiKey(owner, &companyv1.GetApiKeyRequest{Id: "0195f3a2-0000-7000-8000-00000000dead"})
	wantAuthCode(t, "unknown key", err, codes.NotFound)
}

func TestAuthRPCGetJwksIsPublic(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	current, err := h.env.KeySet.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := h.auth.GetJwks(context.Background(), &companyv1.GetJwksRequest{})
	if err != nil {
		t.Fatalf("GetJwks without credentials: %v", err)
	}
	if len(jwks.GetKeys()) != 1 {
		t.Fatalf("keys %v, want one", jwks)
	}
	want := &companyv1.Jwk{Kty: "RSA", Kid: current.KeyID, Use: "sig", Alg: "RS256", N: jwks.GetKeys()[0].GetN(), E: "AQAB"}
	if diff := cmp.Diff(want, jwks.GetKeys()[0], protocmp.Transform()); diff != "" || want.N == "" {
		t.Errorf("key (-want +got):\n%s", diff)
	}
}

// TestAuthRPCLogsNoSecrets runs every credential flow with the server
// logging at debug level, then looks for each secret in what was logged.
func TestAuthRPCLogsNoSecrets(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	_, _ = h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail, Password: "a wrong password 123"})
	pair := h.login(t)
	refreshed, err := h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: pair.GetRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: pair.GetRefreshToken()}) // replay
	owner := authtest.Bearer(h.login(t).GetAccessToken())
	created, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
		ApiKey: &companyv1.ApiKey{ClientName: "Partner", Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}, ExpireTime: timestamppb.New(time.Now().Add(time.Hour))},
	})
	if err != nil {
		t.Fatal(err)
	}
	exchanged, err := h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: created.GetSecret()})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: created.GetSecret()[:60] + "wrongwrongwrongwrongwrongx"})
	if _, err := h.auth.WhoAmI(authtest.Bearer(exchanged.GetAccessToken()), &companyv1.WhoAmIRequest{}); err != nil {
		t.Fatal(err)
	}

	logs := h.logs.String()
	if !strings.Contains(logs, "Login") || !strings.Contains(logs, "ExchangeApiKey") {
		t.Fatalf("the calls were not logged at all; the test would prove nothing:\n%s", logs)
	}
	secrets := map[string]string{
		"password":                rpcPassword,
		"wrong password":          "a wrong password 123",
		"access token":            pair.GetAccessToken(),
		"refresh token":           pair.GetRefreshToken(),
		"rotated refresh token":   refreshed.GetRefreshToken(),
		"API key":                 created.GetSecret(),
		"API key secret part":     created.GetSecret()[41:],
		"exchanged access token":  exchanged.GetAccessToken(),
		"access token signature":  pair.GetAccessToken()[strings.LastIndex(pair.GetAccessToken(), ".")+1:],
		"refresh token secret":    pair.GetRefreshToken()[3:],
		"exchanged token payload": strings.Split(exchanged.GetAccessToken(), ".")[1],
	}
	for name, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
}

// An API key, even an admin's, cannot mint an identity: creating a user,
// setting roles and creating a key are people-only in their method rules,
// so a leaked or revoked key cannot leave behind a user or key of its own.
func TestAuthRPCKeysCannotMintIdentities(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	owner := authtest.Bearer(h.login(t).GetAccessToken())
	created, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
		ApiKey: &companyv1.ApiKey{ClientName: "Acme Admin Robot", Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN}},
	})
	if err != nil {
		t.Fatalf("CreateApiKey: %v", err)
	}
	pair, err := h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: created.GetSecret()})
	if err != nil {
		t.Fatalf("ExchangeApiKey: %v", err)
	}
	admin := authtest.Bearer(pair.GetAccessToken())

	_, err = h.users.CreateUser(admin, &companyv1.CreateUserRequest{User: &companyv1.User{
		Email: "mallory@acme.example", GivenName: "Mal", FamilyName: "Lory", Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN},
	}, Password: "a password the key chose"})
	grpcerrtest.WantReason(t, err, codes.PermissionDenied, auth.ReasonPeopleOnly)
	_, err = h.users.SetUserRoles(admin, &companyv1.SetUserRolesRequest{Id: h.ownerID, Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN}})
	grpcerrtest.WantReason(t, err, codes.PermissionDenied, auth.ReasonPeopleOnly)
	_, err = h.keys.CreateApiKey(admin, &companyv1.CreateApiKeyRequest{
		ApiKey: &companyv1.ApiKey{ClientName: "Child", Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}},
	})
	grpcerrtest.WantReason(t, err, codes.PermissionDenied, auth.ReasonPeopleOnly)

	// What the admin key's roles allow otherwise still works.
	if _, err := h.users.ListUsers(admin, &companyv1.ListUsersRequest{}); err != nil {
		t.Errorf("ListUsers as the admin key: %v", err)
	}
	// The owner, a person, may do all three.
	if _, err := h.users.SetUserRoles(owner, &companyv1.SetUserRolesRequest{Id: h.ownerID, Roles: []companyv1.Role{companyv1.Role_ROLE_OWNER}}); err != nil {
		t.Errorf("SetUserRoles as the owner: %v", err)
	}
}

// Sign-ins beyond the password gate's bound wait for a turn and are then
// refused with RESOURCE_EXHAUSTED and a retry delay (429 and Retry-After over
// REST), not queued without end; a turn given back admits the next one.
func TestAuthRPCSignInsBeyondThePasswordGateAreRefused(t *testing.T) {
	t.Parallel()
	g, err := gate.New("sign-ins", 1, 20*time.Millisecond, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	h := newAuthHarnessWith(t, authHarnessConfig{env: authntest.Options{PasswordGate: g}})
	held, err := g.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail, Password: rpcPassword})
	grpcerrtest.WantReason(t, err, codes.ResourceExhausted, gate.ReasonBusy)
	var delay time.Duration
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if delay != time.Second {
		t.Errorf("retry delay %v, want 1s", delay)
	}
	held()
	h.login(t)
	if g.InUse() != 0 {
		t.Errorf("%d turns still taken after the sign-in", g.InUse())
	}
}
