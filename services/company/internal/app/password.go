package app

import (
	"context"
	"time"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// PasswordRepository changes passwords, each change one transaction over
// the user's locked login account.
type PasswordRepository interface {
	CompanyIDForCode(ctx context.Context, code string) (id string, found bool, err error)
	UpdatePassword(ctx context.Context, companyID, userID string, update func(*domain.PasswordUpdate) error) error
	RedeemPasswordToken(ctx context.Context, companyID string, hash []byte, redeem func(domain.PasswordToken, *domain.PasswordUpdate) error) error
}

// Password reasons.
const (
	// ReasonPasswordChangeRequired: Login's answer to the right password of
	// an account that must choose its own first; metadata
	// MetadataPasswordChangeToken holds the token for CompletePasswordReset.
	ReasonPasswordChangeRequired = "PASSWORD_CHANGE_REQUIRED"
	// ReasonPasswordTokenNotAccepted: a password token that is unknown,
	// spent or expired.
	ReasonPasswordTokenNotAccepted = "PASSWORD_TOKEN_NOT_ACCEPTED"
	// MetadataPasswordChangeToken names the token in the error's metadata.
	MetadataPasswordChangeToken = "password_change_token"
)

// DefaultPasswordResetTTL is how long an administrator's reset token works
// unless the policy says otherwise.
const DefaultPasswordResetTTL = 24 * time.Hour

// Passwords are the password use cases: a user changing their own, an
// administrator's reset, and setting one with a one-time token.
type Passwords struct{ r *registry }

// ChangePassword replaces the caller's password.
type ChangePassword struct {
	Current, New string
}

// Change replaces the caller's password after checking the current one,
// and ends every other session of the user. It answers how many ended.
func (h Passwords) Change(ctx context.Context, cmd ChangePassword) (revoked int, err error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return 0, err
	}
	if caller.Kind != identity.KindUser {
		return 0, errs.PermissionDenied("only a person changes their own password")
	}
	leave, err := h.r.PasswordGate.Enter(ctx)
	if err != nil {
		return 0, err
	}
	defer leave()
	err = h.r.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		var u *domain.PasswordUpdate
		err := h.r.Store.UpdatePassword(ctx, caller.CompanyID, caller.Subject, func(pu *domain.PasswordUpdate) error {
			u = pu
			pu.Time = h.r.Now.Stamp()
			ok, _, verr := domain.VerifyPassword(pu.Account.PasswordHash, cmd.Current)
			if !ok || verr != nil {
				return errs.Invalid(errs.FieldViolation{Field: "currentPassword", Description: "is not the account's password"})
			}
			if err := domain.CheckNewPassword("newPassword", cmd.New, pu.Email); err != nil {
				return err
			}
			if cmd.New == cmd.Current {
				return errs.Invalid(errs.FieldViolation{Field: "newPassword", Description: "must differ from the current password"})
			}
			hash, err := domain.HashPassword(cmd.New)
			if err != nil {
				return err
			}
			pu.NewHash, pu.MustChange = hash, false
			pu.RevokeSessions, pu.KeepSession, pu.RevokeReason = true, caller.SessionID, domain.RevokeReasonPasswordChanged
			return nil
		})
		if err != nil {
			return err
		}
		revoked = len(u.Revoked)
		return h.recordChanged(ctx, u, caller.Subject, false)
	})
	if err != nil {
		return 0, err
	}
	return revoked, nil
}

// ResetUserPassword is an administrator resetting a user's password.
type ResetUserPassword struct {
	ID string
}

// PasswordResetIssued is what a reset hands back, the only time the token
// is shown.
type PasswordResetIssued struct {
	Token      string
	ExpireTime time.Time
	Revoked    int
}

// Reset disables the user's password, ends every session of theirs and
// issues a one-time token for CompletePasswordReset, replacing any unused
// one. Only an owner resets an owner's password.
func (h Passwords) Reset(ctx context.Context, cmd ResetUserPassword) (PasswordResetIssued, error) {
	actor, tenant, err := caller(ctx)
	if err != nil {
		return PasswordResetIssued{}, err
	}
	if err := usecase.CheckID("id", cmd.ID); err != nil {
		return PasswordResetIssued{}, err
	}
	ttl := h.r.AuthPolicy.PasswordResetTTL
	if ttl <= 0 {
		ttl = DefaultPasswordResetTTL
	}
	var out PasswordResetIssued
	err = h.r.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		var u *domain.PasswordUpdate
		err := h.r.Store.UpdatePassword(ctx, tenant, cmd.ID, func(pu *domain.PasswordUpdate) error {
			u = pu
			if err := domain.CheckOwnerReset(actor, pu.Account.Roles); err != nil {
				return err
			}
			pu.Time = h.r.Now.Stamp()
			token, t, err := domain.NewPasswordToken(tenant, cmd.ID, domain.PasswordTokenReset, pu.Time, ttl)
			if err != nil {
				return err
			}
			out.Token, out.ExpireTime = token, t.ExpireTime
			pu.NewHash, pu.MustChange, pu.IssueToken = domain.PasswordDisabled, false, &t
			pu.RevokeSessions, pu.RevokeReason = true, domain.RevokeReasonPasswordReset
			return nil
		})
		if err != nil {
			return err
		}
		out.Revoked = len(u.Revoked)
		if err := h.r.Events.Record(ctx, Event{
			Type: EventPasswordReset, CompanyID: tenant, ResourceID: cmd.ID,
			Payload: &companyv1.PasswordReset{CompanyId: tenant, UserId: cmd.ID, ActorId: actor.ID,
				OccurTime: timestamp(u.Time), TokenExpireTime: timestamp(out.ExpireTime)},
		}); err != nil {
			return err
		}
		return h.recordRevoked(ctx, u, actor.ID)
	})
	if err != nil {
		return PasswordResetIssued{}, err
	}
	return out, nil
}

// CompletePasswordReset sets a password with a one-time token.
type CompletePasswordReset struct {
	CompanyCode, Token, New string
}

// CompleteReset sets the new password of the token's user, spends the
// token and ends every session of the user. An unknown, spent or expired
// token, or one of another company, is refused alike; a password the rules
// refuse leaves the token unspent, to try again.
func (h Passwords) CompleteReset(ctx context.Context, cmd CompletePasswordReset) error {
	hash, err := domain.ParsePasswordToken(cmd.Token)
	if err != nil {
		return passwordTokenNotAccepted()
	}
	companyID, found, err := h.r.Store.CompanyIDForCode(ctx, cmd.CompanyCode)
	if err != nil {
		return err
	}
	if !found {
		return passwordTokenNotAccepted()
	}
	leave, err := h.r.PasswordGate.Enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	err = h.r.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		var u *domain.PasswordUpdate
		err := h.r.Store.RedeemPasswordToken(ctx, companyID, hash, func(t domain.PasswordToken, pu *domain.PasswordUpdate) error {
			u = pu
			audit.NoteResource(ctx, AuditUserID, t.UserID)
			pu.Time = h.r.Now.Stamp()
			if !t.Usable(pu.Time) || !pu.Account.CanSignIn() && pu.Account.Status != domain.UserLocked {
				return passwordTokenNotAccepted()
			}
			if err := domain.CheckNewPassword("newPassword", cmd.New, pu.Email); err != nil {
				return err
			}
			newHash, err := domain.HashPassword(cmd.New)
			if err != nil {
				return err
			}
			pu.NewHash, pu.MustChange, pu.UseToken = newHash, false, t.Hash
			pu.RevokeSessions, pu.RevokeReason = true, domain.RevokeReasonPasswordChanged
			return nil
		})
		if err != nil {
			return err
		}
		return h.recordChanged(ctx, u, u.Account.UserID, true)
	})
	if errs.Is(err, errs.KindNotFound) {
		return passwordTokenNotAccepted()
	}
	return err
}

// recordChanged records PasswordChanged and the sessions the change ended.
func (h Passwords) recordChanged(ctx context.Context, u *domain.PasswordUpdate, actorID string, withToken bool) error {
	a := u.Account
	if err := h.r.Events.Record(ctx, Event{
		Type: EventPasswordChanged, CompanyID: a.CompanyID, ResourceID: a.UserID,
		Payload: &companyv1.PasswordChanged{CompanyId: a.CompanyID, UserId: a.UserID, ActorId: actorID,
			OccurTime: timestamp(u.Time), WithToken: withToken},
	}); err != nil {
		return err
	}
	return h.recordRevoked(ctx, u, actorID)
}

// recordRevoked records SessionRevoked for each session the update ended.
func (h Passwords) recordRevoked(ctx context.Context, u *domain.PasswordUpdate, actorID string) error {
	for _, id := range u.Revoked {
		if err := (Auth{h.r}).recordSessionRevoked(ctx, domain.Session{
			ID: id, CompanyID: u.Account.CompanyID, UserID: u.Account.UserID,
			RevokeTime: u.Time, RevokeReason: u.RevokeReason,
		}, actorID); err != nil {
			return err
		}
	}
	return nil
}

func passwordTokenNotAccepted() error {
	e := errs.Unauthenticated("password token not accepted: unknown, already used or expired")
	e.Reason = ReasonPasswordTokenNotAccepted
	return e
}

// passwordChangeRequired is Login's answer to an account that must choose
// its own password, carrying the token to do it with.
func passwordChangeRequired(token string) error {
	e := errs.FailedPrecondition(ReasonPasswordChangeRequired,
		"this account must choose a new password before signing in: call CompletePasswordReset with the token in metadata")
	if token != "" {
		e.Metadata = map[string]string{MetadataPasswordChangeToken: token}
	}
	return e
}
