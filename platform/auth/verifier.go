package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/time/rate"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
)

// Algorithms is the allow-list of signature algorithms. "none" and every HMAC
// algorithm are absent on purpose: an HMAC token "signed" with the public key
// must never verify.
var Algorithms = []string{"RS256", "EdDSA"}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// JWKSURL is company's key set, for example
	// "http://company:8080/.well-known/jwks.json".
	JWKSURL string
	// Issuer and Audience every token must carry.
	Issuer   string
	Audience string
	// Leeway tolerated on exp, nbf and iat for clock skew (default 30s).
	Leeway time.Duration
	// RefreshInterval re-reads the key set in the background (default 10m).
	RefreshInterval time.Duration
	// UnknownKIDRefreshFloor is the minimum time between two refreshes
	// triggered by an unknown key id, so a flood of forged kids cannot turn
	// into a flood of requests to company (default 30s).
	UnknownKIDRefreshFloor time.Duration
	// CacheSize bounds the verified-token cache (default 10000).
	CacheSize int
	// CacheTTL caps how long a verified token is trusted without
	// re-verifying, whatever its exp (default 5m).
	CacheTTL time.Duration
	// HTTPClient fetches the key set (default: 10s timeout).
	HTTPClient *http.Client
}

// Verifier checks access tokens. Verified tokens are cached by their SHA-256
// so the hot path costs a hash and a map lookup, not an RSA verification.
type Verifier struct {
	parser *jwt.Parser
	keys   keyfunc.Keyfunc
	cache  *expirable.LRU[[32]byte, cachedToken]
	now    func() time.Time
	leeway time.Duration
}

type cachedToken struct {
	principal identity.Principal
	expires   time.Time
}

// NewVerifier starts a Verifier whose key set refreshes in the background
// until ctx ends. The first fetch failing is not fatal: company may start
// after the service, and an unknown kid triggers a fetch.
func NewVerifier(ctx context.Context, cfg VerifierConfig) (*Verifier, error) {
	if cfg.JWKSURL == "" || cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("auth: JWKS URL, issuer and audience are required")
	}
	cfg = withDefaults(cfg)
	noErr := true
	keys, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
		Client:                    cfg.HTTPClient,
		HTTPTimeout:               10 * time.Second,
		NoErrorReturnFirstHTTPReq: &noErr,
		// Bounds both the wait for the refresh floor and the fetch that
		// follows (the library shares one deadline). Waiting for the floor
		// fails at once when it would end past this bound, so an unknown kid
		// inside a 30s floor is rejected immediately, while a permitted
		// refresh still has time to fetch the rotated key.
		RateLimitWaitMax:        5 * time.Second,
		RefreshInterval:         cfg.RefreshInterval,
		RefreshUnknownKID:       rate.NewLimiter(rate.Every(cfg.UnknownKIDRefreshFloor), 1),
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) { return func(context.Context, error) {} },
	})
	if err != nil {
		return nil, fmt.Errorf("auth: key set: %w", err)
	}
	return newVerifier(cfg, keys), nil
}

func withDefaults(cfg VerifierConfig) VerifierConfig {
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = 10 * time.Minute
	}
	if cfg.UnknownKIDRefreshFloor == 0 {
		cfg.UnknownKIDRefreshFloor = 30 * time.Second
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 10000
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return cfg
}

func newVerifier(cfg VerifierConfig, keys keyfunc.Keyfunc) *Verifier {
	return &Verifier{
		parser: jwt.NewParser(
			jwt.WithValidMethods(Algorithms),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.Audience),
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		),
		keys:   keys,
		cache:  expirable.NewLRU[[32]byte, cachedToken](cfg.CacheSize, nil, cfg.CacheTTL),
		now:    time.Now,
		leeway: cfg.Leeway,
	}
}

// Verify checks a raw token and returns its principal, or an
// errs.Unauthenticated error whose message is safe for clients.
func (v *Verifier) Verify(ctx context.Context, raw string) (identity.Principal, error) {
	sum := sha256.Sum256([]byte(raw))
	if c, ok := v.cache.Get(sum); ok {
		if v.now().Before(c.expires.Add(v.leeway)) {
			return withOwnRoles(c.principal), nil
		}
		v.cache.Remove(sum)
	}
	p, expires, err := v.verifySignature(ctx, raw)
	if err != nil {
		return identity.Principal{}, err
	}
	v.cache.Add(sum, cachedToken{principal: withOwnRoles(p), expires: expires})
	return p, nil
}

// withOwnRoles copies p with roles and locations slices of its own, so that
// no request can change the cached principal that later requests with the
// same token get.
func withOwnRoles(p identity.Principal) identity.Principal {
	p.Roles = slices.Clone(p.Roles)
	p.Locations = slices.Clone(p.Locations)
	return p
}

// VerifyUncached always checks the signature; benchmarks use it to price the
// cold path.
func (v *Verifier) VerifyUncached(ctx context.Context, raw string) (identity.Principal, error) {
	p, _, err := v.verifySignature(ctx, raw)
	return p, err
}

func (v *Verifier) verifySignature(ctx context.Context, raw string) (identity.Principal, time.Time, error) {
	claims := &Claims{}
	keyFunc := v.keys.KeyfuncCtx(ctx)
	_, err := v.parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid == "" {
			return nil, errors.New("token has no kid")
		}
		return keyFunc(t)
	})
	if err != nil {
		return identity.Principal{}, time.Time{}, errs.Unauthenticated(reason(err))
	}
	if claims.Subject == "" || claims.CompanyID == "" {
		return identity.Principal{}, time.Time{}, errs.Unauthenticated("token lacks subject or tenant")
	}
	locations, err := claims.CheckLocations()
	if err != nil {
		return identity.Principal{}, time.Time{}, errs.Unauthenticated(err.Error())
	}
	claims.Locations = locations
	return claims.Principal(), claims.ExpiresAt.Time, nil
}

// reason turns a verification failure into a short client-safe message.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "token not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "token issuer not accepted"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "token audience not accepted"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "token malformed"
	default:
		return "token signature or key not accepted"
	}
}
