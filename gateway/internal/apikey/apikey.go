// Package apikey lets partner systems call the REST API with an API key:
// a request carrying "X-API-Key: <key>" and no Authorization header has the
// key exchanged for a short-lived access token (AuthService.ExchangeApiKey
// on the company service) and continues as "Authorization: Bearer <token>".
// The services only ever see JWTs.
//
// Tokens are cached per key until shortly before they expire, in a bounded
// LRU keyed by the SHA-256 of the key, so a partner's steady traffic costs
// one exchange per token lifetime and the key itself is held nowhere.
// Concurrent requests with the same uncached key share one exchange. The key
// is never logged and never forwarded.
//
// Revoking a key stops new exchanges at once, and every service refuses the
// tokens already issued for it within seconds (they check each call against
// company's revocations). The cache lets go of a revoked key's token both
// ways: when the key's revocation event arrives (ForgetKey), and when a
// service refuses the cached token as UNAUTHENTICATED, so the next request
// exchanges the key again and is refused as the revoked key it is.
package apikey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/gateway/internal/httperr"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/requestid"
	"github.com/ariesone/ariesone/platform/revocation"
)

// Header is the request header partners put their key in.
const Header = "X-API-Key"

// MessageInvalidKey is the 401 message for a key the company service refuses.
const MessageInvalidKey = "Invalid, expired or revoked API key"

// maxKeyLen bounds what is sent to the company service; its own validation
// allows 512 characters.
const maxKeyLen = 512

// Defaults for Options.
const (
	DefaultCacheSize    = 10_000
	DefaultCallTimeout  = 5 * time.Second
	defaultMaxTokenLife = time.Hour
)

// Options configure an Exchanger.
type Options struct {
	// CacheSize bounds how many keys' tokens are kept (DefaultCacheSize).
	CacheSize int
	// CallTimeout bounds one ExchangeApiKey call (DefaultCallTimeout).
	CallTimeout time.Duration
	// Logger records failed exchanges (never the key).
	Logger *slog.Logger
	// Registry, when set, receives ariesone_gateway_api_key_exchanges_total.
	Registry prometheus.Registerer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Exchanger swaps API keys for access tokens and caches them.
type Exchanger struct {
	client      companyv1.AuthServiceClient
	cache       *expirable.LRU[string, token]
	flight      singleflight.Group
	callTimeout time.Duration
	logger      *slog.Logger
	now         func() time.Time
	outcomes    *prometheus.CounterVec
}

// token is a cached access token and when to stop using it.
type token struct {
	access   string
	useUntil time.Time
	// apiKeyID is the key the token acts as (its subject), so the key's
	// revocation finds it.
	apiKeyID string
}

// New returns an Exchanger calling client.
func New(client companyv1.AuthServiceClient, opts Options) (*Exchanger, error) {
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Exchanger{
		client: client,
		// The LRU's own TTL is only a backstop; each entry's useUntil,
		// derived from the token's expiry, decides.
		cache:       expirable.NewLRU[string, token](opts.CacheSize, nil, defaultMaxTokenLife),
		callTimeout: opts.CallTimeout,
		logger:      opts.Logger,
		now:         opts.Now,
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone",
			Subsystem: "gateway",
			Name:      "api_key_exchanges_total",
			Help:      "API-key requests by outcome: cached (token reused), exchanged (new token), refused (bad key), failed (company service error).",
		}, []string{"outcome"}),
	}
	if opts.Registry != nil {
		if err := opts.Registry.Register(e.outcomes); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Middleware exchanges the X-API-Key of a request that has no Authorization
// header. The X-API-Key header is removed either way. A refused key gets 401
// in the REST error body; an unavailable company service gets its status
// (503, 429, ...), also in the REST error body.
func (e *Exchanger) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(Header)
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		r.Header.Del(Header)
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		access, err := e.Token(r.Context(), key)
		if err != nil {
			e.writeError(w, r, err)
			return
		}
		r.Header.Set("Authorization", "Bearer "+access)
		seen := &statusSeen{ResponseWriter: w}
		next.ServeHTTP(seen, r)
		if seen.status == http.StatusUnauthorized {
			// A service refused the token: revoked, or signed by a key it
			// no longer trusts. Keep it no longer.
			e.forget(keyID(key), access)
		}
	})
}

// statusSeen notes the status a handler answers with. Unwrap keeps
// http.ResponseController (flushes of streams) working through it.
type statusSeen struct {
	http.ResponseWriter
	status int
}

func (s *statusSeen) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusSeen) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusSeen) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// forget drops the cached token of cache key id if it is still access.
func (e *Exchanger) forget(id, access string) {
	if t, ok := e.cache.Peek(id); ok && t.access == access {
		e.cache.Remove(id)
	}
}

// ForgetRevoked drops the cached token of every API key revoked from now on,
// as its revocation event arrives on the broker's revocation stream, until
// ctx ends. Tokens cached before the gateway started do not exist, so the
// stream is read from now.
func (e *Exchanger) ForgetRevoked(ctx context.Context, sub bus.StreamSubscriber) error {
	return sub.ConsumeStream(ctx, revocation.Subscription(revocation.StreamName, 0, e.now()),
		func(_ context.Context, batch []bus.Delivery) error {
			for _, d := range batch {
				if r, ok := revocation.FromEvent(d.Message); ok && r.Subject != "" {
					e.ForgetKey(r.Subject)
				}
			}
			return nil
		}, nil)
}

// ForgetKey drops the cached token of API key apiKeyID: its revocation
// event says it must not be used again. Revocations are rare, the cache
// bounded, so a walk of it is cheap.
func (e *Exchanger) ForgetKey(apiKeyID string) {
	if apiKeyID == "" {
		return
	}
	for _, id := range e.cache.Keys() {
		if t, ok := e.cache.Peek(id); ok && t.apiKeyID == apiKeyID {
			e.cache.Remove(id)
		}
	}
}

// Token returns an access token for key, from the cache when one is still
// good for a while, otherwise from the company service.
func (e *Exchanger) Token(ctx context.Context, key string) (string, error) {
	if !plausible(key) {
		e.outcomes.WithLabelValues("refused").Inc()
		return "", status.Error(codes.Unauthenticated, MessageInvalidKey)
	}
	id := keyID(key)
	if t, ok := e.cache.Get(id); ok && e.now().Before(t.useUntil) {
		e.outcomes.WithLabelValues("cached").Inc()
		return t.access, nil
	}
	v, err, _ := e.flight.Do(id, func() (any, error) {
		return e.exchange(ctx, id, key)
	})
	if err != nil {
		if isRefusal(status.Code(err)) {
			e.outcomes.WithLabelValues("refused").Inc()
		} else {
			e.outcomes.WithLabelValues("failed").Inc()
		}
		return "", err
	}
	e.outcomes.WithLabelValues("exchanged").Inc()
	return v.(string), nil
}

func (e *Exchanger) exchange(ctx context.Context, id, key string) (string, error) {
	// The call is shared by every request waiting on this key, so it must
	// not die with the first one's cancellation; it keeps the request's
	// values (request id) and gets its own timeout.
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.callTimeout)
	defer cancel()
	md := metadata.Pairs(requestid.Header, requestid.FromContext(ctx))
	if ip := edge.ClientFrom(ctx).IP; ip.IsValid() {
		md.Append("x-forwarded-for", ip.String())
	}
	callCtx = metadata.NewOutgoingContext(callCtx, md)
	start := e.now()
	resp, err := e.client.ExchangeApiKey(callCtx, &companyv1.ExchangeApiKeyRequest{ApiKey: key})
	if err != nil {
		return "", err
	}
	if resp.GetAccessToken() == "" {
		return "", status.Error(codes.Internal, "ExchangeApiKey returned no access token")
	}
	life := time.Duration(resp.GetExpiresIn()) * time.Second
	if until := start.Add(life - refreshMargin(life)); life > 0 && until.After(start) {
		e.cache.Add(id, token{access: resp.GetAccessToken(), useUntil: until, apiKeyID: tokenSubject(resp.GetAccessToken())})
	}
	return resp.GetAccessToken(), nil
}

// refreshMargin is how long before expiry a cached token is replaced, so a
// request never leaves the gateway with a token about to lapse in flight:
// a tenth of the lifetime, at most 30 seconds.
func refreshMargin(life time.Duration) time.Duration {
	return min(life/10, 30*time.Second)
}

func (e *Exchanger) writeError(w http.ResponseWriter, r *http.Request, err error) {
	st := status.Convert(err)
	if isRefusal(st.Code()) {
		b := httperr.New(http.StatusUnauthorized, MessageInvalidKey)
		b.Reason = "INVALID_API_KEY"
		httperr.Write(w, r, b)
		return
	}
	if d, ok := httperr.RetryDelay(st); ok && st.Code() == codes.ResourceExhausted {
		w.Header().Set("Retry-After", httperr.RetryAfterSeconds(d))
	}
	if httperr.Hidden(st.Code()) {
		e.logger.WarnContext(r.Context(), "API key exchange failed",
			slog.String("request_id", requestid.FromContext(r.Context())),
			slog.String("code", st.Code().String()),
			slog.String("error", st.Message()))
	}
	httperr.Write(w, r, httperr.FromStatus(st))
}

// isRefusal reports whether the company service refused the key itself,
// rather than failing to answer.
func isRefusal(c codes.Code) bool {
	switch c {
	case codes.Unauthenticated, codes.InvalidArgument, codes.NotFound, codes.PermissionDenied:
		return true
	}
	return false
}

// plausible rejects, without a call, what cannot be a key: too long, or
// holding characters no issued key has (and gRPC metadata cannot carry).
func plausible(key string) bool {
	if len(key) == 0 || len(key) > maxKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// tokenSubject reads the subject of a token company just issued, without
// verifying it (the services do that): only to find the token again when
// its key is revoked. "" when it cannot be read.
func tokenSubject(access string) string {
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(access, &claims); err != nil {
		return ""
	}
	return claims.Subject
}

// keyID is the cache key of an API key: its SHA-256, so the cache holds no
// secret. Keys are long random strings; a plain hash suffices.
func keyID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
