package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"time"
)

// A password token is "pt_" followed by 32 random bytes in unpadded
// base64url. It lets its holder set the password of one account once,
// before it expires: an administrator's reset hands one over, and a
// sign-in that must change its password gets one instead of a session.
// Like refresh tokens it is stored as its SHA-256 only.
const (
	passwordTokenPrefix      = "pt_"
	passwordTokenSecretBytes = 32
	// PasswordTokenLen is the length of every password token.
	PasswordTokenLen = len(passwordTokenPrefix) + (passwordTokenSecretBytes*8+5)/6
)

// Password token purposes.
const (
	// PasswordTokenReset was issued by an administrator's reset.
	PasswordTokenReset = "reset"
	// PasswordTokenChange was issued to a sign-in that must change its
	// password first.
	PasswordTokenChange = "change"
)

// ChangeTokenTTL is how long the token a must-change sign-in gets works:
// long enough to choose a password, short enough that one read over a
// shoulder soon stops working.
const ChangeTokenTTL = 15 * time.Minute

// ErrMalformedPasswordToken reports a string that cannot be a password token.
var ErrMalformedPasswordToken = errors.New("malformed password token")

// PasswordToken is one stored password token.
type PasswordToken struct {
	// Hash is the SHA-256 of the token's secret.
	Hash       []byte
	CompanyID  string
	UserID     string
	Purpose    string
	CreateTime time.Time
	ExpireTime time.Time
	// UsedTime is when it set a password, or was replaced by a newer
	// token; zero while it can still be used.
	UsedTime time.Time
}

// NewPasswordToken draws a token of purpose for userID, valid for ttl from
// now, and returns it with what to store.
func NewPasswordToken(companyID, userID, purpose string, now time.Time, ttl time.Duration) (token string, t PasswordToken, err error) {
	secret := make([]byte, passwordTokenSecretBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", PasswordToken{}, err
	}
	sum := sha256.Sum256(secret)
	return passwordTokenPrefix + tokenSecretEncoding().EncodeToString(secret), PasswordToken{
		Hash: sum[:], CompanyID: companyID, UserID: userID, Purpose: purpose,
		CreateTime: now, ExpireTime: now.Add(ttl),
	}, nil
}

// ParsePasswordToken checks the shape of a presented token and returns the
// hash it is stored under.
func ParsePasswordToken(token string) ([]byte, error) {
	encoded, ok := strings.CutPrefix(token, passwordTokenPrefix)
	if !ok || len(token) != PasswordTokenLen {
		return nil, ErrMalformedPasswordToken
	}
	secret, err := tokenSecretEncoding().DecodeString(encoded)
	if err != nil || len(secret) != passwordTokenSecretBytes {
		return nil, ErrMalformedPasswordToken
	}
	sum := sha256.Sum256(secret)
	return sum[:], nil
}

// Usable reports whether the token can still set a password at now.
func (t PasswordToken) Usable(now time.Time) bool {
	return t.UsedTime.IsZero() && now.Before(t.ExpireTime)
}

// PasswordUpdate is one change of an account's password as a single unit of
// work: the account (row locked) and what the change decided, for the store
// to save in the same transaction.
type PasswordUpdate struct {
	// Time is the change's clock reading, set by the change.
	Time time.Time
	// Account is the user's login account; Email is its sign-in email, for
	// the password rules.
	Account LoginAccount
	Email   string
	// NewHash replaces the password hash when set; PasswordDisabled makes
	// every password fail.
	NewHash string
	// MustChange is the account's must-change flag after the update.
	MustChange bool
	// RevokeSessions ends every live session of the user but KeepSession,
	// for RevokeReason; the store fills Revoked with their ids.
	RevokeSessions bool
	KeepSession    string
	RevokeReason   string
	Revoked        []string
	// IssueToken is stored, replacing the user's unused tokens.
	IssueToken *PasswordToken
	// UseToken, when set, is the hash of the token this update spends.
	UseToken []byte
}

// PasswordDisabled is the hash of an account whose password an
// administrator reset: no password verifies against it.
const PasswordDisabled = "!reset"
