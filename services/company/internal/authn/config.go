package authn

import (
	"slices"
	"strconv"
	"time"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/gate"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Settings are the authentication settings of the company service, read
// from the environment once at start.
type Settings struct {
	// AccessTokenTTL is ACCESS_TOKEN_TTL: lifetime of a user's access token,
	// and the longest a revoked session's tokens keep working.
	AccessTokenTTL time.Duration
	// APIKeyTokenTTL is API_KEY_TOKEN_TTL: lifetime of a token exchanged for
	// an API key, and the longest a revoked key's tokens keep working.
	APIKeyTokenTTL time.Duration
	// RefreshTokenTTL is REFRESH_TOKEN_TTL: lifetime of one refresh token
	// (the session's own limits usually end it sooner).
	RefreshTokenTTL time.Duration
	// SessionIdleTimeout is SESSION_IDLE_TIMEOUT: a session nobody
	// refreshed for this long ends.
	SessionIdleTimeout time.Duration
	// SessionMaxAge is SESSION_MAX_AGE: every session ends this long after
	// sign-in.
	SessionMaxAge time.Duration
	// LoginSourceMaxFailures is LOGIN_SOURCE_MAX_FAILURES: failed sign-ins
	// from one source across the company's accounts that block it from all
	// of them; LoginLockoutMax is LOGIN_LOCKOUT_MAX, the longest a block
	// grows to.
	LoginSourceMaxFailures int
	LoginLockoutMax        time.Duration
	// LoginMaxFailures is LOGIN_MAX_FAILURES: consecutive failed sign-ins
	// that lock an account.
	LoginMaxFailures int
	// LoginLockout is LOGIN_LOCKOUT: how long the lock lasts.
	LoginLockout time.Duration
	// SigningKeyMaxAge is SIGNING_KEY_MAX_AGE: a start-up replaces a signing
	// key older than this.
	SigningKeyMaxAge time.Duration
	// SigningKeyBits is SIGNING_KEY_BITS: RSA modulus size of new keys.
	SigningKeyBits int
	// PasswordChecks is PASSWORD_CHECKS: how many password hashes (argon2id,
	// 64 MiB each while it runs) this process computes at once. Sign-ins
	// beyond it wait PASSWORD_CHECK_WAIT (PasswordCheckWait) for a turn,
	// then are refused with 429 and Retry-After: memory stays bounded
	// under a flood.
	PasswordChecks    int
	PasswordCheckWait time.Duration
	// PasswordResetTTL is PASSWORD_RESET_TTL: how long the token of an
	// administrator's password reset works.
	PasswordResetTTL time.Duration
	// AuthRetention is AUTH_RETENTION: how long used, revoked and expired
	// refresh tokens, ended sessions and spent password tokens are kept
	// before the pruning worker deletes them. Long enough to investigate a
	// sign-in after the fact; not forever, since each is a row per sign-in
	// or refresh and names where the user signed in from.
	AuthRetention time.Duration
}

// Defaults of the settings.
const (
	DefaultAccessTokenTTL     = 15 * time.Minute
	DefaultAPIKeyTokenTTL     = 15 * time.Minute
	DefaultRefreshTokenTTL    = 7 * 24 * time.Hour
	DefaultSessionIdleTimeout = 30 * time.Minute
	DefaultSessionMaxAge      = 12 * time.Hour
	DefaultLoginMaxFailures   = 5
	DefaultLoginSourceMax     = 50
	DefaultLoginLockoutMax    = 24 * time.Hour
	DefaultLoginLockout       = 15 * time.Minute
	DefaultSigningKeyMaxAge   = 30 * 24 * time.Hour
	DefaultSigningKeyBits     = 4096
	DefaultPasswordChecks     = 4
	DefaultPasswordCheckWait  = 2 * time.Second
	DefaultPasswordResetTTL   = 24 * time.Hour
	DefaultAuthRetention      = 90 * 24 * time.Hour
)

// maxAccessTokenTTL bounds both access token lifetimes: a token cannot be
// revoked, so its lifetime is how long a leaked or revoked one still works.
const maxAccessTokenTTL = time.Hour

// LoadSettings reads the settings from e, recording every bad value in e
// by variable name.
func LoadSettings(e *config.Env) Settings {
	s := Settings{
		AccessTokenTTL:         e.Duration("ACCESS_TOKEN_TTL", DefaultAccessTokenTTL),
		APIKeyTokenTTL:         e.Duration("API_KEY_TOKEN_TTL", DefaultAPIKeyTokenTTL),
		RefreshTokenTTL:        e.Duration("REFRESH_TOKEN_TTL", DefaultRefreshTokenTTL),
		SessionIdleTimeout:     e.Duration("SESSION_IDLE_TIMEOUT", DefaultSessionIdleTimeout),
		SessionMaxAge:          e.Duration("SESSION_MAX_AGE", DefaultSessionMaxAge),
		LoginMaxFailures:       e.Int("LOGIN_MAX_FAILURES", DefaultLoginMaxFailures, 1, 100),
		LoginSourceMaxFailures: e.Int("LOGIN_SOURCE_MAX_FAILURES", DefaultLoginSourceMax, 1, 100000),
		LoginLockoutMax:        e.Duration("LOGIN_LOCKOUT_MAX", DefaultLoginLockoutMax),
		LoginLockout:           e.Duration("LOGIN_LOCKOUT", DefaultLoginLockout),
		SigningKeyMaxAge:       e.Duration("SIGNING_KEY_MAX_AGE", DefaultSigningKeyMaxAge),
		SigningKeyBits:         e.Int("SIGNING_KEY_BITS", DefaultSigningKeyBits, SigningKeyBits[0], SigningKeyBits[len(SigningKeyBits)-1]),
		PasswordChecks:         e.Int("PASSWORD_CHECKS", DefaultPasswordChecks, 1, 256),
		PasswordCheckWait:      e.Duration("PASSWORD_CHECK_WAIT", DefaultPasswordCheckWait),
		PasswordResetTTL:       e.Duration("PASSWORD_RESET_TTL", DefaultPasswordResetTTL),
		AuthRetention:          e.Duration("AUTH_RETENTION", DefaultAuthRetention),
	}
	if !slices.Contains(SigningKeyBits, s.SigningKeyBits) {
		e.Invalid("SIGNING_KEY_BITS", strconv.Itoa(s.SigningKeyBits), "must be 2048, 3072 or 4096")
		s.SigningKeyBits = DefaultSigningKeyBits
	}
	for _, ttl := range []struct {
		name  string
		value time.Duration
	}{{"ACCESS_TOKEN_TTL", s.AccessTokenTTL}, {"API_KEY_TOKEN_TTL", s.APIKeyTokenTTL}} {
		if ttl.value > maxAccessTokenTTL {
			e.Invalid(ttl.name, ttl.value.String(), "must be at most 1h: every service remembers revocations for 1h and refuses tokens that would outlive them")
		}
	}
	if s.AccessTokenTTL >= s.SessionIdleTimeout {
		e.Invalid("ACCESS_TOKEN_TTL", s.AccessTokenTTL.String(),
			"must be shorter than SESSION_IDLE_TIMEOUT ("+s.SessionIdleTimeout.String()+"), or a client that refreshes when its token expires finds its session already idle")
	}
	if s.SessionIdleTimeout > s.SessionMaxAge {
		e.Invalid("SESSION_IDLE_TIMEOUT", s.SessionIdleTimeout.String(),
			"must not exceed SESSION_MAX_AGE ("+s.SessionMaxAge.String()+")")
	}
	// A session's used refresh tokens must outlive it: presenting one again
	// is how a stolen token is noticed (the session is revoked), and a
	// pruned one would only be "not accepted".
	if s.AuthRetention < domain.MinAuthRetention || s.AuthRetention < s.SessionMaxAge {
		e.Invalid("AUTH_RETENTION", s.AuthRetention.String(),
			"must be at least 24h and at least SESSION_MAX_AGE ("+s.SessionMaxAge.String()+"), so history is never pruned while its session can still be refreshed")
	}
	return s
}

// PasswordGate is the bound on concurrent password hashing the settings
// describe.
func (s Settings) PasswordGate() (*gate.Gate, error) {
	return gate.New("sign-ins", s.PasswordChecks, s.PasswordCheckWait, time.Second)
}

// MaxTokenTTL is the longest lifetime of any access token company issues.
func (s Settings) MaxTokenTTL() time.Duration { return max(s.AccessTokenTTL, s.APIKeyTokenTTL) }

// publishLeeway covers clock skew between replicas and verifiers, beyond
// the verifiers' own leeway on exp.
const publishLeeway = time.Minute

// AuthPolicy is the sign-in, session and token policy of the settings.
func (s Settings) AuthPolicy() app.AuthPolicy {
	return app.AuthPolicy{
		AccessTokenTTL:   s.AccessTokenTTL,
		APIKeyTokenTTL:   s.APIKeyTokenTTL,
		PasswordResetTTL: s.PasswordResetTTL,
		Session: domain.SessionPolicy{
			IdleTimeout:     s.SessionIdleTimeout,
			MaxAge:          s.SessionMaxAge,
			RefreshTokenTTL: s.RefreshTokenTTL,
		},
		Lockout: domain.LockoutPolicy{MaxFailures: s.LoginMaxFailures, Duration: s.LoginLockout,
			MaxDuration: max(s.LoginLockoutMax, s.LoginLockout), SourceMaxFailures: s.LoginSourceMaxFailures},
	}
}

// SigningKeyPolicy is the rotation policy of the settings. A retired key
// stays published for the longest token lifetime, plus the time another
// replica may go on signing with it before its key cache notices the
// retirement (keyCacheTTL), plus leeway: every token the key signed expires
// before verifiers forget it.
func (s Settings) SigningKeyPolicy(keyCacheTTL time.Duration) domain.SigningKeyPolicy {
	return domain.SigningKeyPolicy{
		MaxAge:             s.SigningKeyMaxAge,
		PublishAfterRetire: s.MaxTokenTTL() + keyCacheTTL + publishLeeway,
	}
}
