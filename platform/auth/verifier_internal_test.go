package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		pattern, permission string
		want                bool
	}{
		{"*", "patients.read", true},
		{"*", "nodot", true},
		{"patients.read", "patients.read", true},
		{"patients.read", "patients.write", false},
		{"patients.*", "patients.read", true},
		{"patients.*", "patients.phi", true},
		{"patients.*", "payers.read", false},
		{"patients.*", "patients", false},
		{"patients.*", "patientsread", false},
		{"*.read", "orders.read", true},
		{"*.read", "orders.write", false},
		{"*.read", "read", false},
		{"*.read", ".read", true},
		{"*.*", "orders.write", true},
		{"*.*", "orders", false},
		{"x.*", "x.y.z", true},
		{"*.read", "x.y.read", false},
		{"patients", "patients", true},
		{"patients", "patients.read", false},
	}
	for _, tt := range tests {
		if got := matches(tt.pattern, tt.permission); got != tt.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tt.pattern, tt.permission, got, tt.want)
		}
	}
}

// countingKeys counts key lookups, which happen exactly when a token's
// signature is checked rather than served from the cache.
type countingKeys struct {
	inner   keyfunc.Keyfunc
	lookups atomic.Int32
}

var _ keyfunc.Keyfunc = (*countingKeys)(nil)

func (c *countingKeys) KeyfuncCtx(ctx context.Context) jwt.Keyfunc {
	inner := c.inner.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		c.lookups.Add(1)
		return inner(t)
	}
}

func (c *countingKeys) Keyfunc(t *jwt.Token) (any, error) {
	return c.KeyfuncCtx(context.Background())(t)
}

func (c *countingKeys) Storage() jwkset.Storage { return c.inner.Storage() }

func (c *countingKeys) VerificationKeySet(ctx context.Context) (jwt.VerificationKeySet, error) {
	c.lookups.Add(1)
	return c.inner.VerificationKeySet(ctx)
}

func newCountingVerifier(t *testing.T) (*Verifier, *countingKeys, SigningKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := SigningKey{KeyID: "ed1", Private: priv}
	jwks, err := PublicJWKS(key)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := keyfunc.NewJWKSetJSON(jwks)
	if err != nil {
		t.Fatal(err)
	}
	keys := &countingKeys{inner: kf}
	cfg := withDefaults(VerifierConfig{JWKSURL: "unused", Issuer: "iss", Audience: "aud", Leeway: time.Second})
	return newVerifier(cfg, keys), keys, key
}

func claimsFor(exp time.Time) *Claims {
	now := time.Now()
	return &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   "u-1",
			Issuer:    "iss",
			Audience:  jwt.ClaimStrings{"aud"},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		CompanyID: "c-1",
		Roles:     []string{RoleIntake, RoleBilling},
	}
}

func TestVerifyCachesVerifiedTokens(t *testing.T) {
	v, keys, key := newCountingVerifier(t)
	raw, err := key.Sign(claimsFor(time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := v.Verify(t.Context(), raw); err != nil {
			t.Fatalf("Verify #%d: %v", i+1, err)
		}
	}
	if got := keys.lookups.Load(); got != 1 {
		t.Errorf("signature checked %d times for 3 calls, want 1", got)
	}
	if _, err := v.VerifyUncached(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	if got := keys.lookups.Load(); got != 2 {
		t.Errorf("VerifyUncached did not check the signature (lookups %d, want 2)", got)
	}
}

func TestVerifyDropsCachedTokenAfterExpiry(t *testing.T) {
	v, keys, key := newCountingVerifier(t)
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	raw, err := key.Sign(claimsFor(exp))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatal(err)
	}

	// Inside the leeway the cached entry still serves.
	v.now = func() time.Time { return exp.Add(v.leeway / 2) }
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	if got := keys.lookups.Load(); got != 1 {
		t.Errorf("lookups inside leeway = %d, want 1 (cache hit)", got)
	}

	// Past exp plus leeway the entry is dropped and the signature checked again.
	v.now = func() time.Time { return exp.Add(v.leeway) }
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	if got := keys.lookups.Load(); got != 2 {
		t.Errorf("lookups after expiry = %d, want 2 (re-verified)", got)
	}
}

func TestVerifyCacheHitDoesNotShareRoles(t *testing.T) {
	v, _, key := newCountingVerifier(t)
	raw, err := key.Sign(claimsFor(time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	first, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	// A careless caller edits the roles of its request's principal.
	first.Roles[0] = RoleOwner

	second, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{RoleIntake, RoleBilling}, second.Roles); diff != "" {
		t.Errorf("roles leaked from an earlier request (-want +got):\n%s", diff)
	}
}
