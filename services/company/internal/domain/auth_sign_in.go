package domain

import "time"

// LoginAccount is what sign-in needs of a user: who they are, whether they
// may sign in, the password hash and the lockout counter.
type LoginAccount struct {
	UserID    string
	CompanyID string
	Roles     []Role
	// AllowedLocationIDs are the locations the user's tokens are limited
	// to; empty means every location.
	AllowedLocationIDs []string
	// Status is the user's status; locked is the lockout's doing.
	Status       UserStatus
	PasswordHash string
	// Counter is the lockout counter; its Locked mirrors Status.
	Counter       LoginCounter
	LastLoginTime time.Time
	// MustChangePassword is set for an account that must choose its own
	// password before it may do anything else (the owner a bootstrap
	// created): its correct password earns a password token, not a session.
	MustChangePassword bool
}

// CanSignIn reports whether the account's status lets it sign in.
func (a LoginAccount) CanSignIn() bool { return a.Status == UserActive }

// SignInAttempt is one sign-in as a single unit of work: what the store
// loaded, and what the attempt decided for the store to save in the same
// transaction. A refused attempt still saves its lockout counter.
type SignInAttempt struct {
	// Time is the attempt's clock reading, set by the attempt.
	Time time.Time
	// CompanyActive: the company exists, is active and not deleted.
	CompanyActive bool
	// Account is the user with the email, row locked; nil when there is
	// none. The attempt updates Counter and LastLoginTime in place.
	Account *LoginAccount
	// NewPasswordHash replaces the stored hash when set (the old one used
	// weaker parameters).
	NewPasswordHash string
	// Session and RefreshToken are set on success.
	Session      *Session
	RefreshToken *RefreshToken
	// PasswordToken is set instead of a session when the account must
	// change its password: the store keeps it, replacing older unused ones.
	PasswordToken *PasswordToken
	// Source is where the attempt came from (clientip.RateKey: an IPv4
	// address, or an IPv6 /64). SourceCounter is its failures against the
	// account and NetCounter its failures against the whole company, both
	// row locked and updated in place by the attempt (LockoutPolicy).
	Source        string
	SourceCounter LoginCounter
	NetCounter    LoginCounter
}

// RefreshAttempt is one refresh as a single unit of work: the presented
// token and its session (both row locked) and the session's user and
// company as they are now, then what the attempt decided. A reuse still
// saves the session's revocation.
type RefreshAttempt struct {
	Token   RefreshToken
	Session Session
	// Account is the session's user now: roles may have changed since
	// sign-in, and the user may have been deactivated.
	Account       LoginAccount
	CompanyActive bool
	// NewToken is the successor of Token on success.
	NewToken *RefreshToken
}

// APIKeyUse is one API-key exchange as a unit of work.
type APIKeyUse struct {
	Key           APIKey
	CompanyActive bool
	// RecordUseAt, when set, is written as the key's last use.
	RecordUseAt time.Time
}
