package auth

import (
	"context"
	"strings"

	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/identity"
)

// TokenVerifier turns a bearer token into a principal. *Verifier implements
// it; the interface lets company verify its own tokens without fetching its
// own JWKS over HTTP.
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (identity.Principal, error)
}

var _ TokenVerifier = (*Verifier)(nil)

// RevocationChecker refuses principals whose token was revoked after it
// was issued (a logout, a deactivation, a role change, a revoked key);
// platform/revocation's Set implements it.
type RevocationChecker interface {
	Check(p identity.Principal) error
}

// Guard authenticates and authorizes calls against a Policy. The policy is
// set after services are registered (SetPolicy), before serving starts; until
// then every call is denied.
type Guard struct {
	verifier    TokenVerifier
	revocations RevocationChecker
	policy      *Policy
}

// NewGuard returns a Guard that verifies tokens with v and, when
// revocations is not nil, refuses the revoked ones: a signature proves a
// token was issued, not that its authority still stands.
func NewGuard(v TokenVerifier, revocations RevocationChecker) *Guard {
	return &Guard{verifier: v, revocations: revocations}
}

// SetPolicy installs the method rules. It must be called before serving.
func (g *Guard) SetPolicy(p *Policy) { g.policy = p }

// Rule returns the rule of a method (for rate-limit classes and tests).
func (g *Guard) Rule(fullMethod string) (Rule, bool) {
	if g.policy == nil {
		return Rule{}, false
	}
	return g.policy.Rule(fullMethod)
}

// Authenticate verifies the bearer token of a call to a non-public method and
// puts the principal into the context. Public methods need no token; a token
// sent to one is ignored rather than verified, so a stale token never locks a
// user out of Login.
func (g *Guard) Authenticate(ctx context.Context, fullMethod string) (context.Context, error) {
	if r, ok := g.Rule(fullMethod); ok && r.Public {
		return ctx, nil
	}
	raw, err := bearerToken(ctx)
	if err != nil {
		return ctx, err
	}
	p, err := g.verifier.Verify(ctx, raw)
	if err != nil {
		return ctx, err
	}
	if g.revocations != nil {
		if err := g.revocations.Check(p); err != nil {
			return ctx, err
		}
	}
	return identity.NewContext(ctx, p), nil
}

// Authorize checks the method's rule against the principal's roles. A method
// without a rule is denied to everyone, owners included (fail closed).
func (g *Guard) Authorize(ctx context.Context, fullMethod string) error {
	r, ok := g.Rule(fullMethod)
	if !ok {
		return errs.PermissionDenied("method has no access rule")
	}
	if r.Public {
		return nil
	}
	p, ok := identity.FromContext(ctx)
	if !ok {
		return errs.Unauthenticated("missing credentials")
	}
	if r.PeopleOnly && p.Kind != identity.KindUser {
		e := errs.PermissionDenied("only a person's own session may call this; API keys and services may not")
		e.Reason = ReasonPeopleOnly
		return e
	}
	if !Permits(p.Roles, r.Permission) {
		return errs.PermissionDenied("role does not grant "+r.Permission).With("permission", r.Permission)
	}
	return nil
}

// ReasonPeopleOnly is the reason of a refusal by a people-only rule.
const ReasonPeopleOnly = "PEOPLE_ONLY"

func bearerToken(ctx context.Context) (string, error) {
	// One key, read without copying the whole incoming metadata.
	values := metadata.ValueFromIncomingContext(ctx, "authorization")
	if len(values) == 0 {
		return "", errs.Unauthenticated("missing credentials")
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(token) == "" {
		return "", errs.Unauthenticated("authorization must be a bearer token")
	}
	return strings.TrimSpace(token), nil
}

// UnaryServerInterceptor authenticates then authorizes every unary call.
func (g *Guard) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := g.check(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor authenticates then authorizes every stream.
func (g *Guard) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := g.check(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		wrapped := wrapStream(ss, ctx)
		return handler(srv, wrapped)
	}
}

func (g *Guard) check(ctx context.Context, fullMethod string) (context.Context, error) {
	ctx, err := g.Authenticate(ctx, fullMethod)
	if err != nil {
		return ctx, grpcerr.ToStatus(err).Err()
	}
	if err := g.Authorize(ctx, fullMethod); err != nil {
		return ctx, grpcerr.ToStatus(err).Err()
	}
	return ctx, nil
}

func wrapStream(ss grpc.ServerStream, ctx context.Context) grpc.ServerStream {
	w := middleware.WrapServerStream(ss)
	w.WrappedContext = ctx
	return w
}
