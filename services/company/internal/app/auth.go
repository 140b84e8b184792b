package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/clientip"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// AuthRepository is the persistence sign-in, refresh, logout and the
// caller check need. Each method is one transaction, or joins the unit of
// work its context carries; the attempt functions decide inside it.
type AuthRepository interface {
	// CompanyIDForCode finds a company by its sign-in code before the
	// caller has a tenant.
	CompanyIDForCode(ctx context.Context, code string) (id string, found bool, err error)
	SignIn(ctx context.Context, companyID, email, source string, attempt func(*domain.SignInAttempt) error) error
	RefreshTokenCompany(ctx context.Context, hash []byte) (string, error)
	UseRefreshToken(ctx context.Context, companyID string, hash []byte, use func(*domain.RefreshAttempt) error) error
	UpdateSession(ctx context.Context, id string, update func(*domain.Session) error) (domain.Session, error)
	GetSession(ctx context.Context, id string) (domain.Session, error)
	GetAPIKey(ctx context.Context, id string) (domain.APIKey, error)
}

// AccessTokenIssuer signs access tokens: sign-in's, refresh's and API-key
// exchange's.
type AccessTokenIssuer interface {
	IssueAccessToken(ctx context.Context, g domain.AccessGrant) (domain.AccessToken, error)
}

// AuthPolicy gathers the lifetimes and limits of authentication.
type AuthPolicy struct {
	// AccessTokenTTL is the lifetime of a user's access token.
	AccessTokenTTL time.Duration
	// APIKeyTokenTTL is the lifetime of a token exchanged for an API key.
	APIKeyTokenTTL time.Duration
	Session        domain.SessionPolicy
	Lockout        domain.LockoutPolicy
	// PasswordResetTTL is how long an administrator's reset token works;
	// zero means DefaultPasswordResetTTL.
	PasswordResetTTL time.Duration
}

// Auth are the authentication use cases: sign-in, refresh, logout and the
// check that the credential behind the caller's token still stands.
type Auth struct{ r *registry }

// TokenPair is what a sign-in, refresh or API-key exchange returns.
type TokenPair struct {
	Access domain.AccessToken
	// RefreshToken is empty for API-key exchanges.
	RefreshToken string
	// RefreshExpireTime is when RefreshToken stops working unless used: the
	// earliest of its own expiry and its session's idle and absolute ends.
	RefreshExpireTime time.Time
	// SessionID is empty for API-key exchanges.
	SessionID string
}

// invalidCredentials is the one answer to every failed sign-in, whatever
// failed, so the answer reveals nothing about which companies, emails or
// accounts exist or what state they are in.
func invalidCredentials() error { return errs.Unauthenticated("invalid credentials") }

// Login is a sign-in by password.
type Login struct {
	CompanyCode string
	Email       string
	Password    string
	// ClientIP and UserAgent describe the client, for the session record.
	ClientIP  string
	UserAgent string
}

// Login signs a user in. Every failure — unknown company or email, wrong
// password, locked or deactivated user, company not active — is the same
// Unauthenticated "invalid credentials" after the same work: one argon2id
// verification, against the user's hash or a dummy. Consecutive failures
// from one source (an IPv4 address or an IPv6 /64) block that source from
// the account, and a source failing across many accounts from all of them
// (LockoutPolicy): a guesser locks out only itself, never the account's
// owner signing in from elsewhere, and never a session already open. The
// counting happens under row locks, so concurrent guesses cannot slip past
// the limit; the block that a failure starts is told to the user
// (SignInBlocked). A success resets its source's count, records the
// sign-in, upgrades a hash made with weaker parameters, and starts a
// session whose first refresh token is returned with an access token.
func (a Auth) Login(ctx context.Context, cmd Login) (TokenPair, error) {
	// Every path below hashes the password once (64 MiB while it runs):
	// beyond the gate's bound a sign-in waits its turn or is refused, so a
	// flood costs refusals, not the process.
	leave, err := a.r.PasswordGate.Enter(ctx)
	if err != nil {
		return TokenPair{}, err
	}
	defer leave()
	companyID, found, err := a.r.Store.CompanyIDForCode(ctx, cmd.CompanyCode)
	if err != nil {
		return TokenPair{}, err
	}
	if !found {
		domain.BurnPasswordCheck(cmd.Password)
		return TokenPair{}, invalidCredentials()
	}
	var pair TokenPair
	var started *domain.Session
	var changeToken string
	// blockedNow is set when this attempt's failure blocked its source
	// from the account: the user is told (SignInBlocked).
	var blockedNow *domain.SignInAttempt
	source := clientip.RateKey(cmd.ClientIP)
	if source == "" {
		source = "unknown"
	}
	// attempt decides inside SignIn's transaction, under the account's row
	// lock, so concurrent guesses are counted one after the other: the
	// password is verified (and on occasion rehashed) there, not before the
	// unit of work.
	attempt := func(at *domain.SignInAttempt) error {
		now := a.r.Now.Stamp()
		at.Time = now
		acct := at.Account
		if acct == nil {
			domain.BurnPasswordCheck(cmd.Password)
			a.r.AuthPolicy.Lockout.Unknown(&at.NetCounter, now)
			return nil
		}
		// The record names the account tried, signed in or refused.
		audit.NoteResource(ctx, AuditUserID, acct.UserID)
		if a.r.AuthPolicy.Lockout.Blocked(at.SourceCounter, at.NetCounter, now) {
			// Refused whatever the password: a blocked source's guesses
			// cost no hash, and change no counter.
			return nil
		}
		// A hash this code cannot read fails like a wrong password: the
		// account cannot sign in until its password is reset, and the
		// answer must not differ from any other failure.
		var ok, rehash bool
		if acct.PasswordHash == domain.PasswordDisabled {
			// Reset by an administrator: only the token sets a password.
			domain.BurnPasswordCheck(cmd.Password)
		} else {
			var verr error
			ok, rehash, verr = domain.VerifyPassword(acct.PasswordHash, cmd.Password)
			ok = ok && verr == nil
		}
		allowed, blocked := a.r.AuthPolicy.Lockout.SignIn(&at.SourceCounter, &at.NetCounter, ok, now)
		if blocked {
			blockedNow = &domain.SignInAttempt{Time: now, Account: acct, SourceCounter: at.SourceCounter}
		}
		if !ok || !allowed || !acct.CanSignIn() || !at.CompanyActive {
			return nil
		}
		acct.LastLoginTime = now
		if rehash {
			h, err := domain.HashPassword(cmd.Password)
			if err != nil {
				return err
			}
			at.NewPasswordHash = h
		}
		if acct.MustChangePassword {
			// The right password of an account that must choose its own
			// earns a token for that, not a session.
			token, t, err := domain.NewPasswordToken(companyID, acct.UserID, domain.PasswordTokenChange, now, domain.ChangeTokenTTL)
			if err != nil {
				return err
			}
			at.PasswordToken, changeToken = &t, token
			return nil
		}
		id, err := usecase.NewID()
		if err != nil {
			return err
		}
		s := domain.NewSession(id, companyID, acct.UserID, now, a.r.AuthPolicy.Session).WithOrigin(cmd.ClientIP, cmd.UserAgent)
		p, rt, err := a.issueForSession(ctx, s, *acct, now)
		if err != nil {
			return err
		}
		at.Session, at.RefreshToken = &s, &rt
		pair, started = p, &s
		return nil
	}
	// A failed attempt still commits (its failure count, a lockout): the
	// unit of work succeeds with no session and no event, and the refusal
	// is returned after it.
	err = a.r.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		if err := a.r.Store.SignIn(ctx, companyID, strings.TrimSpace(cmd.Email), source, attempt); err != nil {
			return err
		}
		if blockedNow != nil {
			b := blockedNow
			if err := a.r.Events.Record(ctx, Event{
				Type: EventSignInBlocked, CompanyID: companyID, ResourceID: b.Account.UserID,
				Payload: &companyv1.SignInBlocked{CompanyId: companyID, UserId: b.Account.UserID, OccurTime: timestamp(b.Time),
					FailedCount: int32(b.SourceCounter.FailedCount), BlockedUntil: timestamp(b.SourceCounter.LockedUntil)},
			}); err != nil {
				return err
			}
		}
		if changeToken != "" {
			audit.NoteOutcome(ctx, passwordChangeRequired(""))
			return nil
		}
		if started == nil {
			audit.NoteOutcome(ctx, invalidCredentials())
			return nil
		}
		return a.r.Events.Record(ctx, Event{
			Type:       EventSessionStarted,
			CompanyID:  started.CompanyID,
			ResourceID: started.ID,
			Payload: &companyv1.SessionStarted{
				CompanyId:  started.CompanyID,
				SessionId:  started.ID,
				ActorId:    started.UserID,
				OccurTime:  timestamp(started.CreateTime),
				ClientIp:   started.ClientIP,
				UserAgent:  started.UserAgent,
				ExpireTime: timestamp(started.ExpireTime),
			},
		})
	})
	if err != nil {
		return TokenPair{}, err
	}
	if changeToken != "" {
		return TokenPair{}, passwordChangeRequired(changeToken)
	}
	if started == nil {
		return TokenPair{}, invalidCredentials()
	}
	return pair, nil
}

// issueForSession draws a refresh token for s and signs an access token for
// its user with the account's roles and allowed locations as loaded now,
// returning the pair for the client and the token row to store.
func (a Auth) issueForSession(ctx context.Context, s domain.Session, acct domain.LoginAccount, now time.Time) (TokenPair, domain.RefreshToken, error) {
	plain, hash, err := domain.NewRefreshTokenSecret()
	if err != nil {
		return TokenPair{}, domain.RefreshToken{}, fmt.Errorf("refresh token: %w", err)
	}
	rt := domain.NewRefreshToken(hash, s, now, a.r.AuthPolicy.Session)
	access, err := a.r.Tokens.IssueAccessToken(ctx, domain.AccessGrant{
		Subject:   s.UserID,
		CompanyID: s.CompanyID,
		Roles:     acct.Roles,
		Kind:      domain.AccessKindUser,
		SessionID: s.ID,
		Locations: acct.AllowedLocationIDs,
		IssueTime: now,
		TTL:       a.r.AuthPolicy.AccessTokenTTL,
	})
	if err != nil {
		return TokenPair{}, domain.RefreshToken{}, err
	}
	refreshEnd := rt.ExpireTime
	if d := s.Deadline(); d.Before(refreshEnd) {
		refreshEnd = d
	}
	return TokenPair{Access: access, RefreshToken: plain, RefreshExpireTime: refreshEnd, SessionID: s.ID}, rt, nil
}

// refreshNotAccepted is the answer to every failed refresh.
func refreshNotAccepted() error { return errs.Unauthenticated("refresh token not accepted") }

// Refresh exchanges a refresh token for a new pair and retires the token.
// The token and its session are locked for the exchange, so of two
// refreshes racing with one token exactly one rotates it; the other finds it
// used. A used token presented again — a replay, or the loser of such a
// race — revokes the whole session with every token of its family, the
// newest included: only a copy of the token could be presented twice. An
// expired or revoked token, an idle or expired session, a user no longer
// active or a company no longer active are refused without side effects.
// The new access token carries the user's roles as they are now.
func (a Auth) Refresh(ctx context.Context, token string) (TokenPair, error) {
	hash, err := domain.ParseRefreshToken(token)
	if err != nil {
		return TokenPair{}, refreshNotAccepted()
	}
	companyID, err := a.r.Store.RefreshTokenCompany(ctx, hash)
	if err != nil {
		return TokenPair{}, err
	}
	if companyID == "" {
		return TokenPair{}, refreshNotAccepted()
	}
	var pair TokenPair
	var rotated bool
	var revoked *domain.Session
	use := func(at *domain.RefreshAttempt) error {
		now := a.r.Now.Stamp()
		audit.NoteResource(ctx, AuditSessionID, at.Session.ID)
		audit.NoteResource(ctx, AuditUserID, at.Session.UserID)
		switch domain.JudgeRefresh(at.Token, at.Session, now) {
		case domain.RefreshReuse:
			if at.Session.Revoke(now, domain.RevokeReasonRefreshTokenReuse) {
				s := at.Session
				revoked = &s
			}
			return nil
		case domain.RefreshReject:
			return nil
		}
		if !at.Account.CanSignIn() || !at.CompanyActive {
			return nil
		}
		at.Token.UsedTime = now
		at.Session.LastSeenTime = now
		p, rt, err := a.issueForSession(ctx, at.Session, at.Account, now)
		if err != nil {
			return err
		}
		at.NewToken = &rt
		pair, rotated = p, true
		return nil
	}
	// A reused token's revocation must commit although the refresh is
	// refused: the unit of work succeeds with the session revoked and its
	// SessionRevoked event, and the refusal is returned after it.
	err = a.r.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		if err := a.r.Store.UseRefreshToken(ctx, companyID, hash, use); err != nil {
			return err
		}
		if !rotated {
			audit.NoteOutcome(ctx, refreshNotAccepted())
		}
		if revoked == nil {
			return nil
		}
		// No actor: the service revoked the session on its own.
		return a.recordSessionRevoked(ctx, *revoked, "")
	})
	if errs.Is(err, errs.KindNotFound) {
		return TokenPair{}, refreshNotAccepted()
	}
	if err != nil {
		return TokenPair{}, err
	}
	if !rotated {
		return TokenPair{}, refreshNotAccepted()
	}
	return pair, nil
}

// Names of the ids a sign-in, refresh or key exchange adds to its audit
// record, refused or not: who or what was tried.
const (
	AuditUserID    = "user_id"
	AuditSessionID = "session_id"
	AuditAPIKeyID  = "api_key_id"
)

// ReasonNoSession is the FailedPrecondition reason of Logout for a caller
// whose token belongs to no session (an API key's).
const ReasonNoSession = "NO_SESSION"

// Logout revokes the caller's session and every refresh token of it.
// Access tokens already issued for it keep working until they expire (at
// most the access token lifetime): services verify them offline, without
// asking company. Logging out of a session already ended succeeds. A
// caller without a session (an API key's token) gets FailedPrecondition.
func (a Auth) Logout(ctx context.Context, caller identity.Principal) error {
	if caller.Kind != identity.KindUser || caller.SessionID == "" {
		return errs.FailedPrecondition(ReasonNoSession, "the caller's token belongs to no session; API-key tokens simply expire")
	}
	return a.r.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		var changed bool
		s, err := a.r.Store.UpdateSession(ctx, caller.SessionID, func(s *domain.Session) error {
			if s.UserID != caller.Subject {
				return errs.NotFound("session", caller.SessionID)
			}
			changed = s.Revoke(a.r.Now.Stamp(), domain.RevokeReasonLogout)
			return nil
		})
		if err != nil || !changed {
			return err
		}
		return a.recordSessionRevoked(ctx, s, caller.Subject)
	})
}

// recordSessionRevoked records that s was revoked, by actorID ("" when the
// service revoked it on its own).
func (a Auth) recordSessionRevoked(ctx context.Context, s domain.Session, actorID string) error {
	return a.r.Events.Record(ctx, Event{
		Type:       EventSessionRevoked,
		CompanyID:  s.CompanyID,
		ResourceID: s.ID,
		Payload: &companyv1.SessionRevoked{
			CompanyId: s.CompanyID,
			SessionId: s.ID,
			ActorId:   actorID,
			OccurTime: timestamp(s.RevokeTime),
			UserId:    s.UserID,
			Reason:    sessionRevokeReasons[s.RevokeReason],
		},
	})
}

// sessionRevokeReasons maps the stored reasons to the event's enum.
var sessionRevokeReasons = map[string]companyv1.SessionRevokeReason{
	domain.RevokeReasonLogout:            companyv1.SessionRevokeReason_SESSION_REVOKE_REASON_LOGOUT,
	domain.RevokeReasonRefreshTokenReuse: companyv1.SessionRevokeReason_SESSION_REVOKE_REASON_REFRESH_TOKEN_REUSE,
	domain.RevokeReasonUserDeactivated:   companyv1.SessionRevokeReason_SESSION_REVOKE_REASON_USER_DEACTIVATED,
	domain.RevokeReasonPasswordChanged:   companyv1.SessionRevokeReason_SESSION_REVOKE_REASON_PASSWORD_CHANGED,
	domain.RevokeReasonPasswordReset:     companyv1.SessionRevokeReason_SESSION_REVOKE_REASON_PASSWORD_RESET,
}

// CheckCaller confirms that the credential behind the caller's verified
// token still stands: a user's session has not been revoked or run out, an
// API key has not been revoked or expired. Token verification alone cannot
// know (tokens outlive revocation by up to their lifetime); WhoAmI pays one
// primary-key read for an honest answer. Other principals (services) pass.
func (a Auth) CheckCaller(ctx context.Context, caller identity.Principal) error {
	now := a.r.Now.Stamp()
	switch caller.Kind {
	case identity.KindUser:
		if caller.SessionID == "" {
			return errs.Unauthenticated("token has no session")
		}
		s, err := a.r.Store.GetSession(ctx, caller.SessionID)
		if errs.Is(err, errs.KindNotFound) || (err == nil && (s.UserID != caller.Subject || s.Usable(now) != nil)) {
			return errs.Unauthenticated("session ended")
		}
		return err
	case identity.KindAPIKey:
		k, err := a.r.Store.GetAPIKey(ctx, caller.Subject)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Unauthenticated("API key revoked")
		}
		if err != nil {
			return err
		}
		if !k.RevokeTime.IsZero() || (!k.ExpireTime.IsZero() && !now.Before(k.ExpireTime)) {
			return errs.Unauthenticated("API key revoked or expired")
		}
	}
	return nil
}
