package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

// A refresh token is "rt_" followed by 32 random bytes in unpadded base64url:
// 256 bits an attacker cannot guess, so one SHA-256 of it is all the server
// keeps (a slow password hash buys nothing against a search space that
// large, and a refresh sits on a hot path).
const (
	refreshTokenPrefix      = "rt_"
	refreshTokenSecretBytes = 32
	// RefreshTokenLen is the length of every refresh token.
	RefreshTokenLen = len(refreshTokenPrefix) + (refreshTokenSecretBytes*8+5)/6
)

// ErrMalformedRefreshToken reports a string that cannot be a refresh token
// this service issued.
var ErrMalformedRefreshToken = errors.New("malformed refresh token")

// tokenSecretEncoding is strict so each secret has exactly one spelling, and
// so the hash of a token cannot be reached through an alternative spelling.
func tokenSecretEncoding() *base64.Encoding { return base64.RawURLEncoding.Strict() }

// NewRefreshTokenSecret draws a refresh token and returns it with the hash
// to store.
func NewRefreshTokenSecret() (token string, hash []byte, err error) {
	secret := make([]byte, refreshTokenSecretBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(secret)
	return refreshTokenPrefix + tokenSecretEncoding().EncodeToString(secret), sum[:], nil
}

// ParseRefreshToken checks the shape of a presented refresh token and
// returns the hash it is stored under.
func ParseRefreshToken(token string) (hash []byte, err error) {
	encoded, ok := strings.CutPrefix(token, refreshTokenPrefix)
	if !ok || len(token) != RefreshTokenLen {
		return nil, ErrMalformedRefreshToken
	}
	secret, err := tokenSecretEncoding().DecodeString(encoded)
	if err != nil || len(secret) != refreshTokenSecretBytes {
		return nil, ErrMalformedRefreshToken
	}
	sum := sha256.Sum256(secret)
	return sum[:], nil
}

// RefreshToken is one stored refresh token of a session (its family).
type RefreshToken struct {
	// Hash is the SHA-256 of the token's secret; the token itself is never
	// stored.
	Hash      []byte
	SessionID string
	CompanyID string
	// CreateTime is when the token was issued.
	CreateTime time.Time
	// ExpireTime is when it stops working unless used before.
	ExpireTime time.Time
	// UsedTime is when it was exchanged for its successor; zero while it is
	// the current token of its family.
	UsedTime time.Time
	// RevokeTime is when its session was revoked; zero otherwise.
	RevokeTime time.Time
}

// NewRefreshToken issues a token for session at now. Its lifetime is the
// policy's RefreshTokenTTL, cut short by the session's absolute end.
func NewRefreshToken(hash []byte, s Session, now time.Time, p SessionPolicy) RefreshToken {
	expire := now.Add(p.RefreshTokenTTL)
	if s.ExpireTime.Before(expire) {
		expire = s.ExpireTime
	}
	return RefreshToken{Hash: hash, SessionID: s.ID, CompanyID: s.CompanyID, CreateTime: now, ExpireTime: expire}
}

// RefreshVerdict is what a presented refresh token leads to.
type RefreshVerdict int

const (
	// RefreshRotate: the token is current and its session usable; issue a
	// successor and mark it used.
	RefreshRotate RefreshVerdict = iota + 1
	// RefreshReuse: the token was already used; revoke the session.
	RefreshReuse
	// RefreshReject: expired, revoked or its session over; refuse without
	// side effects.
	RefreshReject
)

// JudgeRefresh decides what presenting t, a token of session s, does at now.
// Reuse is checked first: a used token is evidence of theft whatever else is
// true of it, and revoking a session twice is harmless.
func JudgeRefresh(t RefreshToken, s Session, now time.Time) RefreshVerdict {
	switch {
	case !t.UsedTime.IsZero():
		return RefreshReuse
	case !t.RevokeTime.IsZero(), !now.Before(t.ExpireTime), s.Usable(now) != nil:
		return RefreshReject
	}
	return RefreshRotate
}
