package grpcapi_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/company/internal/app"
)

const newOwnerPassword = "a brand new passphrase for the owner"

// signIn signs in as email with password, failing the test on an error.
func (h *authHarness) signIn(t *testing.T, email, password string) *companyv1.TokenPair {
	t.Helper()
	pair, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: email, Password: password})
	if err != nil {
		t.Fatalf("Login %s: %v", email, err)
	}
	return pair
}

func (h *authHarness) refuseSignIn(t *testing.T, what, email, password string) {
	t.Helper()
	_, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: email, Password: password})
	wantAuthCode(t, what, err, codes.Unauthenticated)
}

// Changing a password needs the current one, follows the rules, ends every
// other session (their refresh tokens stop at once) and keeps the caller's.
func TestPasswordChange(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	here, there := h.login(t), h.login(t)
	caller := authtest.Bearer(here.GetAccessToken())

	_, err := h.auth.ChangePassword(caller, &companyv1.ChangePasswordRequest{CurrentPassword: "not the password", NewPassword: newOwnerPassword})
	grpcerrtest.WantInvalid(t, err, "currentPassword")
	for _, bad := range []string{"short", "iloveyou", "Sunshine", rpcOwnerEmail, "owner@ACME.test", rpcPassword} {
		_, err := h.auth.ChangePassword(caller, &companyv1.ChangePasswordRequest{CurrentPassword: rpcPassword, NewPassword: bad})
		grpcerrtest.WantInvalid(t, err, "newPassword")
	}
	resp, err := h.auth.ChangePassword(caller, &companyv1.ChangePasswordRequest{CurrentPassword: rpcPassword, NewPassword: newOwnerPassword})
	if err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if resp.GetRevokedSessions() != 1 {
		t.Errorf("revoked %d sessions, want 1 (the other one)", resp.GetRevokedSessions())
	}
	if _, err := h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: there.GetRefreshToken()}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("the other session's refresh: %v, want UNAUTHENTICATED", err)
	}
	if _, err := h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: here.GetRefreshToken()}); err != nil {
		t.Errorf("the caller's own refresh: %v, want it to go on", err)
	}
	h.refuseSignIn(t, "the old password", rpcOwnerEmail, rpcPassword)
	h.signIn(t, rpcOwnerEmail, newOwnerPassword)

	types := h.env.Events.Types()
	if !slices.Contains(types, app.EventPasswordChanged) || !slices.Contains(types, app.EventSessionRevoked) {
		t.Errorf("events %v: want PasswordChanged and SessionRevoked", types)
	}
}

// An administrator's reset disables the password at once, ends the user's
// sessions and issues a one-time token: it sets a password once, a second
// reset replaces it, and it expires.
func TestPasswordResetByAnAdministrator(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	const email, password = "ines@acme.test", "intake's own passphrase"
	userID := h.env.SeedUser(t, h.companyID, email, password, "intake")
	session := h.signIn(t, email, password)
	owner := authtest.Bearer(h.login(t).GetAccessToken())

	first, err := h.users.ResetUserPassword(owner, &companyv1.ResetUserPasswordRequest{Id: userID})
	if err != nil {
		t.Fatalf("ResetUserPassword: %v", err)
	}
	if first.GetRevokedSessions() != 1 || first.GetResetToken() == "" {
		t.Fatalf("reset %v: want a token and the user's one session revoked", first)
	}
	if _, err := h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: session.GetRefreshToken()}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("refresh after the reset: %v, want UNAUTHENTICATED", err)
	}
	h.refuseSignIn(t, "the password before the reset", email, password)

	second, err := h.users.ResetUserPassword(owner, &companyv1.ResetUserPasswordRequest{Id: userID})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(token, pw string) error {
		_, err := h.auth.CompletePasswordReset(context.Background(), &companyv1.CompletePasswordResetRequest{CompanyCode: rpcCompanyCode, Token: token, NewPassword: pw})
		return err
	}
	grpcerrtest.WantReason(t, complete(first.GetResetToken(), "ines chose this one"), codes.Unauthenticated, app.ReasonPasswordTokenNotAccepted)
	grpcerrtest.WantInvalid(t, complete(second.GetResetToken(), "password1"), "newPassword")
	if err := complete(second.GetResetToken(), "ines chose this one"); err != nil {
		t.Fatalf("CompletePasswordReset: %v", err)
	}
	grpcerrtest.WantReason(t, complete(second.GetResetToken(), "and then another one"), codes.Unauthenticated, app.ReasonPasswordTokenNotAccepted)
	h.signIn(t, email, "ines chose this one")

	// An admin may not reset an owner's password.
	const adminEmail, adminPassword = "ada@acme.test", "the admin's passphrase"
	h.env.SeedUser(t, h.companyID, adminEmail, adminPassword, "admin")
	admin := authtest.Bearer(h.signIn(t, adminEmail, adminPassword).GetAccessToken())
	_, err = h.users.ResetUserPassword(admin, &companyv1.ResetUserPasswordRequest{Id: h.ownerID})
	wantAuthCode(t, "an admin resetting the owner", err, codes.PermissionDenied)

	third, err := h.users.ResetUserPassword(owner, &companyv1.ResetUserPasswordRequest{Id: userID})
	if err != nil {
		t.Fatal(err)
	}
	h.env.Clock.Advance(app.DefaultPasswordResetTTL + time.Minute)
	grpcerrtest.WantReason(t, complete(third.GetResetToken(), "too late for this one"), codes.Unauthenticated, app.ReasonPasswordTokenNotAccepted)
	grpcerrtest.WantReason(t, complete("pt_not-a-token", "whatever it may be"), codes.Unauthenticated, app.ReasonPasswordTokenNotAccepted)

}

// An account that must choose its own password (the owner a bootstrap
// made) gets a token for that from its right password, not a session; the
// token sets the password once, and then the account signs in as usual.
func TestSignInThatMustChangeThePassword(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	if _, err := h.env.Super.Exec(context.Background(), `update users set must_change_password = true where id = $1`, h.ownerID); err != nil {
		t.Fatal(err)
	}
	h.refuseSignIn(t, "a wrong password", rpcOwnerEmail, "not the password")
	_, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail, Password: rpcPassword})
	info := grpcerrtest.WantReason(t, err, codes.FailedPrecondition, app.ReasonPasswordChangeRequired)
	token := info.GetMetadata()[app.MetadataPasswordChangeToken]
	if token == "" {
		t.Fatalf("PASSWORD_CHANGE_REQUIRED without a token: %v", info)
	}
	for _, d := range status.Convert(err).Details() {
		if _, ok := d.(*errdetails.RetryInfo); ok {
			t.Error("a must-change answer says to retry")
		}
	}
	if _, err := h.auth.CompletePasswordReset(context.Background(), &companyv1.CompletePasswordResetRequest{
		CompanyCode: rpcCompanyCode, Token: token, NewPassword: newOwnerPassword,
	}); err != nil {
		t.Fatalf("CompletePasswordReset with the sign-in's token: %v", err)
	}
	h.refuseSignIn(t, "the bootstrap password", rpcOwnerEmail, rpcPassword)
	pair := h.signIn(t, rpcOwnerEmail, newOwnerPassword)
	if pair.GetSessionId() == "" {
		t.Fatal("no session after the change")
	}
}

// A key may not reset a password, whatever its roles.
func TestAuthRPCKeysCannotResetPasswords(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	owner := authtest.Bearer(h.login(t).GetAccessToken())
	created, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
		ApiKey: &companyv1.ApiKey{ClientName: "Robot", Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN}},
	})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: created.GetSecret()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.users.ResetUserPassword(authtest.Bearer(pair.GetAccessToken()), &companyv1.ResetUserPasswordRequest{Id: h.ownerID})
	grpcerrtest.WantReason(t, err, codes.PermissionDenied, auth.ReasonPeopleOnly)
}
