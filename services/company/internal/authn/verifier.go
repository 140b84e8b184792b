package authn

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ariesone/ariesone/platform/auth"
)

// JWKSPath is where the operations server publishes the key set for the
// other services (JWKS_URL=http://company:<METRICS_PORT>/.well-known/jwks.json).
const JWKSPath = "/.well-known/jwks.json"

// inProcessJWKSURL is the address the local verifier fetches from. The
// request never leaves the process (see inProcessJWKS); the host only has
// to parse.
const inProcessJWKSURL = "http://company.in-process" + JWKSPath

// VerifierConfig configures company's own token verifier.
type VerifierConfig struct {
	// Issuer and Audience every token must carry (JWT_ISSUER, JWT_AUDIENCE).
	Issuer   string
	Audience string
	// Leeway tolerated on exp, nbf and iat (the platform default when 0).
	Leeway time.Duration
	// UnknownKIDRefreshFloor is the least time between two reloads of the
	// keys caused by an unknown kid (default 2s).
	UnknownKIDRefreshFloor time.Duration
	// RefreshInterval reloads the keys in the background (default: the
	// KeySet's cache lifetime).
	RefreshInterval time.Duration
}

// NewVerifier returns the verifier company's own RPCs authenticate with. It
// is platform/auth's Verifier — the same parser options, algorithm
// allow-list, kid requirement, claim checks and verified-token cache as every
// other service — whose key set is fetched from this process instead of over
// the network: its HTTP client's transport answers with the KeySet's JWKS.
// An unknown kid (a key another replica just made) makes the key set
// reload, through the KeySet, from the signing_keys table, at most once per
// UnknownKIDRefreshFloor. The background refresh stops when ctx ends.
func NewVerifier(ctx context.Context, keys *KeySet, cfg VerifierConfig) (*auth.Verifier, error) {
	if cfg.UnknownKIDRefreshFloor == 0 {
		cfg.UnknownKIDRefreshFloor = 2 * time.Second
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = keys.CacheTTL()
	}
	return auth.NewVerifier(ctx, auth.VerifierConfig{
		JWKSURL:                inProcessJWKSURL,
		Issuer:                 cfg.Issuer,
		Audience:               cfg.Audience,
		Leeway:                 cfg.Leeway,
		RefreshInterval:        cfg.RefreshInterval,
		UnknownKIDRefreshFloor: cfg.UnknownKIDRefreshFloor,
		// Every fetch reads the table: the verifier fetches only on its
		// refresh interval and on an unknown kid (at most once per floor),
		// and a fetch for an unknown kid must see a key made a moment ago.
		HTTPClient: &http.Client{Transport: inProcessJWKS{keys: keys}},
	})
}

// jwksFetchTimeout bounds one read of the keys for the verifier.
const jwksFetchTimeout = 5 * time.Second

// inProcessJWKS is an http.RoundTripper that answers every request with the
// key set's JWKS document, as the operations server would, freshly read.
type inProcessJWKS struct {
	keys *KeySet
}

func (t inProcessJWKS) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	// The fetch for an unknown kid arrives with the deadline the platform
	// verifier gives keyfunc for waiting on its rate limiter (a
	// millisecond), which keyfunc also applies to the fetch itself; a
	// database read rarely fits. The limiter has already admitted this
	// fetch, so it gets a budget of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), jwksFetchTimeout)
	defer cancel()
	doc, err := t.keys.JWKS(ctx, 0)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {jwksContentType}, "Content-Length": {strconv.Itoa(len(doc))}},
		Body:          io.NopCloser(bytes.NewReader(doc)),
		ContentLength: int64(len(doc)),
		Request:       req,
	}, nil
}
