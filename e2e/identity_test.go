package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

const (
	ownerPassword = "owner-password-for-e2e"
	userPassword  = "intake-password-for-e2e"
)

func login(t testing.TB, m *mesh, code, email, password string) response {
	t.Helper()
	return m.call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{
		"companyCode": code, "email": email, "password": password,
	}).expect(t, http.StatusOK, "login "+email)
}

func newLocation(code string) map[string]any {
	return map[string]any{
		"code":     code,
		"name":     "Branch " + code,
		"type":     "LOCATION_TYPE_BRANCH",
		"timeZone": "America/New_York",
		"address": map[string]any{
			"line1": "100 Peachtree St NE", "city": "Atlanta", "state": "GA", "postalCode": "30303",
		},
	}
}

// TestPartnerIdentityFlow is the first end-to-end flow of issue 3, over REST
// only: owner sign-in, a location and a limited user, a refused owner-only
// action, refresh-token rotation and reuse detection, API-key exchange, and
// tenant isolation between two companies.
func TestPartnerIdentityFlow(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	m.bootstrap("globex", "owner@globex.test", ownerPassword)

	owner := login(t, m, "acme", "owner@acme.test", ownerPassword)
	ownerToken := owner.str("accessToken")
	if ownerToken == "" || owner.str("refreshToken") == "" || owner.str("tokenType") != "Bearer" {
		t.Fatalf("login returned %s", owner.raw)
	}

	loc := m.call(http.MethodPost, "/api/v1/locations", ownerToken, newLocation("ATL-01")).
		expect(t, http.StatusOK, "create location")
	locationID := loc.str("id")
	if _, err := uuid.Parse(locationID); err != nil {
		t.Fatalf("location id %q is not a UUID", locationID)
	}
	got := m.call(http.MethodGet, "/api/v1/locations/"+locationID, ownerToken, nil).
		expect(t, http.StatusOK, "get location")
	if got.str("code") != "ATL-01" || got.header.Get("ETag") == "" {
		t.Fatalf("get location: code %q ETag %q", got.str("code"), got.header.Get("ETag"))
	}
	m.callWith(http.MethodGet, "/api/v1/locations/"+locationID, nil, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+ownerToken)
		r.Header.Set("If-None-Match", got.header.Get("ETag"))
	}).expect(t, http.StatusNotModified, "conditional get")

	m.call(http.MethodPost, "/api/v1/users", ownerToken, map[string]any{
		"user":     map[string]any{"email": "intake@acme.test", "givenName": "Ivy", "familyName": "Intake"},
		"roles":    []string{"ROLE_INTAKE"},
		"password": userPassword,
	}).expect(t, http.StatusOK, "create intake user")

	intake := login(t, m, "acme", "intake@acme.test", userPassword)
	m.call(http.MethodPatch, "/api/v1/company", intake.str("accessToken"), map[string]any{"legalName": "Hijacked LLC"}).
		expect(t, http.StatusForbidden, "intake user updates the company")
	m.call(http.MethodPost, "/api/v1/locations", intake.str("accessToken"), newLocation("ATL-02")).
		expect(t, http.StatusForbidden, "intake user creates a location")

	// Refresh rotates; replaying the old refresh token revokes the session.
	first := owner.str("refreshToken")
	rotated := m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": first}).
		expect(t, http.StatusOK, "refresh")
	if rotated.str("refreshToken") == "" || rotated.str("refreshToken") == first {
		t.Fatalf("refresh did not rotate the token: %s", rotated.raw)
	}
	m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": first}).
		expect(t, http.StatusUnauthorized, "replayed refresh token")
	m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": rotated.str("refreshToken")}).
		expect(t, http.StatusUnauthorized, "refresh after the session was revoked for reuse")

	// API key: create (secret shown once), exchange, use.
	owner = login(t, m, "acme", "owner@acme.test", ownerPassword)
	ownerToken = owner.str("accessToken")
	created := m.call(http.MethodPost, "/api/v1/api-keys", ownerToken, map[string]any{
		"apiKey": map[string]any{"clientName": "Acme Billing Partner", "roles": []string{"ROLE_PARTNER"}},
	}).expect(t, http.StatusOK, "create API key")
	secret := created.str("secret")
	if !strings.HasPrefix(secret, "ak_") {
		t.Fatalf("API key secret %q", secret)
	}
	listed := m.call(http.MethodGet, "/api/v1/api-keys", ownerToken, nil).expect(t, http.StatusOK, "list API keys")
	if strings.Contains(string(listed.raw), secret) {
		t.Fatal("the API key secret is shown again after creation")
	}
	exchanged := m.call(http.MethodPost, "/api/v1/auth/token", "", map[string]string{"apiKey": secret}).
		expect(t, http.StatusOK, "exchange API key")
	m.call(http.MethodGet, "/api/v1/locations", exchanged.str("accessToken"), nil).
		expect(t, http.StatusOK, "partner lists locations with the exchanged token")
	m.callWith(http.MethodGet, "/api/v1/locations", nil, func(r *http.Request) { r.Header.Set("X-API-Key", secret) }).
		expect(t, http.StatusOK, "partner lists locations with X-API-Key at the edge")

	// Tenant isolation: globex's owner cannot see acme's location.
	globex := login(t, m, "globex", "owner@globex.test", ownerPassword).str("accessToken")
	m.call(http.MethodGet, "/api/v1/locations/"+locationID, globex, nil).
		expect(t, http.StatusNotFound, "other tenant reads the location")
	m.call(http.MethodPatch, "/api/v1/locations/"+locationID, globex, map[string]any{"name": "Mine now"}).
		expect(t, http.StatusNotFound, "other tenant updates the location")
	m.call(http.MethodDelete, "/api/v1/locations/"+locationID, globex, nil).
		expect(t, http.StatusNotFound, "other tenant deletes the location")
	list := m.call(http.MethodGet, "/api/v1/locations?pageSize=1000", globex, nil).expect(t, http.StatusOK, "other tenant lists")
	if strings.Contains(string(list.raw), locationID) {
		t.Fatal("another tenant's list shows acme's location")
	}
}
