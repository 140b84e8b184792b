package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

func (w authWorld) owner() identity.Principal {
	return identity.Principal{Subject: w.ownerID, CompanyID: w.companyID, Roles: []string{"owner"}, Kind: identity.KindUser, SessionID: uuid.NewString()}
}

func (w authWorld) createKey(t *testing.T, cmd app.CreateAPIKey) (domain.APIKey, string) {
	t.Helper()
	owner := w.owner()
	key, secret, err := w.App.APIKeys.Create(asCaller(owner), owner, cmd)
	if err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	return key, secret
}

// lastUsed reads a key's last use behind row-level security.
func (w authWorld) lastUsed(t *testing.T, id string) *time.Time {
	t.Helper()
	var at *time.Time
	if err := w.Super.QueryRow(context.Background(), `select last_used_time from api_keys where id = $1`, id).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}

func TestAPIKeyCreateExchangeAndUse(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	ctx := context.Background()
	key, secret := w.createKey(t, app.CreateAPIKey{ClientName: "  Acme Billing ", Roles: []domain.Role{domain.RoleBilling, domain.RolePartner}})

	want := domain.APIKey{
		ID: key.ID, CompanyID: w.companyID, ClientName: "Acme Billing", Prefix: secret[:len(domain.APIKeyPrefix)+32],
		Roles: []domain.Role{domain.RoleBilling, domain.RolePartner}, CreatorUserID: w.ownerID,
		SecretHash: key.SecretHash, CreateTime: key.CreateTime,
	}
	if diff := cmp.Diff(want, key); diff != "" {
		t.Errorf("created key (-want +got):\n%s", diff)
	}
	if gotID, _, err := domain.ParseAPIKey(secret); err != nil || gotID != key.ID {
		t.Fatalf("secret %q names key %q (%v), want %q", secret, gotID, err, key.ID)
	}

	pair, err := w.App.APIKeys.Exchange(ctx, secret)
	if err != nil {
		t.Fatalf("ExchangeAPIKey: %v", err)
	}
	if pair.RefreshToken != "" || pair.SessionID != "" {
		t.Errorf("exchange returned a refresh token or session: %+v", pair)
	}
	p, err := w.verifier(t).Verify(ctx, pair.Access.Token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	wantP := identity.Principal{Subject: key.ID, CompanyID: w.companyID, Roles: []string{"billing", "partner"}, Kind: identity.KindAPIKey, TokenID: pair.Access.ID,
		IssueTime: pair.Access.IssueTime.Truncate(time.Second), ExpireTime: pair.Access.ExpireTime.Truncate(time.Second)}
	if diff := cmp.Diff(wantP, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	if err := w.App.Auth.CheckCaller(asCaller(p), p); err != nil {
		t.Errorf("CheckCaller of a live key: %v", err)
	}

	// The use is recorded at most once a minute.
	first := w.lastUsed(t, key.ID)
	if first == nil {
		t.Fatal("last use not recorded")
	}
	w.Clock.Advance(30 * time.Second)
	if _, err := w.App.APIKeys.Exchange(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if again := w.lastUsed(t, key.ID); !again.Equal(*first) {
		t.Errorf("last use rewritten after 30s: %v then %v", first, again)
	}
	w.Clock.Advance(31 * time.Second)
	if _, err := w.App.APIKeys.Exchange(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if later := w.lastUsed(t, key.ID); !later.After(*first) {
		t.Errorf("last use not rewritten after 61s: %v then %v", first, later)
	}
}

func TestAPIKeyExchangeRefusals(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	ctx := context.Background()
	_, live := w.createKey(t, app.CreateAPIKey{ClientName: "live", Roles: []domain.Role{domain.RolePartner}})
	revokedKey, revoked := w.createKey(t, app.CreateAPIKey{ClientName: "revoked", Roles: []domain.Role{domain.RolePartner}})
	owner := w.owner()
	if _, err := w.App.APIKeys.Revoke(asCaller(owner), owner, revokedKey.ID); err != nil {
		t.Fatal(err)
	}
	_, expiring := w.createKey(t, app.CreateAPIKey{ClientName: "expiring", Roles: []domain.Role{domain.RolePartner}, ExpireTime: w.Clock.Now().Add(time.Hour)})
	// A wrong secret for a real key id.
	wrongSecret := live[:41] + "A" + live[42:]
	if wrongSecret == live {
		wrongSecret = live[:41] + "B" + live[42:]
	}
	tests := []struct {
		name string
		key  string
	}{
		{"malformed", "ak_live_nope"},
		{"unknown id", "ak_live_" + "0195f3a200007000800000000000abcd" + live[40:]},
		{"wrong secret", wrongSecret},
		{"revoked", revoked},
	}
	for _, tc := range tests {
		_, err := w.App.APIKeys.Exchange(ctx, tc.key)
		wantKind(t, tc.name, err, errs.KindUnauthenticated)
	}
	if _, err := w.App.APIKeys.Exchange(ctx, expiring); err != nil {
		t.Fatalf("exchange before expiry: %v", err)
	}
	w.Clock.Advance(time.Hour)
	_, err := w.App.APIKeys.Exchange(ctx, expiring)
	wantKind(t, "expired", err, errs.KindUnauthenticated)

	if _, err := w.Super.Exec(ctx, `update companies set status = 'suspended' where id = $1`, w.companyID); err != nil {
		t.Fatal(err)
	}
	_, err = w.App.APIKeys.Exchange(ctx, live)
	wantKind(t, "company suspended", err, errs.KindUnauthenticated)
}

func TestCreateAPIKeyRules(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	admin := identity.Principal{Subject: w.SeedUser(t, w.companyID, "admin@acme.test", ownerPassword, "admin"), CompanyID: w.companyID, Roles: []string{"admin"}, Kind: identity.KindUser}
	keyCaller := identity.Principal{Subject: uuid.NewString(), CompanyID: w.companyID, Roles: []string{"admin"}, Kind: identity.KindAPIKey}
	tests := []struct {
		name   string
		caller identity.Principal
		cmd    app.CreateAPIKey
		want   errs.Kind
	}{
		{"owner role", w.owner(), app.CreateAPIKey{ClientName: "x", Roles: []domain.Role{domain.RoleOwner}}, errs.KindInvalid},
		{"role the creator lacks", admin, app.CreateAPIKey{ClientName: "x", Roles: []domain.Role{domain.RoleBilling}}, errs.KindPermissionDenied},
		{"blank client name", w.owner(), app.CreateAPIKey{ClientName: "  ", Roles: []domain.Role{domain.RolePartner}}, errs.KindInvalid},
		{"expiry in the past", w.owner(), app.CreateAPIKey{ClientName: "x", Roles: []domain.Role{domain.RolePartner}, ExpireTime: time.Now().Add(-time.Minute)}, errs.KindInvalid},
		{"created by an API key", keyCaller, app.CreateAPIKey{ClientName: "x", Roles: []domain.Role{domain.RolePartner}}, errs.KindPermissionDenied},
	}
	for _, tc := range tests {
		_, _, err := w.App.APIKeys.Create(asCaller(tc.caller), tc.caller, tc.cmd)
		wantKind(t, tc.name, err, tc.want)
	}
	if _, _, err := w.App.APIKeys.Create(asCaller(admin), admin, app.CreateAPIKey{ClientName: "ok", Roles: []domain.Role{domain.RoleAdmin}}); err != nil {
		t.Errorf("admin granting admin: %v", err)
	}
}

func TestCreateAPIKeyIsIdempotentAndShowsTheSecretOnce(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	requestID := uuid.NewString()
	cmd := app.CreateAPIKey{ClientName: "Acme Billing", Roles: []domain.Role{domain.RolePartner}, RequestID: requestID}
	first, secret := w.createKey(t, cmd)
	if secret == "" {
		t.Fatal("first create returned no secret")
	}
	again, secretAgain := w.createKey(t, cmd)
	if secretAgain != "" {
		t.Error("retry returned the secret again")
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("retry returned another key (-first +retry):\n%s", diff)
	}
	created := 0
	for _, e := range w.Events.Events() {
		if e.Type == app.EventAPIKeyCreated {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d ApiKeyCreated events, want 1", created)
	}

	owner := w.owner()
	cmd.ClientName = "Another client"
	_, _, err := w.App.APIKeys.Create(asCaller(owner), owner, cmd)
	wantKind(t, "same request id, different request", err, errs.KindInvalid)
	var e *errs.Error
	if !errors.As(err, &e) || e.Reason != postgres.ReasonRequestIDReused {
		t.Errorf("reason %+v, want %s", e, postgres.ReasonRequestIDReused)
	}
}

func TestRevokeAPIKeyIsIdempotent(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	key, secret := w.createKey(t, app.CreateAPIKey{ClientName: "x", Roles: []domain.Role{domain.RolePartner}})
	pair, err := w.App.APIKeys.Exchange(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	owner := w.owner()
	first, err := w.App.APIKeys.Revoke(asCaller(owner), owner, key.ID)
	if err != nil || first.RevokeTime.IsZero() {
		t.Fatalf("RevokeAPIKey = %+v, %v; want revoked", first, err)
	}
	second, err := w.App.APIKeys.Revoke(asCaller(owner), owner, key.ID)
	if err != nil {
		t.Fatalf("second RevokeAPIKey: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second revocation changed the key (-first +second):\n%s", diff)
	}
	if got := w.Events.Types(); slices.Index(got, app.EventAPIKeyRevoked) != len(got)-1 || slices.Index(got, app.EventAPIKeyRevoked) < 0 {
		t.Errorf("events %v, want one ApiKeyRevoked, last", got)
	}
	// The token exchanged before the revocation still verifies until it
	// expires, but WhoAmI's check sees the revocation.
	p, err := w.verifier(t).Verify(context.Background(), pair.Access.Token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	wantKind(t, "CheckCaller of a revoked key", w.App.Auth.CheckCaller(asCaller(p), p), errs.KindUnauthenticated)
}

func TestAPIKeysAreIsolatedByCompany(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	keyA, _ := w.createKey(t, app.CreateAPIKey{ClientName: "A's partner", Roles: []domain.Role{domain.RolePartner}})

	companyB := w.SeedCompany(t, "bravo-dme", "active")
	ownerB := identity.Principal{Subject: w.SeedUser(t, companyB, "owner@bravo.test", ownerPassword, "owner"), CompanyID: companyB, Roles: []string{"owner"}, Kind: identity.KindUser}
	ctxB := asCaller(ownerB)
	keyB, _, err := w.App.APIKeys.Create(ctxB, ownerB, app.CreateAPIKey{ClientName: "B's partner", Roles: []domain.Role{domain.RolePartner}})
	if err != nil {
		t.Fatal(err)
	}

	_, err = w.App.APIKeys.Get(ctxB, keyA.ID)
	wantKind(t, "B gets A's key", err, errs.KindNotFound)
	_, err = w.App.APIKeys.Revoke(ctxB, ownerB, keyA.ID)
	wantKind(t, "B revokes A's key", err, errs.KindNotFound)
	for _, showRevoked := range []bool{false, true} {
		keys, _, err := w.App.APIKeys.List(ctxB, ownerB, app.ListAPIKeys{ShowRevoked: showRevoked})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		if diff := cmp.Diff([]string{keyB.ID}, ids); diff != "" {
			t.Errorf("B's list (show revoked %v) (-want +got):\n%s", showRevoked, diff)
		}
	}
	stillA, err := w.App.APIKeys.Get(asCaller(w.owner()), keyA.ID)
	if err != nil || !stillA.RevokeTime.IsZero() {
		t.Errorf("A's key after B's attempts = %+v, %v; want unrevoked", stillA, err)
	}
}

func TestListAPIKeysPagesNewestFirst(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	owner := w.owner()
	ctx := asCaller(owner)
	var created []string
	for i := range 5 {
		k, _ := w.createKey(t, app.CreateAPIKey{ClientName: "client " + string(rune('a'+i)), Roles: []domain.Role{domain.RolePartner}})
		created = append(created, k.ID)
	}
	if _, err := w.App.APIKeys.Revoke(ctx, owner, created[2]); err != nil {
		t.Fatal(err)
	}
	list := func(showRevoked bool) []string {
		var ids []string
		token := ""
		for {
			keys, next, err := w.App.APIKeys.List(ctx, owner, app.ListAPIKeys{PageSize: 2, PageToken: token, ShowRevoked: showRevoked})
			if err != nil {
				t.Fatalf("ListAPIKeys: %v", err)
			}
			for _, k := range keys {
				ids = append(ids, k.ID)
			}
			if next == "" {
				return ids
			}
			token = next
		}
	}
	all := slices.Clone(created)
	slices.Reverse(all)
	if diff := cmp.Diff(all, list(true)); diff != "" {
		t.Errorf("all keys (-want +got):\n%s", diff)
	}
	live := slices.DeleteFunc(slices.Clone(all), func(id string) bool { return id == created[2] })
	if diff := cmp.Diff(live, list(false)); diff != "" {
		t.Errorf("live keys (-want +got):\n%s", diff)
	}
	_, next, _ := w.App.APIKeys.List(ctx, owner, app.ListAPIKeys{PageSize: 1})
	_, _, err := w.App.APIKeys.List(ctx, owner, app.ListAPIKeys{PageSize: 1, PageToken: next, ShowRevoked: true})
	wantKind(t, "token reused with another filter", err, errs.KindInvalid)
}
