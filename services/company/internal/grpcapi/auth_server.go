package grpcapi

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// JWKSSource renders the published signing keys as a JWK Set, from a copy
// no older than maxAge.
type JWKSSource interface {
	JWKS(ctx context.Context, maxAge time.Duration) ([]byte, error)
}

// RegisterAuth adds AuthService and ApiKeyService to s, backed by a.
func RegisterAuth(s grpc.ServiceRegistrar, a *app.Application, keys JWKSSource) {
	companyv1.RegisterAuthServiceServer(s, NewAuthServer(a, keys))
	companyv1.RegisterApiKeyServiceServer(s, NewAPIKeyServer(a))
}

// AuthServer implements AuthService.
type AuthServer struct {
	companyv1.UnimplementedAuthServiceServer
	app  *app.Application
	keys JWKSSource
}

// NewAuthServer returns the AuthService handlers.
func NewAuthServer(a *app.Application, keys JWKSSource) *AuthServer {
	return &AuthServer{app: a, keys: keys}
}

// tokenType is the OAuth 2.0 token type of every access token.
const tokenType = "Bearer"

func tokenPairToProto(p app.TokenPair) *companyv1.TokenPair {
	out := &companyv1.TokenPair{
		AccessToken: p.Access.Token,
		TokenType:   tokenType,
		ExpiresIn:   seconds(p.Access.ExpireTime.Sub(p.Access.IssueTime)),
		SessionId:   p.SessionID,
	}
	if p.RefreshToken != "" {
		out.RefreshToken = p.RefreshToken
		out.RefreshExpiresIn = seconds(p.RefreshExpireTime.Sub(p.Access.IssueTime))
	}
	return out
}

func seconds(d time.Duration) int32 { return int32(max(d, 0) / time.Second) }

// Login implements AuthService.Login.
func (s *AuthServer) Login(ctx context.Context, req *companyv1.LoginRequest) (*companyv1.TokenPair, error) {
	ip, ua := clientOrigin(ctx)
	pair, err := s.app.Auth.Login(ctx, app.Login{
		CompanyCode: req.GetCompanyCode(),
		Email:       req.GetEmail(),
		Password:    req.GetPassword(),
		ClientIP:    ip,
		UserAgent:   ua,
	})
	if err != nil {
		return nil, err
	}
	return tokenPairToProto(pair), nil
}

// Refresh implements AuthService.Refresh.
func (s *AuthServer) Refresh(ctx context.Context, req *companyv1.RefreshRequest) (*companyv1.TokenPair, error) {
	pair, err := s.app.Auth.Refresh(ctx, req.GetRefreshToken())
	if err != nil {
		return nil, err
	}
	return tokenPairToProto(pair), nil
}

// Logout implements AuthService.Logout. Access tokens of the session stay
// valid until they expire (at most ACCESS_TOKEN_TTL).
func (s *AuthServer) Logout(ctx context.Context, _ *companyv1.LogoutRequest) (*companyv1.LogoutResponse, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.app.Auth.Logout(ctx, caller); err != nil {
		return nil, err
	}
	return &companyv1.LogoutResponse{}, nil
}

// ExchangeApiKey implements AuthService.ExchangeApiKey.
func (s *AuthServer) ExchangeApiKey(ctx context.Context, req *companyv1.ExchangeApiKeyRequest) (*companyv1.TokenPair, error) {
	pair, err := s.app.APIKeys.Exchange(ctx, req.GetApiKey())
	if err != nil {
		return nil, err
	}
	return tokenPairToProto(pair), nil
}

// WhoAmI implements AuthService.WhoAmI: the caller as its verified token
// describes it, after confirming that the session (or API key) behind the
// token has not been revoked since the token was issued.
func (s *AuthServer) WhoAmI(ctx context.Context, _ *companyv1.WhoAmIRequest) (*companyv1.WhoAmIResponse, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.app.Auth.CheckCaller(ctx, caller); err != nil {
		return nil, err
	}
	out := &companyv1.WhoAmIResponse{
		Subject:   caller.Subject,
		CompanyId: caller.CompanyID,
		Roles:     rolesToProto(rolesFromToken(caller.Roles)),
		Kind:      string(caller.Kind),
		SessionId: caller.SessionID,
	}
	if exp, ok := bearerExpiry(ctx); ok {
		out.ExpireTime = timestamppb.New(exp)
	}
	return out, nil
}

// GetJwks implements AuthService.GetJwks: the document served at
// /.well-known/jwks.json, as a message.
func (s *AuthServer) GetJwks(ctx context.Context, _ *companyv1.GetJwksRequest) (*companyv1.Jwks, error) {
	doc, err := s.keys.JWKS(ctx, 5*time.Second)
	if err != nil {
		return nil, err
	}
	out := &companyv1.Jwks{}
	// The JWK members (kty, kid, use, alg, n, e, crv, x) are the message's
	// JSON names; members the message lacks are dropped.
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(doc, out); err != nil {
		return nil, err
	}
	return out, nil
}

// rolesFromToken reads the roles claim. A name the API does not define
// (none is issued) becomes ROLE_UNSPECIFIED rather than disappearing.
func rolesFromToken(names []string) []domain.Role {
	out := make([]domain.Role, len(names))
	for i, n := range names {
		out[i] = domain.Role(n)
	}
	return out
}

// callerOf returns the authenticated caller; the interceptor chain
// guarantees one on every method that is not public.
func callerOf(ctx context.Context) (identity.Principal, error) {
	p, ok := identity.FromContext(ctx)
	if !ok {
		return identity.Principal{}, errs.Unauthenticated("missing credentials")
	}
	return p, nil
}

// bearerExpiry reads the exp claim of the call's bearer token. The
// authentication interceptor verified this exact header value before the
// handler ran (signature, issuer, audience, expiry), so reading it again
// without verification is only extracting a field; the principal it
// produced does not carry the expiry.
func bearerExpiry(ctx context.Context) (time.Time, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) == 0 {
		return time.Time{}, false
	}
	_, raw, ok := strings.Cut(values[0], " ")
	if !ok {
		return time.Time{}, false
	}
	claims := &auth.Claims{}
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(raw), claims); err != nil || claims.ExpiresAt == nil {
		return time.Time{}, false
	}
	return claims.ExpiresAt.Time, true
}

// clientOrigin describes the client for the session record: its address
// and user agent. Behind the REST gateway the peer is the gateway, so the
// last X-Forwarded-For hop (the one the gateway appended) is used when
// present. It is informational — an investigator's lead, never a security
// decision — because a direct gRPC caller can send any header it likes.
func clientOrigin(ctx context.Context) (ip, userAgent string) {
	md, _ := metadata.FromIncomingContext(ctx)
	if fwd := md.Get("x-forwarded-for"); len(fwd) > 0 {
		hops := strings.Split(fwd[len(fwd)-1], ",")
		ip = strings.TrimSpace(hops[len(hops)-1])
	}
	if ip == "" {
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			ip = p.Addr.String()
			if host, _, err := net.SplitHostPort(ip); err == nil {
				ip = host
			}
		}
	}
	for _, key := range []string{"grpcgateway-user-agent", "user-agent"} {
		if v := md.Get(key); len(v) > 0 {
			userAgent = v[0]
			break
		}
	}
	return ip, userAgent
}

// ChangePassword implements AuthService.ChangePassword.
func (s *AuthServer) ChangePassword(ctx context.Context, req *companyv1.ChangePasswordRequest) (*companyv1.ChangePasswordResponse, error) {
	revoked, err := s.app.Passwords.Change(ctx, app.ChangePassword{Current: req.GetCurrentPassword(), New: req.GetNewPassword()})
	if err != nil {
		return nil, err
	}
	return &companyv1.ChangePasswordResponse{RevokedSessions: int32(revoked)}, nil
}

// CompletePasswordReset implements AuthService.CompletePasswordReset.
func (s *AuthServer) CompletePasswordReset(ctx context.Context, req *companyv1.CompletePasswordResetRequest) (*companyv1.CompletePasswordResetResponse, error) {
	err := s.app.Passwords.CompleteReset(ctx, app.CompletePasswordReset{
		CompanyCode: req.GetCompanyCode(), Token: req.GetToken(), New: req.GetNewPassword(),
	})
	if err != nil {
		return nil, err
	}
	return &companyv1.CompletePasswordResetResponse{}, nil
}
