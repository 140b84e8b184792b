package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Auth is the authentication repository: sessions, refresh tokens, API keys
// and the sign-in columns of users. Sign-in, refresh and API-key exchange
// start before the caller has a tenant; they resolve it first (through the
// schema's security-definer functions) and then run scoped to it like
// everything else.
type Auth struct {
	db *postgres.DB
}

// NewAuth returns the authentication store over the runtime pool.
func NewAuth(db *postgres.DB) *Auth { return &Auth{db: db} }

// SignIn runs one sign-in attempt for email in companyID from source as one
// transaction: it loads the company's state, the user's login account and
// the source's failure counters (against the account and against the
// company), all row locked (so concurrent attempts count their failures one
// after the other), lets attempt decide, and saves what it decided: the
// counters always, and on success the last sign-in time, a rehashed
// password and the new session with its first refresh token. An error from
// attempt rolls everything back.
func (s *Auth) SignIn(ctx context.Context, companyID, email, source string, attempt func(*domain.SignInAttempt) error) error {
	return s.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		a := domain.SignInAttempt{}
		var err error
		if a.CompanyActive, err = companyActive(ctx, tx, companyID); err != nil {
			return err
		}
		if a.Account, err = lockLoginAccountByEmail(ctx, tx, companyID, email); err != nil {
			return err
		}
		a.Source = source
		if a.NetCounter, err = lockSignInFailures(ctx, tx, companyID, "", source); err != nil {
			return err
		}
		if a.Account != nil {
			if a.SourceCounter, err = lockSignInFailures(ctx, tx, companyID, a.Account.UserID, source); err != nil {
				return err
			}
		}
		if err := attempt(&a); err != nil {
			return err
		}
		if err := saveSignInFailures(ctx, tx, companyID, "", source, a.NetCounter, a.Time); err != nil {
			return err
		}
		if a.Account == nil {
			return nil
		}
		if err := saveSignInFailures(ctx, tx, companyID, a.Account.UserID, source, a.SourceCounter, a.Time); err != nil {
			return err
		}
		if err := saveLoginAccount(ctx, tx, *a.Account, a.NewPasswordHash, a.Time); err != nil {
			return err
		}
		if a.PasswordToken != nil {
			return insertPasswordToken(ctx, tx, *a.PasswordToken)
		}
		if a.Session == nil {
			return nil
		}
		if err := insertSession(ctx, tx, *a.Session); err != nil {
			return err
		}
		return insertRefreshToken(ctx, tx, *a.RefreshToken)
	})
}

// companyActive reports whether the transaction's tenant may sign in.
func companyActive(ctx context.Context, tx pgx.Tx, companyID string) (bool, error) {
	var active bool
	err := tx.QueryRow(ctx, `
		select status = 'active' and delete_time is null from companies where id = $1`, companyID).Scan(&active)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("company status: %w", err)
	}
	return active, nil
}

const loginAccountColumns = `
	id::text, company_id::text, roles, allowed_location_ids::text[], status, password_hash,
	failed_login_count, locked_until, last_login_time, must_change_password`

// scanLoginAccount reads loginAccountColumns, then into extra whatever
// columns the query selects after them.
func scanLoginAccount(row pgx.Row, extra ...any) (*domain.LoginAccount, error) {
	var a domain.LoginAccount
	var roles []string
	var status string
	var lockedUntil, lastLogin *time.Time
	err := row.Scan(append([]any{&a.UserID, &a.CompanyID, &roles, &a.AllowedLocationIDs, &status, &a.PasswordHash,
		&a.Counter.FailedCount, &lockedUntil, &lastLogin, &a.MustChangePassword}, extra...)...)
	if err != nil {
		return nil, err
	}
	a.Roles, a.Status = rolesFromColumn(roles), domain.UserStatus(status)
	a.Counter.LockedUntil = timeOrZero(lockedUntil)
	a.LastLoginTime = timeOrZero(lastLogin)
	return &a, nil
}

// lockLoginAccountByEmail loads the account with email, compared the way
// the unique index compares it; nil when there is none.
func lockLoginAccountByEmail(ctx context.Context, tx pgx.Tx, companyID, email string) (*domain.LoginAccount, error) {
	a, err := scanLoginAccount(tx.QueryRow(ctx, `
		select`+loginAccountColumns+`
		from users where company_id = $1 and lower(email) = lower($2)
		for update`, companyID, email))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load login account: %w", err)
	}
	return a, nil
}

// loadLoginAccount loads the account of a user by id, without a lock.
func loadLoginAccount(ctx context.Context, tx pgx.Tx, userID string) (domain.LoginAccount, error) {
	a, err := scanLoginAccount(tx.QueryRow(ctx, `
		select`+loginAccountColumns+` from users where id = $1`, userID))
	if err != nil {
		return domain.LoginAccount{}, fmt.Errorf("load login account %s: %w", userID, err)
	}
	return *a, nil
}

// saveLoginAccount writes the sign-in columns. Counting failures and
// recording sign-ins leave version and update_time alone: that bookkeeping
// is not an edit of the user, and bumping the etag would make an
// administrator's concurrent edit fail for no reason they could see. A
// status change (the lockout locking or releasing the user) is an edit
// administrators see, so it bumps both.
func saveLoginAccount(ctx context.Context, tx pgx.Tx, a domain.LoginAccount, newHash string, now time.Time) error {
	_, err := tx.Exec(ctx, `
		update users set
			failed_login_count = $2,
			locked_until = $3,
			last_login_time = $4,
			password_hash = coalesce(nullif($5, ''), password_hash),
			version = version + case when status <> $6 then 1 else 0 end,
			update_time = case when status <> $6 then $7 else update_time end,
			status = $6
		where id = $1`,
		a.UserID, a.Counter.FailedCount, nullTime(a.Counter.LockedUntil), nullTime(a.LastLoginTime), newHash,
		string(a.Status), now)
	if err != nil {
		return fmt.Errorf("save login account: %w", err)
	}
	return nil
}

// lockSignInFailures loads, row locked, source's failure counter against
// userID ("" for the whole company), creating it when absent.
func lockSignInFailures(ctx context.Context, tx pgx.Tx, companyID, userID, source string) (domain.LoginCounter, error) {
	if _, err := tx.Exec(ctx, `
		insert into sign_in_failures (company_id, user_id, source, update_time)
		values ($1, nullif($2, '')::uuid, $3, now())
		on conflict (company_id, source, coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid)) do nothing`,
		companyID, userID, source); err != nil {
		return domain.LoginCounter{}, fmt.Errorf("sign-in failures of %s: %w", source, err)
	}
	var c domain.LoginCounter
	var until *time.Time
	err := tx.QueryRow(ctx, `
		select failed_count, lockouts, locked_until from sign_in_failures
		where company_id = $1 and source = $3
		  and coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(nullif($2, '')::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
		for update`, companyID, userID, source).Scan(&c.FailedCount, &c.Lockouts, &until)
	if err != nil {
		return domain.LoginCounter{}, fmt.Errorf("sign-in failures of %s: %w", source, err)
	}
	c.LockedUntil = timeOrZero(until)
	c.Locked = until != nil
	return c, nil
}

// saveSignInFailures writes a counter lockSignInFailures loaded.
func saveSignInFailures(ctx context.Context, tx pgx.Tx, companyID, userID, source string, c domain.LoginCounter, now time.Time) error {
	var until *time.Time
	if c.Locked {
		until = &c.LockedUntil
	}
	_, err := tx.Exec(ctx, `
		update sign_in_failures set failed_count = $4, lockouts = $5, locked_until = $6, update_time = $7
		where company_id = $1 and source = $3
		  and coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(nullif($2, '')::uuid, '00000000-0000-0000-0000-000000000000'::uuid)`,
		companyID, userID, source, c.FailedCount, c.Lockouts, until, now)
	if err != nil {
		return fmt.Errorf("save sign-in failures of %s: %w", source, err)
	}
	return nil
}
