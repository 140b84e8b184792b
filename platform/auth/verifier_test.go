package auth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
)

func newVerifier(t *testing.T, jwksURL string, leeway time.Duration) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(t.Context(), auth.VerifierConfig{
		JWKSURL:  jwksURL,
		Issuer:   authtest.Issuer,
		Audience: authtest.Audience,
		Leeway:   leeway,
	})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// serveJWKS publishes the public halves of keys the way company does.
func serveJWKS(t *testing.T, keys ...auth.SigningKey) string {
	t.Helper()
	url, _ := serveJWKSStoppable(t, keys...)
	return url
}

// serveJWKSStoppable is serveJWKS with a function that stops the server.
func serveJWKSStoppable(t *testing.T, keys ...auth.SigningKey) (url string, stop func()) {
	t.Helper()
	body, err := auth.PublicJWKS(keys...)
	if err != nil {
		t.Fatalf("PublicJWKS: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/.well-known/jwks.json", srv.Close
}

func ed25519Key(t *testing.T, kid string) auth.SigningKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return auth.SigningKey{KeyID: kid, Private: priv}
}

func TestVerifyAcceptsSignedTokens(t *testing.T) {
	rsaKey := authtest.NewKey(t, "rsa-1")
	edKey := ed25519Key(t, "ed-1")
	v := newVerifier(t, serveJWKS(t, rsaKey, edKey), 0)

	tests := []struct {
		name string
		key  auth.SigningKey
	}{
		{name: "RS256", key: rsaKey},
		{name: "EdDSA", key: edKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := authtest.Claims("u-1", "c-1", auth.RoleIntake, auth.RoleBilling)
			claims.SessionID = "s-1"
			raw, err := tt.key.Sign(claims)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			got, err := v.VerifyUncached(t.Context(), raw)
			if err != nil {
				t.Fatalf("VerifyUncached: %v", err)
			}
			want := identity.Principal{
				Subject: "u-1", CompanyID: "c-1", Roles: []string{"intake", "billing"},
				Kind: identity.KindUser, TokenID: claims.ID, SessionID: "s-1",
				IssueTime: claims.IssuedAt.Time, ExpireTime: claims.ExpiresAt.Time,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyWithKeySet(t *testing.T) {
	ks := authtest.NewKeySet(t)
	v := newVerifier(t, ks.URL(), 0)

	first := ks.Mint(authtest.Claims("u-1", "c-1", auth.RoleAdmin))
	ks.Rotate()
	// A key added after the verifier started is fetched on first sight of
	// its kid; the older key stays published and keeps verifying.
	second := ks.Mint(authtest.Claims("u-2", "c-1", auth.RoleAuditor))

	for _, raw := range []string{first, second} {
		if _, err := v.Verify(t.Context(), raw); err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
}

func TestSignRefusesKeyWithoutID(t *testing.T) {
	noKID := authtest.NewKey(t, "")
	if _, err := noKID.Sign(authtest.Claims("u-1", "c-1")); err == nil {
		t.Error("RSA key without key id signed a token")
	}
	edNoKID := ed25519Key(t, "")
	if _, err := edNoKID.Sign(authtest.Claims("u-1", "c-1")); err == nil {
		t.Error("Ed25519 key without key id signed a token")
	}
}

func TestUnsupportedKeyType(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := auth.SigningKey{KeyID: "ec-1", Private: ec}
	if _, err := key.Sign(authtest.Claims("u-1", "c-1")); err == nil {
		t.Error("Sign accepted an ECDSA key")
	}
	if _, err := auth.PublicJWKS(key); err == nil {
		t.Error("PublicJWKS accepted an ECDSA key")
	}
}

func TestNewVerifierRequiresConfig(t *testing.T) {
	full := auth.VerifierConfig{JWKSURL: "http://127.0.0.1:1/jwks.json", Issuer: authtest.Issuer, Audience: authtest.Audience}
	tests := []struct {
		name   string
		mutate func(*auth.VerifierConfig)
	}{
		{name: "no JWKS URL", mutate: func(c *auth.VerifierConfig) { c.JWKSURL = "" }},
		{name: "no issuer", mutate: func(c *auth.VerifierConfig) { c.Issuer = "" }},
		{name: "no audience", mutate: func(c *auth.VerifierConfig) { c.Audience = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := full
			tt.mutate(&cfg)
			if _, err := auth.NewVerifier(t.Context(), cfg); err == nil {
				t.Error("NewVerifier accepted an incomplete config")
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	ks := authtest.NewKeySet(t)
	v := newVerifier(t, ks.URL(), 0)
	current := ks.Current()

	mint := func(edit func(*auth.Claims)) string {
		c := authtest.Claims("u-1", "c-1", auth.RoleOwner)
		edit(c)
		return ks.Mint(c)
	}
	unsigned := func(method jwt.SigningMethod, key any, kid string) string {
		tok := jwt.NewWithClaims(method, authtest.Claims("u-1", "c-1", auth.RoleOwner))
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	past := time.Now().Add(-time.Hour)
	future := time.Now().Add(time.Hour)

	tests := []struct {
		name string
		raw  string
	}{
		{name: "empty", raw: ""},
		{name: "garbage", raw: "not.a.jwt"},
		{name: "expired", raw: mint(func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(past) })},
		{name: "no expiry", raw: mint(func(c *auth.Claims) { c.ExpiresAt = nil })},
		{name: "not yet valid", raw: mint(func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(future) })},
		{name: "issued in the future", raw: mint(func(c *auth.Claims) { c.IssuedAt = jwt.NewNumericDate(future) })},
		{name: "wrong issuer", raw: mint(func(c *auth.Claims) { c.Issuer = "https://evil.test" })},
		{name: "wrong audience", raw: mint(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"someone-else"} })},
		{name: "no subject", raw: mint(func(c *auth.Claims) { c.Subject = "" })},
		{name: "no tenant", raw: mint(func(c *auth.Claims) { c.CompanyID = "" })},
		{name: "unknown key", raw: authtest.Sign(t, authtest.NewKey(t, "k-unknown"), authtest.Claims("u-1", "c-1"))},
		{name: "known kid, other key", raw: authtest.Sign(t, authtest.NewKey(t, current.KeyID), authtest.Claims("u-1", "c-1"))},
		{name: "no kid", raw: unsigned(jwt.SigningMethodRS256, current.Private, "")},
		{name: "HMAC with a known kid", raw: unsigned(jwt.SigningMethodHS256, []byte("public key bytes"), current.KeyID)},
		{name: "alg none", raw: unsigned(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, current.KeyID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tt.raw)
			if got := errs.KindOf(err); err == nil || got != errs.KindUnauthenticated {
				t.Errorf("Verify error kind = %v (err %v), want %v", got, err, errs.KindUnauthenticated)
			}
		})
	}
}

func TestVerifyServesCachedTokenWithoutKeyServer(t *testing.T) {
	ks := authtest.NewKeySet(t)
	// The key set's own endpoint lives as long as the test; this one
	// publishes the same keys and can be stopped half way.
	url, stop := serveJWKSStoppable(t, ks.Current())
	v := newVerifier(t, url, 0)
	raw := ks.Mint(authtest.Claims("u-1", "c-1", auth.RolePartner))

	first, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("first Verify: %v", err)
	}
	stop()

	second, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("second Verify with the key server gone: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("cached principal differs (-first +second):\n%s", diff)
	}
}

func TestVerifyDoesNotServeExpiredTokenFromCache(t *testing.T) {
	ks := authtest.NewKeySet(t)
	const leeway = time.Millisecond
	v := newVerifier(t, ks.URL(), leeway)

	// exp has one-second precision; pick the next whole second that leaves
	// at least 100ms to verify before it passes.
	exp := time.Now().Add(1100 * time.Millisecond).Truncate(time.Second)
	claims := authtest.Claims("u-1", "c-1", auth.RoleIntake)
	claims.ExpiresAt = jwt.NewNumericDate(exp)
	raw := ks.Mint(claims)

	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatalf("Verify before expiry: %v", err)
	}
	time.Sleep(time.Until(exp.Add(leeway + 20*time.Millisecond)))

	_, err := v.Verify(t.Context(), raw)
	if got := errs.KindOf(err); err == nil || got != errs.KindUnauthenticated {
		t.Errorf("Verify after expiry: kind %v (err %v), want %v", got, err, errs.KindUnauthenticated)
	}
}

// TestVerifyLocationClaim: a branch-scoped user's "loc" claim reaches the
// principal in canonical form, and a claim the stores could not compare
// with (too many ids, one that is not a UUID) refuses the token instead of
// being read as unrestricted.
func TestVerifyLocationClaim(t *testing.T) {
	ks := authtest.NewKeySet(t)
	v := newVerifier(t, ks.URL(), 0)
	const branch = "0195F3A2-0000-7000-8000-0000000000B1"
	tooMany := make([]string, auth.MaxLocations+1)
	for i := range tooMany {
		tooMany[i] = uuid.NewString()
	}
	tests := []struct {
		name      string
		locations []string
		want      []string
		wantErr   bool
	}{
		{name: "absent is unrestricted"},
		{name: "canonical ids", locations: []string{branch}, want: []string{strings.ToLower(branch)}},
		{name: "the bound", locations: tooMany[:auth.MaxLocations], want: tooMany[:auth.MaxLocations]},
		{name: "over the bound", locations: tooMany, wantErr: true},
		{name: "not a UUID", locations: []string{branch, "branch-1"}, wantErr: true},
		{name: "a UUID in another spelling", locations: []string{"{" + branch + "}"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := authtest.Claims("u-1", "c-1", auth.RoleIntake)
			c.Locations = tt.locations
			got, err := v.Verify(t.Context(), ks.Mint(c))
			if tt.wantErr {
				if !errs.Is(err, errs.KindUnauthenticated) {
					t.Fatalf("Verify = %v, %v; want UNAUTHENTICATED", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Locations); diff != "" {
				t.Errorf("locations (-want +got):\n%s", diff)
			}
		})
	}
}
