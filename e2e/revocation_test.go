package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// revocationWait is the promise: a revocation takes effect within seconds
// on every service.
const revocationWait = 5 * time.Second

// serviceReads is one authorized read per service, to find out whether a
// token is still accepted there.
var serviceReads = map[string]string{
	"company":  "/api/v1/locations",
	"clinical": "/api/v1/patients",
	"orders":   "/api/v1/orders",
	"serials":  "/api/v1/items",
	"notify":   "/api/v1/events",
}

// waitEnded fails unless the stream ends, with an error line, within the
// promise.
func (s *liveStream) waitEnded(t *testing.T, what string) {
	t.Helper()
	select {
	case last := <-s.ended:
		if !strings.Contains(last, `"error"`) {
			t.Errorf("%s: the stream ended without an error line; last line %q", what, last)
		}
	case <-time.After(revocationWait):
		t.Errorf("%s: the stream was still open %v later", what, revocationWait)
	}
}

// waitRefusedEverywhere fails unless every service refuses edit's
// credentials within the promise, and reports how long it took.
func waitRefusedEverywhere(t *testing.T, m *mesh, what string, since time.Time, edit func(*http.Request)) {
	t.Helper()
	for service, path := range serviceReads {
		for {
			status := m.callWith(http.MethodGet, path, nil, edit).status
			if status == http.StatusUnauthorized {
				t.Logf("%s: %s refuses after %v", what, service, time.Since(since).Round(time.Millisecond))
				break
			}
			if time.Since(since) > revocationWait {
				t.Errorf("%s: %s still answers %d %v later", what, service, status, revocationWait)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func apiKey(key string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("X-API-Key", key) }
}

// waitSuspended fails unless the webhook subscription is suspended for
// reason within the promise.
func waitSuspended(t *testing.T, m *mesh, ownerToken, id, reason string, since time.Time) {
	t.Helper()
	for {
		got := m.call(http.MethodGet, "/api/v1/webhook-subscriptions/"+id, ownerToken, nil).expect(t, http.StatusOK, "get webhook subscription")
		if got.str("state") == "WEBHOOK_SUBSCRIPTION_STATE_SUSPENDED" && got.str("suspendReason") == reason {
			return
		}
		if time.Since(since) > revocationWait {
			t.Errorf("webhook subscription %s is %s (%q) %v after its creator's authority ended", id, got.str("state"), got.str("suspendReason"), revocationWait)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func subscribeWebhook(t *testing.T, m *mesh, edit func(*http.Request)) string {
	t.Helper()
	created := m.callWith(http.MethodPost, "/api/v1/webhook-subscriptions", map[string]any{
		"webhookSubscription": map[string]any{"url": "https://hooks.partner.example/ariesone", "eventTypes": []string{"company.location.*"}},
	}, edit).expect(t, http.StatusOK, "create webhook subscription")
	return nestedString(created, "webhookSubscription", "id")
}

// nestedString reads body[outer][key].
func nestedString(r response, outer, key string) string {
	m, _ := r.body[outer].(map[string]any)
	s, _ := m[key].(string)
	return s
}

// TestRevocationTakesEffectWithinSeconds: a logout, a deactivation, a role
// change and a key revocation each end the credential's authority on every
// service within seconds. A logout, a deactivation and a key revocation
// also end its open event stream (and the last two suspend the webhook
// subscriptions it made); after a role change the session refreshes into
// its new roles. Other credentials carry on.
func TestRevocationTakesEffectWithinSeconds(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	ownerToken := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")

	t.Run("logout", func(t *testing.T) {
		leaving := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
		for service, path := range serviceReads {
			m.call(http.MethodGet, path, leaving, nil).expect(t, http.StatusOK, "read on "+service+" before the logout")
		}
		stream := watch(t, m, "", bearer(leaving))
		m.call(http.MethodPost, "/api/v1/auth/logout", leaving, map[string]any{}).expect(t, http.StatusOK, "logout")
		at := time.Now()
		waitRefusedEverywhere(t, m, "logged-out session", at, bearer(leaving))
		stream.waitEnded(t, "logged-out session")
		m.call(http.MethodGet, "/api/v1/locations", ownerToken, nil).expect(t, http.StatusOK, "the owner's other session")
	})

	t.Run("deactivation", func(t *testing.T) {
		user := m.call(http.MethodPost, "/api/v1/users", ownerToken, map[string]any{
			"user":     map[string]any{"email": "ada@acme.test", "givenName": "Ada", "familyName": "Admin"},
			"roles":    []string{"ROLE_ADMIN"},
			"password": userPassword,
		}).expect(t, http.StatusOK, "create admin user")
		token := login(t, m, "acme", "ada@acme.test", userPassword).str("accessToken")
		stream := watch(t, m, "", bearer(token))
		hook := subscribeWebhook(t, m, bearer(token))
		m.call(http.MethodPost, "/api/v1/users/"+user.str("id")+":deactivate", ownerToken, map[string]any{}).
			expect(t, http.StatusOK, "deactivate user")
		at := time.Now()
		waitRefusedEverywhere(t, m, "deactivated user", at, bearer(token))
		stream.waitEnded(t, "deactivated user")
		waitSuspended(t, m, ownerToken, hook, "CREATOR_DEACTIVATED", at)
	})

	t.Run("role change", func(t *testing.T) {
		user := m.call(http.MethodPost, "/api/v1/users", ownerToken, map[string]any{
			"user":     map[string]any{"email": "rory@acme.test", "givenName": "Rory", "familyName": "Roles"},
			"roles":    []string{"ROLE_ADMIN"},
			"password": userPassword,
		}).expect(t, http.StatusOK, "create admin user")
		session := login(t, m, "acme", "rory@acme.test", userPassword)
		admin := session.str("accessToken")
		m.call(http.MethodGet, "/api/v1/patients", admin, nil).expect(t, http.StatusOK, "an admin lists patients")
		m.call(http.MethodPost, "/api/v1/users/"+user.str("id")+":setRoles", ownerToken, map[string]any{"roles": []string{"ROLE_WAREHOUSE"}}).
			expect(t, http.StatusOK, "make the admin a warehouse clerk")
		at := time.Now()
		// The admin's token carries roles the user no longer has.
		waitRefusedEverywhere(t, m, "token issued before the role change", at, bearer(admin))
		// The session goes on: a refreshed token carries the new roles.
		time.Sleep(time.Until(at.Truncate(time.Second).Add(time.Second)))
		refreshed := m.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": session.str("refreshToken")}).
			expect(t, http.StatusOK, "refresh after the role change").str("accessToken")
		m.call(http.MethodGet, "/api/v1/items", refreshed, nil).expect(t, http.StatusOK, "the clerk lists items")
		m.call(http.MethodGet, "/api/v1/patients", refreshed, nil).expect(t, http.StatusForbidden, "the clerk lists patients")
	})

	t.Run("key revocation", func(t *testing.T) {
		key := m.call(http.MethodPost, "/api/v1/api-keys", ownerToken, map[string]any{
			"apiKey": map[string]any{"clientName": "Acme Billing", "roles": []string{"ROLE_PARTNER"}},
		}).expect(t, http.StatusOK, "create API key")
		secret, id := key.str("secret"), nestedString(key, "apiKey", "id")
		m.callWith(http.MethodGet, "/api/v1/locations", nil, apiKey(secret)).expect(t, http.StatusOK, "read with the key")
		stream := watch(t, m, "", apiKey(secret))
		hook := subscribeWebhook(t, m, apiKey(secret))
		m.call(http.MethodPost, "/api/v1/api-keys/"+id+":revoke", ownerToken, map[string]any{}).expect(t, http.StatusOK, "revoke key")
		at := time.Now()
		stream.waitEnded(t, "revoked key")
		waitSuspended(t, m, ownerToken, hook, "API_KEY_REVOKED", at)
		for {
			if m.callWith(http.MethodGet, "/api/v1/locations", nil, apiKey(secret)).status == http.StatusUnauthorized {
				break
			}
			if time.Since(at) > revocationWait {
				t.Errorf("the revoked key still reads %v later", revocationWait)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
