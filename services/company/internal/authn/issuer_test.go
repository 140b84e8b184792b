package authn

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// memoryKeys is a signing_keys table in memory.
type memoryKeys struct {
	mu   sync.Mutex
	keys []domain.SigningKey
}

func (m *memoryKeys) ListSigningKeys(_ context.Context, now time.Time) ([]domain.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return domain.PublishedSigningKeys(m.keys, now), nil
}

func (m *memoryKeys) add(k domain.SigningKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.keys {
		if m.keys[i].RetireTime.IsZero() {
			m.keys[i].RetireTime = k.ActivateTime
			m.keys[i].ExpireTime = k.ActivateTime.Add(time.Hour)
		}
	}
	m.keys = append(m.keys, k)
}

func testRing(t *testing.T) *keyring.Keyring { return keyringtest.New(t) }

const (
	testIssuer   = "https://company.ariesone.test"
	testAudience = "ariesone-test"
)

// keyStack is a KeySet over in-memory keys, its issuer and verifier.
type keyStack struct {
	table    *memoryKeys
	gen      KeyGenerator
	keys     *KeySet
	issuer   *Issuer
	verifier *auth.Verifier
}

func newKeyStack(t *testing.T) *keyStack {
	t.Helper()
	ring := testRing(t)
	s := &keyStack{table: &memoryKeys{}, gen: KeyGenerator{Bits: 2048, Cipher: ring}}
	s.rotate(t)
	s.keys = NewKeySet(s.table, ring)
	s.issuer = NewIssuer(s.keys, testIssuer, testAudience)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var err error
	s.verifier, err = NewVerifier(ctx, s.keys, VerifierConfig{Issuer: testIssuer, Audience: testAudience, UnknownKIDRefreshFloor: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *keyStack) rotate(t *testing.T) domain.SigningKey {
	t.Helper()
	k, err := s.gen.GenerateSigningKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.table.add(k)
	return k
}

func TestAccessClaims(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	g := domain.AccessGrant{
		Subject: "user-1", CompanyID: "company-1", Roles: []domain.Role{domain.RoleIntake, domain.RoleBilling},
		Kind: domain.AccessKindUser, SessionID: "session-1", IssueTime: at, TTL: 15 * time.Minute,
	}
	want := &auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: testIssuer, Subject: "user-1", Audience: jwt.ClaimStrings{testAudience},
			ExpiresAt: jwt.NewNumericDate(at.Add(15 * time.Minute)), NotBefore: jwt.NewNumericDate(at),
			IssuedAt: jwt.NewNumericDate(at), ID: "jti-1",
		},
		CompanyID: "company-1", Roles: []string{"intake", "billing"}, Kind: "user", SessionID: "session-1",
	}
	if diff := cmp.Diff(want, AccessClaims(g, testIssuer, testAudience, "jti-1")); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

func TestIssuedTokensVerify(t *testing.T) {
	s := newKeyStack(t)
	ctx := context.Background()
	issued := time.Now()
	tok, err := s.issuer.IssueAccessToken(ctx, domain.AccessGrant{
		Subject: "key-1", CompanyID: "company-1", Roles: []domain.Role{domain.RolePartner},
		Kind: domain.AccessKindAPIKey, IssueTime: issued, TTL: 15 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok.Token, &auth.Claims{})
	if err != nil || parsed.Header["kid"] != tok.KeyID || parsed.Header["alg"] != "RS256" {
		t.Fatalf("header %v (%v), want kid %s and RS256", parsed.Header, err, tok.KeyID)
	}
	p, err := s.verifier.Verify(ctx, tok.Token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := identity.Principal{Subject: "key-1", CompanyID: "company-1", Roles: []string{"partner"}, Kind: identity.KindAPIKey, TokenID: tok.ID,
		IssueTime: issued.Truncate(time.Second), ExpireTime: issued.Add(15 * time.Minute).Truncate(time.Second)}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
}

// TestLocalVerifierRefusesWhatThePlatformRefuses checks the rules the
// platform verifier applies hold for company's own keys too.
func TestLocalVerifierRefusesWhatThePlatformRefuses(t *testing.T) {
	s := newKeyStack(t)
	ctx := context.Background()
	current, err := s.keys.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := func(mut func(*auth.Claims)) *auth.Claims {
		c := AccessClaims(domain.AccessGrant{Subject: "u", CompanyID: "c", Roles: []domain.Role{domain.RoleOwner}, Kind: "user", IssueTime: now, TTL: time.Minute}, testIssuer, testAudience, "j")
		mut(c)
		return c
	}
	sign := func(c *auth.Claims) string {
		tok, err := current.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: mustPKIX(t, current.Private.Public())})
	hmacWithPublicKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(func(*auth.Claims) {})).SignedString(publicPEM)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(func(*auth.Claims) {})).SignedString(jwt.UnsafeAllowNoneSignatureType)
	stranger := auth.SigningKey{KeyID: "stranger", Private: mustRSA(t)}
	strangerTok, _ := stranger.Sign(claims(func(*auth.Claims) {}))

	tests := map[string]string{
		"expired":              sign(claims(func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour)) })),
		"wrong audience":       sign(claims(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"someone-else"} })),
		"wrong issuer":         sign(claims(func(c *auth.Claims) { c.Issuer = "https://evil.test" })),
		"no tenant":            sign(claims(func(c *auth.Claims) { c.CompanyID = "" })),
		"HMAC with public key": hmacWithPublicKey,
		"alg none":             none,
		"unknown key":          strangerTok,
		"signed without a kid": signWithoutKID(t, current, claims(func(*auth.Claims) {})),
		"not before in future": sign(claims(func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) })),
		"garbage":              "not.a.token",
	}
	for name, tok := range tests {
		if _, err := s.verifier.Verify(ctx, tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLocalVerifierPicksUpANewKeyByItsKID(t *testing.T) {
	s := newKeyStack(t)
	ctx := context.Background()
	grant := domain.AccessGrant{Subject: "u", CompanyID: "c", Roles: []domain.Role{domain.RoleOwner}, Kind: "user", TTL: time.Minute}
	grant.IssueTime = time.Now()
	before, err := s.issuer.IssueAccessToken(ctx, grant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.verifier.Verify(ctx, before.Token); err != nil {
		t.Fatal(err)
	}

	// Another replica rotates and signs; this one learns of the key only
	// from the token's kid.
	k2 := s.rotate(t)
	other := NewIssuer(NewKeySet(s.table, s.gen.Cipher), testIssuer, testAudience)
	after, err := other.IssueAccessToken(ctx, grant)
	if err != nil || after.KeyID != k2.KeyID {
		t.Fatalf("other replica signed with %s (%v), want %s", after.KeyID, err, k2.KeyID)
	}
	time.Sleep(20 * time.Millisecond)
	for name, tok := range map[string]string{"old key": before.Token, "new key": after.Token} {
		if _, err := s.verifier.VerifyUncached(ctx, tok); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestJWKSHandler(t *testing.T) {
	s := newKeyStack(t)
	mux := http.NewServeMux()
	mux.Handle("GET "+JWKSPath, JWKSHandler(s.keys, slog.New(slog.DiscardHandler)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("GET: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("body %s (%v): want one key", body, err)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := set.Keys[0][private]; ok {
			t.Errorf("the published key carries private member %q", private)
		}
	}
	current, _ := s.keys.Current(context.Background())
	if set.Keys[0]["kid"] != current.KeyID {
		t.Errorf("kid %v, want %s", set.Keys[0]["kid"], current.KeyID)
	}

	resp, err = http.Post(srv.URL+JWKSPath, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

func mustPKIX(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func mustRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func signWithoutKID(t *testing.T, k auth.SigningKey, c *auth.Claims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(k.Private)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestCurrentAgeIsTheSigningKeysAge(t *testing.T) {
	table := &memoryKeys{}
	ring := testRing(t)
	keys := NewKeySet(table, ring)
	if _, found, err := keys.CurrentAge(context.Background()); err != nil || found {
		t.Fatalf("CurrentAge with no key: found %v, %v; want none", found, err)
	}
	made := time.Now().Add(-40 * 24 * time.Hour)
	k, err := KeyGenerator{Bits: 2048, Cipher: ring}.GenerateSigningKey(made)
	if err != nil {
		t.Fatal(err)
	}
	table.add(k)
	keys = NewKeySet(table, ring)
	age, found, err := keys.CurrentAge(context.Background())
	if err != nil || !found || age < 40*24*time.Hour || age > 40*24*time.Hour+time.Minute {
		t.Fatalf("CurrentAge = %v, %v, %v; want about 40 days", age, found, err)
	}
}
