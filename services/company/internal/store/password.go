package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// UpdatePassword runs one password change of userID in companyID as one
// transaction: it loads the user's login account with its row locked, lets
// update decide, and saves what it decided (the hash, the must-change flag,
// revoked sessions, a new token). An error from update rolls everything
// back. An unknown user is NOT_FOUND.
func (s *Auth) UpdatePassword(ctx context.Context, companyID, userID string, update func(*domain.PasswordUpdate) error) error {
	return s.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		u, err := lockPasswordAccount(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := update(&u); err != nil {
			return err
		}
		return savePasswordUpdate(ctx, tx, &u)
	})
}

// RedeemPasswordToken runs one password change with the token whose hash is
// given, in companyID: it loads the token and its user's login account,
// both row locked (so one token sets one password, however many try at
// once), lets redeem decide, and saves as UpdatePassword does. A token the
// company does not hold is NOT_FOUND.
func (s *Auth) RedeemPasswordToken(ctx context.Context, companyID string, hash []byte, redeem func(domain.PasswordToken, *domain.PasswordUpdate) error) error {
	return s.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		var t domain.PasswordToken
		var used *time.Time
		err := tx.QueryRow(ctx, `
			select token_hash, company_id::text, user_id::text, purpose, create_time, expire_time, used_time
			from password_tokens where token_hash = $1 for update`, hash).
			Scan(&t.Hash, &t.CompanyID, &t.UserID, &t.Purpose, &t.CreateTime, &t.ExpireTime, &used)
		if errors.Is(err, pgx.ErrNoRows) {
			return errs.NotFound("password token", "")
		}
		if err != nil {
			return fmt.Errorf("load password token: %w", err)
		}
		t.UsedTime = timeOrZero(used)
		u, err := lockPasswordAccount(ctx, tx, t.UserID)
		if err != nil {
			return err
		}
		if err := redeem(t, &u); err != nil {
			return err
		}
		return savePasswordUpdate(ctx, tx, &u)
	})
}

// lockPasswordAccount loads what a password change reads of userID.
func lockPasswordAccount(ctx context.Context, tx pgx.Tx, userID string) (domain.PasswordUpdate, error) {
	var email string
	a, err := scanLoginAccount(tx.QueryRow(ctx, `
		select`+loginAccountColumns+`, email from users where id = $1 for update`, userID), &email)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.PasswordUpdate{}, errs.NotFound("user", userID)
	}
	if err != nil {
		return domain.PasswordUpdate{}, fmt.Errorf("load login account %s: %w", userID, err)
	}
	return domain.PasswordUpdate{Account: *a, Email: email, MustChange: a.MustChangePassword}, nil
}

// savePasswordUpdate writes what a password change decided. A new password
// also clears the lockout: it was set by its owner (with the current
// password or a one-time token) or disabled by an administrator.
func savePasswordUpdate(ctx context.Context, tx pgx.Tx, u *domain.PasswordUpdate) error {
	if u.NewHash != "" {
		_, err := tx.Exec(ctx, `
			update users set password_hash = $2, password_change_time = $3, must_change_password = $4,
				failed_login_count = 0, locked_until = null,
				status = case when status = 'locked' then 'active' else status end
			where id = $1`, u.Account.UserID, u.NewHash, u.Time, u.MustChange)
		if err != nil {
			return fmt.Errorf("save password: %w", err)
		}
	} else if u.MustChange != u.Account.MustChangePassword {
		if _, err := tx.Exec(ctx, `update users set must_change_password = $2 where id = $1`, u.Account.UserID, u.MustChange); err != nil {
			return fmt.Errorf("save must-change flag: %w", err)
		}
	}
	if u.UseToken != nil {
		if _, err := tx.Exec(ctx, `update password_tokens set used_time = $2 where token_hash = $1`, u.UseToken, u.Time); err != nil {
			return fmt.Errorf("spend password token: %w", err)
		}
	}
	if u.IssueToken != nil {
		if err := insertPasswordToken(ctx, tx, *u.IssueToken); err != nil {
			return err
		}
	}
	if u.RevokeSessions {
		revoked, err := revokeUserSessionsExcept(ctx, tx, u.Account.UserID, u.KeepSession, u.Time, u.RevokeReason)
		if err != nil {
			return err
		}
		u.Revoked = revoked
	}
	return nil
}

// insertPasswordToken stores t, retiring the user's unused tokens first: a
// user has at most one token that works.
func insertPasswordToken(ctx context.Context, tx pgx.Tx, t domain.PasswordToken) error {
	if _, err := tx.Exec(ctx, `
		update password_tokens set used_time = $3
		where company_id = $1 and user_id = $2 and used_time is null`, t.CompanyID, t.UserID, t.CreateTime); err != nil {
		return fmt.Errorf("retire password tokens: %w", err)
	}
	_, err := tx.Exec(ctx, `
		insert into password_tokens (token_hash, company_id, user_id, purpose, create_time, expire_time)
		values ($1, $2, $3, $4, $5, $6)`, t.Hash, t.CompanyID, t.UserID, t.Purpose, t.CreateTime, t.ExpireTime)
	if err != nil {
		return fmt.Errorf("insert password token: %w", err)
	}
	return nil
}
