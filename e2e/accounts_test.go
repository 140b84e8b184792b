package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// passwordResetTTL is the reset token lifetime of the accounts test's mesh:
// short, so expiry can be shown without moving a clock.
const passwordResetTTL = 3 * time.Second

// TestAccountsOverREST drives the account flows a supplier's people go
// through, over REST as a partner's front end would: the bootstrapped
// owner must choose a password before anything else works; a user changes
// their password (their other sessions end); an administrator resets a
// forgotten password with a one-time token (reuse and expiry refused); and
// someone guessing a password blocks only themselves.
func TestAccountsOverREST(t *testing.T) {
	m := startMesh(t, "PASSWORD_RESET_TTL="+passwordResetTTL.String())
	t.Run("guessing blocks only the guesser", func(t *testing.T) { guessingBlocksOnlyTheGuesser(t, m) })

	// The owner's bootstrap password gets no session, only a token that
	// sets a new password; the bootstrap password then stops working.
	m.bootstrapOnly("acme", "owner@acme.test", bootstrapPassword)
	token := m.passwordChangeToken("acme", "owner@acme.test", bootstrapPassword)
	m.call(http.MethodPost, "/api/v1/auth/password:reset", "", map[string]string{
		"companyCode": "acme", "token": token, "newPassword": "password",
	}).expect(t, http.StatusBadRequest, "a common password")
	m.call(http.MethodPost, "/api/v1/auth/password:reset", "", map[string]string{
		"companyCode": "acme", "token": token, "newPassword": ownerPassword,
	}).expect(t, http.StatusOK, "the owner chooses a password")
	m.call(http.MethodPost, "/api/v1/auth/password:reset", "", map[string]string{
		"companyCode": "acme", "token": token, "newPassword": "yet another passphrase",
	}).expect(t, http.StatusUnauthorized, "the change token again")
	refuseLogin(t, m, "acme", "owner@acme.test", bootstrapPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")

	// A user with two sessions changes the password from one: the other
	// session's refresh token stops working, this one's goes on.
	m.call(http.MethodPost, "/api/v1/users", owner, map[string]any{
		"user":     map[string]any{"email": "ivy@acme.test", "givenName": "Ivy", "familyName": "Intake"},
		"roles":    []string{"ROLE_INTAKE"},
		"password": userPassword,
	}).expect(t, http.StatusOK, "create a user")
	desk, phone := login(t, m, "acme", "ivy@acme.test", userPassword), login(t, m, "acme", "ivy@acme.test", userPassword)
	m.call(http.MethodPost, "/api/v1/auth/password:change", desk.str("accessToken"), map[string]string{
		"currentPassword": "not my password", "newPassword": "ivy's second passphrase",
	}).expect(t, http.StatusBadRequest, "change with a wrong current password")
	changed := m.call(http.MethodPost, "/api/v1/auth/password:change", desk.str("accessToken"), map[string]string{
		"currentPassword": userPassword, "newPassword": "ivy's second passphrase",
	}).expect(t, http.StatusOK, "change password")
	if n, _ := changed.body["revokedSessions"].(float64); n != 1 {
		t.Errorf("revokedSessions = %v, want 1", changed.body["revokedSessions"])
	}
	m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": phone.str("refreshToken")}).
		expect(t, http.StatusUnauthorized, "the other session's refresh")
	m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": desk.str("refreshToken")}).
		expect(t, http.StatusOK, "this session's refresh")
	refuseLogin(t, m, "acme", "ivy@acme.test", userPassword)
	ivy := login(t, m, "acme", "ivy@acme.test", "ivy's second passphrase")

	// Ivy forgets it; the owner resets it. Her session and password stop
	// working at once; the token sets a new one once; a later token expires.
	users := m.call(http.MethodGet, "/api/v1/users?pageSize=10", owner, nil).expect(t, http.StatusOK, "list users")
	var ivyID string
	for _, u := range users.body["users"].([]any) {
		if u := u.(map[string]any); u["email"] == "ivy@acme.test" {
			ivyID, _ = u["id"].(string)
		}
	}
	reset := m.call(http.MethodPost, "/api/v1/users/"+ivyID+":resetPassword", owner, map[string]any{}).
		expect(t, http.StatusOK, "reset Ivy's password")
	m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": ivy.str("refreshToken")}).
		expect(t, http.StatusUnauthorized, "Ivy's session after the reset")
	refuseLogin(t, m, "acme", "ivy@acme.test", "ivy's second passphrase")
	complete := func(token, password string, want int, what string) {
		t.Helper()
		m.call(http.MethodPost, "/api/v1/auth/password:reset", "", map[string]string{
			"companyCode": "acme", "token": token, "newPassword": password,
		}).expect(t, want, what)
	}
	complete(reset.str("resetToken"), "ivy's third passphrase", http.StatusOK, "complete the reset")
	complete(reset.str("resetToken"), "ivy's fourth passphrase", http.StatusUnauthorized, "the reset token again")
	login(t, m, "acme", "ivy@acme.test", "ivy's third passphrase")

	late := m.call(http.MethodPost, "/api/v1/users/"+ivyID+":resetPassword", owner, map[string]any{}).
		expect(t, http.StatusOK, "reset again")
	time.Sleep(passwordResetTTL + 500*time.Millisecond)
	complete(late.str("resetToken"), "ivy's fifth passphrase", http.StatusUnauthorized, "an expired reset token")
}

// guessingBlocksOnlyTheGuesser: 50 wrong passwords from one address do not
// keep the owner out from another, nor end the owner's session; the owner
// is told. It runs on TestAccountsOverREST's mesh, in a company of its own.
func guessingBlocksOnlyTheGuesser(t *testing.T, m *mesh) {
	m.bootstrap("globex", "owner@globex.test", ownerPassword)
	from := func(addr string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("X-Forwarded-For", addr) }
	}
	signIn := func(addr, password string) response {
		return m.callWith(http.MethodPost, "/api/v1/auth/login", map[string]string{
			"companyCode": "globex", "email": "owner@globex.test", "password": password,
		}, from(addr))
	}
	session := signIn("198.51.100.10", ownerPassword).expect(t, http.StatusOK, "the owner's session")

	const guesser = "203.0.113.66"
	refused := map[int]int{}
	for i := range 50 {
		r := signIn(guesser, fmt.Sprintf("guess number %d of many", i))
		if r.status != http.StatusUnauthorized && r.status != http.StatusTooManyRequests {
			t.Fatalf("guess %d: status %d, want 401 or 429; %s", i, r.status, r.raw)
		}
		refused[r.status]++
	}
	t.Logf("50 guesses from %s: %d refused as invalid, %d rate limited", guesser, refused[http.StatusUnauthorized], refused[http.StatusTooManyRequests])
	signIn(guesser, ownerPassword).expect(t, http.StatusUnauthorized, "the right password from the guesser's address")

	owner := signIn("198.51.100.20", ownerPassword).expect(t, http.StatusOK, "the owner from another address")
	m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": session.str("refreshToken")}).
		expect(t, http.StatusOK, "the owner's existing session refreshes")

	deadline := time.Now().Add(20 * time.Second)
	for {
		n := m.call(http.MethodGet, "/api/v1/notifications?pageSize=100", owner.str("accessToken"), nil).
			expect(t, http.StatusOK, "the owner's notifications")
		if strings.Contains(string(n.raw), "company.user.sign_in_blocked.v1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification of the blocked guesser after 20s: %s", n.raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func refuseLogin(t testing.TB, m *mesh, code, email, password string) {
	t.Helper()
	m.call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{
		"companyCode": code, "email": email, "password": password,
	}).expect(t, http.StatusUnauthorized, "sign-in of "+email+" with a password that no longer works")
}
