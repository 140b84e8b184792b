// Package authtest is an in-process token issuer for tests: a JWKS endpoint
// on loopback, keys that can be rotated while a service runs, and a Mint
// function for tokens with any claims — including the broken ones a test
// needs (expired, wrong audience, unknown key).
package authtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"google.golang.org/grpc/metadata"

	"github.com/ariesone/ariesone/platform/auth"
)

// Issuer and Audience used by tokens from an Issuer unless a test overrides them.
const (
	Issuer   = "https://company.ariesone.test"
	Audience = "ariesone"
)

// KeySet is a rotating set of signing keys published on a loopback JWKS URL.
type KeySet struct {
	t      testing.TB
	bits   int
	mu     sync.Mutex
	keys   []auth.SigningKey
	next   int
	server *httptest.Server
}

// NewKeySet starts a JWKS server with one RSA key ("k1").
func NewKeySet(t testing.TB) *KeySet {
	t.Helper()
	return NewKeySetOfSize(t, TestKeyBits)
}

// NewKeySetOfSize is NewKeySet with keys of bits bits: a benchmark of
// token verification signs with the size production verifies.
func NewKeySetOfSize(t testing.TB, bits int) *KeySet {
	t.Helper()
	ks := &KeySet{t: t, bits: bits}
	ks.Rotate()
	ks.server = httptest.NewServer(http.HandlerFunc(ks.serveJWKS))
	t.Cleanup(ks.server.Close)
	return ks
}

// URL is the JWKS endpoint.
func (ks *KeySet) URL() string { return ks.server.URL + "/.well-known/jwks.json" }

// Rotate adds a new signing key (kid "k2", "k3", ...) that becomes current;
// older keys stay published.
func (ks *KeySet) Rotate() auth.SigningKey {
	ks.t.Helper()
	k := newKey(ks.t, "", ks.bits)
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.next++
	k.KeyID = "k" + strconv.Itoa(ks.next)
	ks.keys = append(ks.keys, k)
	return k
}

// Current returns the newest key.
func (ks *KeySet) Current() auth.SigningKey {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.keys[len(ks.keys)-1]
}

func (ks *KeySet) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	ks.mu.Lock()
	keys := append([]auth.SigningKey(nil), ks.keys...)
	ks.mu.Unlock()
	body, err := auth.PublicJWKS(keys...)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// TestKeyBits is the size of the keys tests sign with. Tests need keys
// that differ, not keys that resist attack: generating an RSA-2048 key was
// a seventh of the CPU of a service's RPC test package, RSA-1024 costs a
// fraction of it, and the code path is the same as production's RSA-4096.
const TestKeyBits = 1024

// NewKey generates a TestKeyBits RSA signing key, a new one every call.
func NewKey(t testing.TB, kid string) auth.SigningKey {
	t.Helper()
	return newKey(t, kid, TestKeyBits)
}

func newKey(t testing.TB, kid string, bits int) auth.SigningKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatalf("generating key: %v", err)
	}
	return auth.SigningKey{KeyID: kid, Private: k}
}

// Claims returns valid claims for subject in company with roles, issued now
// and expiring in 15 minutes.
func Claims(subject, companyID string, roles ...string) *auth.Claims {
	now := time.Now()
	return &auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   subject,
			Issuer:    Issuer,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)),
			ID:        uuid.NewString(),
		},
		CompanyID: companyID,
		Roles:     roles,
		Kind:      "user",
	}
}

// Mint signs claims with the current key.
func (ks *KeySet) Mint(claims *auth.Claims) string {
	ks.t.Helper()
	return Sign(ks.t, ks.Current(), claims)
}

// Sign signs claims with key, failing the test on error.
func Sign(t testing.TB, key auth.SigningKey, claims *auth.Claims) string {
	t.Helper()
	tok, err := key.Sign(claims)
	if err != nil {
		t.Fatalf("signing token: %v", err)
	}
	return tok
}

// Bearer returns a context whose outgoing gRPC calls send token as their
// bearer credential, as a client of the mesh does.
func Bearer(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

// As returns a context calling as user subject of company with roles, with a
// token from ks.
func (ks *KeySet) As(company, subject string, roles ...string) context.Context {
	return Bearer(ks.Mint(Claims(subject, company, roles...)))
}

// AsScoped is As for a user limited to locations (the "loc" claim company
// puts in the tokens of a branch-scoped user).
func (ks *KeySet) AsScoped(company, subject string, locations []string, roles ...string) context.Context {
	c := Claims(subject, company, roles...)
	c.Locations = locations
	return Bearer(ks.Mint(c))
}
