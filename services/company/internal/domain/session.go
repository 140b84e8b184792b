package domain

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Reasons a session ends early, stored in sessions.revoke_reason and carried
// by the SessionRevoked event.
const (
	// RevokeReasonLogout: the user signed out.
	RevokeReasonLogout = "logout"
	// RevokeReasonRefreshTokenReuse: a refresh token was presented after it
	// had been rotated. Only a copy of the token can do that, so the whole
	// session is presumed stolen.
	RevokeReasonRefreshTokenReuse = "refresh_token_reuse"
	// RevokeReasonUserDeactivated: the user was deactivated.
	RevokeReasonUserDeactivated = "user_deactivated"
	// RevokeReasonPasswordChanged: the user changed their password (every
	// other session ends) or set one with a token (every session ends).
	RevokeReasonPasswordChanged = "password_changed"
	// RevokeReasonPasswordReset: an administrator reset the password.
	RevokeReasonPasswordReset = "password_reset"
)

// SessionPolicy bounds how long a sign-in lasts.
type SessionPolicy struct {
	// IdleTimeout ends a session nobody refreshed for this long
	// (SESSION_IDLE_TIMEOUT).
	IdleTimeout time.Duration
	// MaxAge ends every session this long after sign-in, however active
	// (SESSION_MAX_AGE).
	MaxAge time.Duration
	// RefreshTokenTTL is the lifetime of one refresh token
	// (REFRESH_TOKEN_TTL), capped by the session's own end.
	RefreshTokenTTL time.Duration
}

// Session is one sign-in of a user: the family its refresh tokens belong to.
type Session struct {
	ID        string
	CompanyID string
	UserID    string
	// CreateTime is the sign-in.
	CreateTime time.Time
	// LastSeenTime is the sign-in or the latest refresh.
	LastSeenTime time.Time
	// IdleTimeout is the policy's idle timeout when the session began, so a
	// configuration change does not end sessions retroactively.
	IdleTimeout time.Duration
	// ExpireTime is the absolute end: CreateTime + MaxAge.
	ExpireTime time.Time
	// RevokeTime is when the session was ended early; zero while it lives.
	RevokeTime time.Time
	// RevokeReason is one of the RevokeReason constants.
	RevokeReason string
	// ClientIP and UserAgent describe where the sign-in came from.
	ClientIP  string
	UserAgent string
}

// Limits of the sign-in origin kept with a session.
const (
	maxClientIPLen  = 64
	maxUserAgentLen = 256
)

// WithOrigin returns s recording where the sign-in came from, each value
// cut to what the session row keeps (on a rune boundary).
func (s Session) WithOrigin(clientIP, userAgent string) Session {
	s.ClientIP = truncateRunes(clientIP, maxClientIPLen)
	s.UserAgent = truncateRunes(userAgent, maxUserAgentLen)
	return s
}

func truncateRunes(v string, n int) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "")
	}
	if utf8.RuneCountInString(v) <= n {
		return v
	}
	return string([]rune(v)[:n])
}

// NewSession begins a session for a user at now.
func NewSession(id, companyID, userID string, now time.Time, p SessionPolicy) Session {
	return Session{
		ID:           id,
		CompanyID:    companyID,
		UserID:       userID,
		CreateTime:   now,
		LastSeenTime: now,
		IdleTimeout:  p.IdleTimeout,
		ExpireTime:   now.Add(p.MaxAge),
	}
}

// Why a session cannot be used.
var (
	ErrSessionRevoked = errors.New("session revoked")
	ErrSessionIdle    = errors.New("session idle for too long")
	ErrSessionExpired = errors.New("session reached its maximum age")
)

// IdleDeadline is when the session ends unless refreshed.
func (s Session) IdleDeadline() time.Time { return s.LastSeenTime.Add(s.IdleTimeout) }

// Deadline is the earlier of the idle deadline and the absolute end.
func (s Session) Deadline() time.Time {
	if idle := s.IdleDeadline(); idle.Before(s.ExpireTime) {
		return idle
	}
	return s.ExpireTime
}

// Usable reports why the session cannot issue tokens at now, or nil.
func (s Session) Usable(now time.Time) error {
	switch {
	case !s.RevokeTime.IsZero():
		return ErrSessionRevoked
	case !now.Before(s.ExpireTime):
		return ErrSessionExpired
	case !now.Before(s.IdleDeadline()):
		return ErrSessionIdle
	}
	return nil
}

// Revoke ends the session for reason; it reports false, changing nothing,
// when the session had already been revoked.
func (s *Session) Revoke(now time.Time, reason string) bool {
	if !s.RevokeTime.IsZero() {
		return false
	}
	s.RevokeTime = now
	s.RevokeReason = reason
	return true
}
