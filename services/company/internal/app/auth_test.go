package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/argon2"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

const (
	acmeCode      = "acme-medical"
	ownerEmail    = "owner@acme.test"
	ownerPassword = "correct horse battery staple"
)

// authWorld is one test's database with a company and its owner.
type authWorld struct {
	*authntest.Env
	companyID string
	ownerID   string
}

func newAuthWorld(t *testing.T, opts authntest.Options) authWorld {
	t.Helper()
	e := authntest.New(t, opts)
	w := authWorld{Env: e}
	w.companyID = e.SeedCompany(t, acmeCode, "active")
	w.ownerID = e.SeedUser(t, w.companyID, ownerEmail, ownerPassword, "owner")
	return w
}

func (w authWorld) login(t *testing.T) app.TokenPair {
	t.Helper()
	pair, err := w.App.Auth.Login(context.Background(), app.Login{CompanyCode: acmeCode, Email: ownerEmail, Password: ownerPassword})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return pair
}

// verifier is the service's own verifier over the world's keys.
func (w authWorld) verifier(t *testing.T) interface {
	Verify(context.Context, string) (identity.Principal, error)
} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := authn.NewVerifier(ctx, w.KeySet, authn.VerifierConfig{
		Issuer:                 authntest.Issuer,
		Audience:               authntest.Audience,
		UnknownKIDRefreshFloor: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// asCaller is a request context authenticated as p.
func asCaller(p identity.Principal) context.Context {
	return identity.NewContext(context.Background(), p)
}

// sessionRow reads a session behind row-level security.
type sessionRow struct {
	UserID       string
	RevokeReason string
	Revoked      bool
	LiveTokens   int
	UsedTokens   int
}

func (w authWorld) session(t *testing.T, id string) sessionRow {
	t.Helper()
	var r sessionRow
	err := w.Super.QueryRow(context.Background(), `
		select s.user_id::text, s.revoke_reason, s.revoke_time is not null,
		       (select count(*) from refresh_tokens t where t.session_id = s.id and t.used_time is null and t.revoke_time is null),
		       (select count(*) from refresh_tokens t where t.session_id = s.id and t.used_time is not null)
		from sessions s where s.id = $1`, id).Scan(&r.UserID, &r.RevokeReason, &r.Revoked, &r.LiveTokens, &r.UsedTokens)
	if err != nil {
		t.Fatalf("read session %s: %v", id, err)
	}
	return r
}

// userRow reads the sign-in columns of a user.
type userRow struct {
	Status      string
	Failed      int
	Locked      bool
	LoggedIn    bool
	HashPrefix  string
	VersionBump int64
}

func (w authWorld) user(t *testing.T, id string) userRow {
	t.Helper()
	var r userRow
	var hash string
	err := w.Super.QueryRow(context.Background(), `
		select status, failed_login_count, locked_until is not null, last_login_time is not null, password_hash, version - 1
		from users where id = $1`, id).Scan(&r.Status, &r.Failed, &r.Locked, &r.LoggedIn, &hash, &r.VersionBump)
	if err != nil {
		t.Fatalf("read user %s: %v", id, err)
	}
	r.HashPrefix = hash[:len(domain.PasswordHashPrefix())]
	return r
}

// wantKind fails unless err is classified as kind.
func wantKind(t *testing.T, what string, err error, kind errs.Kind) {
	t.Helper()
	if err == nil || errs.KindOf(err) != kind {
		t.Fatalf("%s: error %v, want kind %s", what, err, kind)
	}
}

func TestLoginIssuesVerifiableTokensAndStartsASession(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	pair, err := w.App.Auth.Login(context.Background(), app.Login{
		CompanyCode: acmeCode, Email: "OWNER@acme.test", Password: ownerPassword,
		ClientIP: "203.0.113.7", UserAgent: "test-agent/1.0",
	})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}

	p, err := w.verifier(t).Verify(context.Background(), pair.Access.Token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := identity.Principal{
		Subject: w.ownerID, CompanyID: w.companyID, Roles: []string{"owner"},
		Kind: identity.KindUser, TokenID: pair.Access.ID, SessionID: pair.SessionID,
		IssueTime: pair.Access.IssueTime.Truncate(time.Second), ExpireTime: pair.Access.ExpireTime.Truncate(time.Second),
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	if got := pair.Access.ExpireTime.Sub(pair.Access.IssueTime); got != 15*time.Minute {
		t.Errorf("access token lifetime %v, want 15m", got)
	}
	if got := pair.RefreshExpireTime.Sub(pair.Access.IssueTime); got < 29*time.Minute || got > 31*time.Minute {
		t.Errorf("refresh token usable for %v, want the 30m idle timeout", got)
	}

	if diff := cmp.Diff(sessionRow{UserID: w.ownerID, LiveTokens: 1}, w.session(t, pair.SessionID)); diff != "" {
		t.Errorf("session (-want +got):\n%s", diff)
	}
	if u := w.user(t, w.ownerID); !u.LoggedIn || u.Failed != 0 || u.VersionBump != 0 {
		t.Errorf("user after sign-in = %+v, want last login recorded, no failures, version untouched", u)
	}

	// The refresh token is stored as the SHA-256 of its secret, nothing else.
	secret, _ := base64.RawURLEncoding.DecodeString(pair.RefreshToken[len("rt_"):])
	sum := sha256.Sum256(secret)
	var stored int
	if err := w.Super.QueryRow(context.Background(), `select count(*) from refresh_tokens where token_hash = $1`, sum[:]).Scan(&stored); err != nil || stored != 1 {
		t.Errorf("refresh tokens stored under the secret's hash = %d, %v; want 1", stored, err)
	}

	var origin [2]string
	if err := w.Super.QueryRow(context.Background(), `select client_ip, user_agent from sessions where id = $1`, pair.SessionID).Scan(&origin[0], &origin[1]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]string{"203.0.113.7", "test-agent/1.0"}, origin); diff != "" {
		t.Errorf("session origin (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{app.EventSigningKeyRotated, app.EventSessionStarted}, w.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestLoginFailuresAllLookTheSame(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	suspended := w.SeedCompany(t, "suspended-dme", "suspended")
	w.SeedUser(t, suspended, "owner@suspended.test", ownerPassword, "owner")
	deactivated := w.SeedUser(t, w.companyID, "gone@acme.test", ownerPassword, "intake")
	if _, err := w.Super.Exec(context.Background(), `update users set status = 'deactivated' where id = $1`, deactivated); err != nil {
		t.Fatal(err)
	}
	locked := w.SeedUser(t, w.companyID, "locked@acme.test", ownerPassword, "intake")
	if _, err := w.Super.Exec(context.Background(),
		`update users set status = 'locked', failed_login_count = 5, locked_until = now() + interval '1 hour' where id = $1`, locked); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		cmd  app.Login
	}{
		{"unknown company", app.Login{CompanyCode: "no-such-dme", Email: ownerEmail, Password: ownerPassword}},
		{"unknown email", app.Login{CompanyCode: acmeCode, Email: "nobody@acme.test", Password: ownerPassword}},
		{"wrong password", app.Login{CompanyCode: acmeCode, Email: ownerEmail, Password: "wrong password entirely"}},
		{"deactivated user", app.Login{CompanyCode: acmeCode, Email: "gone@acme.test", Password: ownerPassword}},
		{"locked user, right password", app.Login{CompanyCode: acmeCode, Email: "locked@acme.test", Password: ownerPassword}},
		{"suspended company", app.Login{CompanyCode: "suspended-dme", Email: "owner@suspended.test", Password: ownerPassword}},
		{"user of another company", app.Login{CompanyCode: acmeCode, Email: "owner@suspended.test", Password: ownerPassword}},
	}
	want := errs.Unauthenticated("invalid credentials")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.App.Auth.Login(context.Background(), tc.cmd)
			var got *errs.Error
			if !errors.As(err, &got) {
				t.Fatalf("Login error = %v, want %v", err, want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Login error (-want +got):\n%s", diff)
			}
		})
	}
	var sessions int
	if err := w.Super.QueryRow(context.Background(), `select count(*) from sessions`).Scan(&sessions); err != nil || sessions != 0 {
		t.Errorf("sessions after failed sign-ins = %d, %v; want 0", sessions, err)
	}
}

// failures reads source's counter against userID ("" for the company).
func (w *authWorld) failures(t *testing.T, userID, source string) (failed, lockouts int, blocked bool) {
	t.Helper()
	err := w.Super.QueryRow(context.Background(), `
		select failed_count, lockouts, locked_until is not null from sign_in_failures
		where source = $2 and coalesce(user_id::text, '') = $1`, userID, source).Scan(&failed, &lockouts, &blocked)
	if err != nil {
		t.Fatalf("sign-in failures of %s against %q: %v", source, userID, err)
	}
	return failed, lockouts, blocked
}

// Failures block only the source they come from: the owner signs in from
// elsewhere meanwhile, the account is never locked, the user is told once,
// and the source gets back in after the window.
func TestLoginBlocksOnlyTheFailingSourceAndLetsItBackAfterTheWindow(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	const attacker, owner = "198.51.100.7", "203.0.113.9"
	wrong := app.Login{CompanyCode: acmeCode, Email: ownerEmail, Password: "not the password at all", ClientIP: attacker}
	right := app.Login{CompanyCode: acmeCode, Email: ownerEmail, Password: ownerPassword, ClientIP: attacker}
	fromOwner := app.Login{CompanyCode: acmeCode, Email: ownerEmail, Password: ownerPassword, ClientIP: owner}
	ctx := context.Background()

	for i := 1; i <= 5; i++ {
		_, err := w.App.Auth.Login(ctx, wrong)
		wantKind(t, fmt.Sprintf("failure %d", i), err, errs.KindUnauthenticated)
	}
	if failed, lockouts, blocked := w.failures(t, w.ownerID, attacker); failed != 5 || lockouts != 1 || !blocked {
		t.Errorf("after 5 failures: failed %d, lockouts %d, blocked %v; want 5, 1, true", failed, lockouts, blocked)
	}
	if row := w.user(t, w.ownerID); row.Status != "active" || row.Locked {
		t.Errorf("the account after 5 failures: %+v; want active, never locked", row)
	}
	w.Clock.Advance(14 * time.Minute)
	_, err := w.App.Auth.Login(ctx, right)
	wantKind(t, "right password from the blocked source", err, errs.KindUnauthenticated)
	if _, err := w.App.Auth.Login(ctx, fromOwner); err != nil {
		t.Fatalf("the owner from another address during the block: %v", err)
	}
	blockedEvents := 0
	for _, typ := range w.Events.Types() {
		if typ == app.EventSignInBlocked {
			blockedEvents++
		}
	}
	if blockedEvents != 1 {
		t.Errorf("%d SignInBlocked events, want 1", blockedEvents)
	}

	w.Clock.Advance(time.Minute)
	if _, err := w.App.Auth.Login(ctx, right); err != nil {
		t.Fatalf("right password from the source after the block: %v", err)
	}
	if failed, _, blocked := w.failures(t, w.ownerID, attacker); failed != 0 || blocked {
		t.Errorf("after a success the pair has failed %d, blocked %v; want cleared", failed, blocked)
	}
}

func TestLoginCountsConcurrentFailuresExactly(t *testing.T) {
	t.Parallel()
	settings := authntest.DefaultSettings()
	settings.LoginMaxFailures = 100
	w := newAuthWorld(t, authntest.Options{Settings: &settings})
	const attempts, source = 8, "198.51.100.8"
	var wg sync.WaitGroup
	for range attempts {
		wg.Go(func() {
			_, err := w.App.Auth.Login(context.Background(), app.Login{CompanyCode: acmeCode, Email: ownerEmail, Password: "wrong password, racing", ClientIP: source})
			if errs.KindOf(err) != errs.KindUnauthenticated {
				t.Errorf("Login: %v, want unauthenticated", err)
			}
		})
	}
	wg.Wait()
	if got, _, _ := w.failures(t, w.ownerID, source); got != attempts {
		t.Errorf("the source's failures against the account = %d after %d concurrent failures", got, attempts)
	}
	if got, _, _ := w.failures(t, "", source); got != attempts {
		t.Errorf("the source's failures against the company = %d after %d concurrent failures", got, attempts)
	}
}

func TestLoginUpgradesAWeakPasswordHash(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(ownerPassword), salt, 1, 8*1024, 1, 32)
	enc := base64.RawStdEncoding
	weak := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s", enc.EncodeToString(salt), enc.EncodeToString(key))
	if _, err := w.Super.Exec(context.Background(), `update users set password_hash = $2 where id = $1`, w.ownerID, weak); err != nil {
		t.Fatal(err)
	}
	w.login(t)
	if got := w.user(t, w.ownerID).HashPrefix; got != domain.PasswordHashPrefix() {
		t.Errorf("hash after sign-in starts %q, want the current parameters", got)
	}
	w.login(t) // the new hash verifies
}

func TestRefreshRotatesTheToken(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	first := w.login(t)
	w.Clock.Advance(10 * time.Minute)
	second, err := w.App.Auth.Refresh(context.Background(), first.RefreshToken)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if second.RefreshToken == first.RefreshToken || second.SessionID != first.SessionID || second.Access.ID == first.Access.ID {
		t.Errorf("refresh returned %+v after %+v: want a new refresh token and access token in the same session", second, first)
	}
	if diff := cmp.Diff(sessionRow{UserID: w.ownerID, LiveTokens: 1, UsedTokens: 1}, w.session(t, first.SessionID)); diff != "" {
		t.Errorf("session (-want +got):\n%s", diff)
	}
	// The session's idle deadline moved with the refresh.
	if got := second.RefreshExpireTime.Sub(first.RefreshExpireTime); got < 9*time.Minute {
		t.Errorf("refresh deadline moved by %v, want about 10m", got)
	}
	// The new pair keeps working.
	if _, err := w.App.Auth.Refresh(context.Background(), second.RefreshToken); err != nil {
		t.Fatalf("Refresh with the new token: %v", err)
	}
}

func TestRefreshTokenReuseRevokesTheWholeSession(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	ctx := context.Background()
	first := w.login(t)
	second, err := w.App.Auth.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}

	_, err = w.App.Auth.Refresh(ctx, first.RefreshToken)
	wantKind(t, "replayed refresh token", err, errs.KindUnauthenticated)
	if diff := cmp.Diff(sessionRow{UserID: w.ownerID, RevokeReason: "refresh_token_reuse", Revoked: true, UsedTokens: 1}, w.session(t, first.SessionID)); diff != "" {
		t.Errorf("session after reuse (-want +got):\n%s", diff)
	}
	_, err = w.App.Auth.Refresh(ctx, second.RefreshToken)
	wantKind(t, "newest token of the revoked family", err, errs.KindUnauthenticated)

	events := w.Events.Events()
	last := events[len(events)-1]
	if last.Type != app.EventSessionRevoked || last.ResourceID != first.SessionID || last.CompanyID != w.companyID {
		t.Errorf("last event %+v, want SessionRevoked of the session", last)
	}
	if err := w.App.Auth.CheckCaller(asCaller(identity.Principal{Subject: w.ownerID, CompanyID: w.companyID, Kind: identity.KindUser, SessionID: first.SessionID}),
		identity.Principal{Subject: w.ownerID, CompanyID: w.companyID, Kind: identity.KindUser, SessionID: first.SessionID}); errs.KindOf(err) != errs.KindUnauthenticated {
		t.Errorf("CheckCaller of a revoked session = %v, want unauthenticated", err)
	}
}

func TestRacingRefreshesWithOneTokenHaveOneWinner(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	first := w.login(t)
	const racers = 4
	results := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			_, results[i] = w.App.Auth.Refresh(context.Background(), first.RefreshToken)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range results {
		switch {
		case err == nil:
			wins++
		case errs.KindOf(err) != errs.KindUnauthenticated:
			t.Errorf("losing refresh: %v, want unauthenticated", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d refreshes won, want exactly 1", wins)
	}
	// The losers presented a used token: the session is revoked.
	if got := w.session(t, first.SessionID); !got.Revoked || got.RevokeReason != "refresh_token_reuse" {
		t.Errorf("session after the race = %+v, want revoked for reuse", got)
	}
}

func TestRefreshEnforcesTimeoutsAndAccountState(t *testing.T) {
	t.Parallel()
	settings := authntest.DefaultSettings()
	settings.SessionMaxAge = time.Hour
	w := newAuthWorld(t, authntest.Options{Settings: &settings})
	ctx := context.Background()

	t.Run("idle", func(t *testing.T) {
		pair := w.login(t)
		w.Clock.Advance(30 * time.Minute)
		_, err := w.App.Auth.Refresh(ctx, pair.RefreshToken)
		wantKind(t, "refresh after 30m idle", err, errs.KindUnauthenticated)
		if got := w.session(t, pair.SessionID); got.Revoked || got.LiveTokens != 1 {
			t.Errorf("an idle session's refusal changed it: %+v", got)
		}
	})
	t.Run("absolute", func(t *testing.T) {
		pair := w.login(t)
		for i := range 2 {
			w.Clock.Advance(25 * time.Minute)
			var err error
			if pair, err = w.App.Auth.Refresh(ctx, pair.RefreshToken); err != nil {
				t.Fatalf("refresh %d: %v", i+1, err)
			}
		}
		w.Clock.Advance(10 * time.Minute)
		_, err := w.App.Auth.Refresh(ctx, pair.RefreshToken)
		wantKind(t, "refresh after the maximum age", err, errs.KindUnauthenticated)
	})
	t.Run("user deactivated", func(t *testing.T) {
		pair := w.login(t)
		if _, err := w.Super.Exec(ctx, `update users set status = 'deactivated' where id = $1`, w.ownerID); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Super.Exec(ctx, `update users set status = 'active' where id = $1`, w.ownerID) })
		_, err := w.App.Auth.Refresh(ctx, pair.RefreshToken)
		wantKind(t, "refresh of a deactivated user", err, errs.KindUnauthenticated)
	})
	t.Run("malformed and unknown tokens", func(t *testing.T) {
		for _, token := range []string{"", "rt_short", "rt_" + base64.RawURLEncoding.EncodeToString(make([]byte, 32))} {
			_, err := w.App.Auth.Refresh(ctx, token)
			wantKind(t, fmt.Sprintf("Refresh(%q)", token), err, errs.KindUnauthenticated)
		}
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	ctx := context.Background()
	pair := w.login(t)
	caller := identity.Principal{Subject: w.ownerID, CompanyID: w.companyID, Roles: []string{"owner"}, Kind: identity.KindUser, SessionID: pair.SessionID}

	if err := w.App.Auth.CheckCaller(asCaller(caller), caller); err != nil {
		t.Fatalf("CheckCaller before logout: %v", err)
	}
	if err := w.App.Auth.Logout(asCaller(caller), caller); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if diff := cmp.Diff(sessionRow{UserID: w.ownerID, RevokeReason: "logout", Revoked: true}, w.session(t, pair.SessionID)); diff != "" {
		t.Errorf("session after logout (-want +got):\n%s", diff)
	}
	_, err := w.App.Auth.Refresh(ctx, pair.RefreshToken)
	wantKind(t, "refresh after logout", err, errs.KindUnauthenticated)
	err = w.App.Auth.CheckCaller(asCaller(caller), caller)
	wantKind(t, "CheckCaller after logout", err, errs.KindUnauthenticated)

	if err := w.App.Auth.Logout(asCaller(caller), caller); err != nil {
		t.Errorf("second Logout: %v, want success", err)
	}
	revocations := 0
	for _, e := range w.Events.Events() {
		if e.Type == app.EventSessionRevoked {
			revocations++
		}
	}
	if revocations != 1 {
		t.Errorf("%d SessionRevoked events, want 1", revocations)
	}

	apiKeyCaller := identity.Principal{Subject: "0195f3a2-0000-7000-8000-000000000001", CompanyID: w.companyID, Roles: []string{"partner"}, Kind: identity.KindAPIKey}
	err = w.App.Auth.Logout(asCaller(apiKeyCaller), apiKeyCaller)
	wantKind(t, "Logout of an API key", err, errs.KindFailedPrecondition)

	// Another user's session id is not the caller's to end.
	other := w.SeedUser(t, w.companyID, "intake@acme.test", ownerPassword, "intake")
	pair2 := w.login(t)
	intruder := identity.Principal{Subject: other, CompanyID: w.companyID, Roles: []string{"intake"}, Kind: identity.KindUser, SessionID: pair2.SessionID}
	err = w.App.Auth.Logout(asCaller(intruder), intruder)
	wantKind(t, "Logout of another user's session", err, errs.KindNotFound)
}

func TestRefreshCarriesTheUsersCurrentRoles(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	ctx := context.Background()
	pair := w.login(t)
	if _, err := w.Super.Exec(ctx, `update users set roles = '{owner,auditor}' where id = $1`, w.ownerID); err != nil {
		t.Fatal(err)
	}
	next, err := w.App.Auth.Refresh(ctx, pair.RefreshToken)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	p, err := w.verifier(t).Verify(ctx, next.Access.Token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if diff := cmp.Diff([]string{"owner", "auditor"}, p.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

// TestRefreshRacingLogoutNeitherDeadlocksNorFails races a refresh with a
// logout of the same session: whichever goes first, the other sees its
// outcome; neither fails with anything but Unauthenticated.
func TestRefreshRacingLogoutNeitherDeadlocksNorFails(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	for range 3 {
		pair := w.login(t)
		caller := identity.Principal{Subject: w.ownerID, CompanyID: w.companyID, Roles: []string{"owner"}, Kind: identity.KindUser, SessionID: pair.SessionID}
		var refreshErr, logoutErr error
		var wg sync.WaitGroup
		wg.Go(func() { _, refreshErr = w.App.Auth.Refresh(context.Background(), pair.RefreshToken) })
		wg.Go(func() { logoutErr = w.App.Auth.Logout(asCaller(caller), caller) })
		wg.Wait()
		if logoutErr != nil {
			t.Errorf("Logout: %v", logoutErr)
		}
		if refreshErr != nil && errs.KindOf(refreshErr) != errs.KindUnauthenticated {
			t.Errorf("Refresh: %v, want success or unauthenticated", refreshErr)
		}
		if got := w.session(t, pair.SessionID); !got.Revoked || got.LiveTokens != 0 {
			t.Errorf("session after logout = %+v, want revoked with no live token", got)
		}
	}
}
