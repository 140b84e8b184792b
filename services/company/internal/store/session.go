package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/services/company/internal/domain"
)

const sessionColumns = `
	id::text, company_id::text, user_id::text, create_time, last_seen_time,
	idle_timeout, expire_time, revoke_time, revoke_reason`

func scanSession(row pgx.Row) (domain.Session, error) {
	var s domain.Session
	var revoked *time.Time
	err := row.Scan(&s.ID, &s.CompanyID, &s.UserID, &s.CreateTime, &s.LastSeenTime,
		&s.IdleTimeout, &s.ExpireTime, &revoked, &s.RevokeReason)
	s.RevokeTime = timeOrZero(revoked)
	return s, err
}

func insertSession(ctx context.Context, tx pgx.Tx, s domain.Session) error {
	_, err := tx.Exec(ctx, `
		insert into sessions (id, company_id, user_id, create_time, last_seen_time, idle_timeout, expire_time, client_ip, user_agent)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.CompanyID, s.UserID, s.CreateTime, s.LastSeenTime, s.IdleTimeout, s.ExpireTime, s.ClientIP, s.UserAgent)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// saveSession writes what may change on a session: last seen and
// revocation. A session that is revoked takes its refresh tokens with it.
func saveSession(ctx context.Context, tx pgx.Tx, s domain.Session) error {
	_, err := tx.Exec(ctx, `
		update sessions set last_seen_time = $2, revoke_time = $3, revoke_reason = $4
		where id = $1`, s.ID, s.LastSeenTime, nullTime(s.RevokeTime), s.RevokeReason)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if s.RevokeTime.IsZero() {
		return nil
	}
	_, err = tx.Exec(ctx, `
		update refresh_tokens set revoke_time = $2
		where session_id = $1 and revoke_time is null`, s.ID, s.RevokeTime)
	if err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}

func insertRefreshToken(ctx context.Context, tx pgx.Tx, t domain.RefreshToken) error {
	_, err := tx.Exec(ctx, `
		insert into refresh_tokens (token_hash, company_id, session_id, create_time, expire_time)
		values ($1, $2, $3, $4, $5)`, t.Hash, t.CompanyID, t.SessionID, t.CreateTime, t.ExpireTime)
	if err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// RefreshTokenCompany resolves a refresh token's hash to its company before
// any tenant is known; "" when no token has the hash.
func (s *Auth) RefreshTokenCompany(ctx context.Context, hash []byte) (string, error) {
	var id *string
	if err := s.db.Pool().QueryRow(ctx, "select refresh_token_company($1)::text", hash).Scan(&id); err != nil {
		return "", fmt.Errorf("company for refresh token: %w", err)
	}
	if id == nil {
		return "", nil
	}
	return *id, nil
}

// UseRefreshToken runs one refresh as one transaction. It locks the
// token's session, then the token, so that two refreshes racing with one
// token run one after the other and the second sees the token the first
// used. (Every path that revokes a session locks the session before its
// tokens, so the order never deadlocks.) It loads the session's user and
// company as they are now, lets use decide, then saves the session
// (touched or revoked, revocation reaching every token of the family), the
// token, and the successor when there is one. An error from use rolls
// everything back.
func (s *Auth) UseRefreshToken(ctx context.Context, companyID string, hash []byte, use func(*domain.RefreshAttempt) error) error {
	return s.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		var sessionID string
		err := tx.QueryRow(ctx, `select session_id::text from refresh_tokens where token_hash = $1`, hash).Scan(&sessionID)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("refresh token", "")
		}
		if err != nil {
			return fmt.Errorf("find refresh token: %w", err)
		}
		var a domain.RefreshAttempt
		if a.Session, err = scanSession(tx.QueryRow(ctx, `
			select`+sessionColumns+` from sessions where id = $1 for update`, sessionID)); err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		var used, revoked *time.Time
		err = tx.QueryRow(ctx, `
			select token_hash, session_id::text, company_id::text, create_time, expire_time, used_time, revoke_time
			from refresh_tokens where token_hash = $1
			for update`, hash).Scan(&a.Token.Hash, &a.Token.SessionID, &a.Token.CompanyID,
			&a.Token.CreateTime, &a.Token.ExpireTime, &used, &revoked)
		if err != nil {
			return fmt.Errorf("load refresh token: %w", err)
		}
		a.Token.UsedTime, a.Token.RevokeTime = timeOrZero(used), timeOrZero(revoked)
		if a.Account, err = loadLoginAccount(ctx, tx, a.Session.UserID); err != nil {
			return err
		}
		if a.CompanyActive, err = companyActive(ctx, tx, companyID); err != nil {
			return err
		}
		if err := use(&a); err != nil {
			return err
		}
		if err := saveSession(ctx, tx, a.Session); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `update refresh_tokens set used_time = $2 where token_hash = $1`,
			a.Token.Hash, nullTime(a.Token.UsedTime)); err != nil {
			return fmt.Errorf("save refresh token: %w", err)
		}
		if a.NewToken == nil {
			return nil
		}
		return insertRefreshToken(ctx, tx, *a.NewToken)
	})
}

// UpdateSession loads a session of the caller's tenant with its row
// locked, lets update change it, and saves it; revoking it revokes its
// refresh tokens too. A session of another tenant is not found.
func (s *Auth) UpdateSession(ctx context.Context, id string, update func(*domain.Session) error) (domain.Session, error) {
	var out domain.Session
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		sess, err := scanSession(tx.QueryRow(ctx, `select`+sessionColumns+` from sessions where id = $1 for update`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("session", id)
		}
		if err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		if err := update(&sess); err != nil {
			return err
		}
		out = sess
		return saveSession(ctx, tx, sess)
	})
	return out, err
}

// GetSession reads a session of the caller's tenant.
func (s *Auth) GetSession(ctx context.Context, id string) (domain.Session, error) {
	var out domain.Session
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = scanSession(tx.QueryRow(ctx, `select`+sessionColumns+` from sessions where id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("session", id)
		}
		return err
	})
	return out, err
}

// RevokeUserSessions revokes every live session of a user, and their
// refresh tokens, inside the caller's transaction (for example deactivating
// the user, or changing their password). It returns the ids of the sessions
// it revoked, for the SessionRevoked events the caller records. Access
// tokens already issued stay valid until they expire.
func RevokeUserSessions(ctx context.Context, tx pgx.Tx, userID string, now time.Time, reason string) ([]string, error) {
	return revokeUserSessionsExcept(ctx, tx, userID, "", now, reason)
}

// revokeUserSessionsExcept is RevokeUserSessions sparing the session keep
// (a password change ends every session but the one it came from).
func revokeUserSessionsExcept(ctx context.Context, tx pgx.Tx, userID, keep string, now time.Time, reason string) ([]string, error) {
	rows, err := tx.Query(ctx, `
		update sessions set revoke_time = $2, revoke_reason = $3
		where user_id = $1 and revoke_time is null and id::text <> $4
		returning id::text`, userID, now, reason, keep)
	if err != nil {
		return nil, fmt.Errorf("revoke sessions of user %s: %w", userID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("revoke sessions of user %s: %w", userID, err)
	}
	if len(ids) == 0 {
		return ids, nil
	}
	_, err = tx.Exec(ctx, `
		update refresh_tokens set revoke_time = $2
		where session_id = any($1::uuid[]) and revoke_time is null`, ids, now)
	if err != nil {
		return nil, fmt.Errorf("revoke refresh tokens of user %s: %w", userID, err)
	}
	return ids, nil
}
