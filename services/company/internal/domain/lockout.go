package domain

import "time"

// LockoutPolicy slows password guessing without letting a guesser lock
// anyone out: failures are counted per source (an IPv4 address or an IPv6
// /64) and account, and after MaxFailures consecutive ones that source is
// refused by that account, right password included, for Duration; each
// further block of the same pair lasts twice the one before, up to
// MaxDuration. Every other source signs in as usual, and sessions already
// open are never touched. A source that fails SourceMaxFailures times across
// the company's accounts (spraying one password over many) is refused by
// all of them the same way. A success resets its pair, not its source.
type LockoutPolicy struct {
	// MaxFailures is the number of consecutive failures from one source
	// that blocks it from the account (LOGIN_MAX_FAILURES).
	MaxFailures int
	// Duration is how long a first block lasts (LOGIN_LOCKOUT).
	Duration time.Duration
	// MaxDuration caps the doubling (LOGIN_LOCKOUT_MAX).
	MaxDuration time.Duration
	// SourceMaxFailures is the number of failures from one source, over
	// all of the company's accounts, that blocks it from every account
	// (LOGIN_SOURCE_MAX_FAILURES).
	SourceMaxFailures int
}

// LoginCounter is one source's failures: against one account, or against
// every account of the company.
type LoginCounter struct {
	// FailedCount is the number of consecutive failed sign-ins.
	FailedCount int
	// Locked is true while the source is blocked.
	Locked bool
	// LockedUntil is when the latest block ends; zero when the source has
	// not been blocked since its last success.
	LockedUntil time.Time
	// Lockouts is how many blocks there were since the last success: the
	// next one lasts Duration × 2^Lockouts.
	Lockouts int
}

// LockoutState is where a LoginCounter stands at a given time.
type LockoutState string

const (
	// LockoutClear: no failures since the last success.
	LockoutClear LockoutState = "clear"
	// LockoutFailing: some failures, fewer than the limit.
	LockoutFailing LockoutState = "failing"
	// LockoutLocked: the limit was reached and the lock has not ended.
	LockoutLocked LockoutState = "locked"
	// LockoutExpired: a lock that has ended, by time or because an
	// administrator reactivated the user; its failures no longer count.
	LockoutExpired LockoutState = "expired"
)

// lockoutEffect is what one sign-in attempt does to the counter.
type lockoutEffect int

const (
	// keepCounter leaves the counter as it is. A locked account does not
	// extend its lock on further failures, so a guesser cannot keep a user
	// out for longer than one lock at a time by hammering.
	keepCounter lockoutEffect = iota
	// resetCounter clears failures and lock: a successful sign-in.
	resetCounter
	// countFailure adds one failure and locks on reaching MaxFailures.
	countFailure
	// restartCount forgets an expired lock's failures, then counts this one.
	restartCount
)

// lockoutRule is one cell of the lockout table.
type lockoutRule struct {
	// Allowed: the attempt may sign in (the password, status and company
	// must still be good).
	Allowed bool
	Effect  lockoutEffect
}

// lockoutRules is the lockout state machine as data: for each state, the
// rule when the password was right and when it was wrong. Tests read the
// same table.
var lockoutRules = map[LockoutState]struct{ Right, Wrong lockoutRule }{
	LockoutClear:   {Right: lockoutRule{Allowed: true, Effect: resetCounter}, Wrong: lockoutRule{Effect: countFailure}},
	LockoutFailing: {Right: lockoutRule{Allowed: true, Effect: resetCounter}, Wrong: lockoutRule{Effect: countFailure}},
	LockoutLocked:  {Right: lockoutRule{Effect: keepCounter}, Wrong: lockoutRule{Effect: keepCounter}},
	LockoutExpired: {Right: lockoutRule{Allowed: true, Effect: resetCounter}, Wrong: lockoutRule{Effect: restartCount}},
}

// State classifies c at now.
func (p LockoutPolicy) State(c LoginCounter, now time.Time) LockoutState {
	switch {
	case c.Locked && (c.LockedUntil.IsZero() || now.Before(c.LockedUntil)):
		return LockoutLocked
	case c.Locked, !c.LockedUntil.IsZero():
		return LockoutExpired
	case c.FailedCount > 0:
		return LockoutFailing
	default:
		return LockoutClear
	}
}

// Apply runs one sign-in attempt through the table: it returns the counter
// to store and whether the lockout lets the attempt sign in.
func (p LockoutPolicy) Apply(c LoginCounter, passwordOK bool, now time.Time) (next LoginCounter, allowed bool) {
	cell := lockoutRules[p.State(c, now)]
	rule := cell.Wrong
	if passwordOK {
		rule = cell.Right
	}
	switch rule.Effect {
	case resetCounter:
		c = LoginCounter{}
	case restartCount:
		c = p.fail(LoginCounter{Lockouts: c.Lockouts}, now)
	case countFailure:
		c = p.fail(c, now)
	}
	return c, rule.Allowed
}

func (p LockoutPolicy) fail(c LoginCounter, now time.Time) LoginCounter {
	return p.failAt(c, p.MaxFailures, now)
}

// failAt counts one failure against limit, blocking on reaching it for the
// doubled duration.
func (p LockoutPolicy) failAt(c LoginCounter, limit int, now time.Time) LoginCounter {
	c.FailedCount++
	if c.FailedCount >= limit {
		d := p.Duration
		for range c.Lockouts {
			if d >= p.MaxDuration/2 {
				d = p.MaxDuration
				break
			}
			d *= 2
		}
		if p.MaxDuration > 0 {
			d = min(d, p.MaxDuration)
		}
		c.Locked = true
		c.LockedUntil = now.Add(d)
		c.Lockouts++
	}
	return c
}

// SignIn runs one sign-in attempt through the policy: source is the
// source's counter against the account, net its counter against the whole
// company; both are updated in place. It reports whether the policy lets
// the attempt sign in (the password, status and company must still be
// good) and whether this attempt blocked the source from the account.
func (p LockoutPolicy) SignIn(source, net *LoginCounter, passwordOK bool, now time.Time) (allowed, blocked bool) {
	if p.State(*net, now) == LockoutLocked {
		return false, false
	}
	was := p.State(*source, now)
	next, allowed := p.Apply(*source, passwordOK, now)
	*source = next
	if !passwordOK && was != LockoutLocked {
		*net = p.countNet(*net, now)
	}
	return allowed, was != LockoutLocked && p.State(next, now) == LockoutLocked
}

// countNet counts a failure against the company: like a pair's, against
// SourceMaxFailures, with an ended block's failures forgotten.
func (p LockoutPolicy) countNet(c LoginCounter, now time.Time) LoginCounter {
	if p.State(c, now) == LockoutExpired {
		c = LoginCounter{Lockouts: c.Lockouts}
	}
	return p.failAt(c, p.SourceMaxFailures, now)
}

// Unknown runs a sign-in naming no account through the policy: it counts
// against the source's company-wide counter only, and reports whether the
// source is blocked (the answer is the same either way).
func (p LockoutPolicy) Unknown(net *LoginCounter, now time.Time) (blocked bool) {
	if p.State(*net, now) == LockoutLocked {
		return true
	}
	*net = p.countNet(*net, now)
	return false
}

// Blocked reports whether a source with these counters is refused at now
// whatever the password: the attempt need not check it (a blocked guesser
// then costs no password hash).
func (p LockoutPolicy) Blocked(source, net LoginCounter, now time.Time) bool {
	return p.State(source, now) == LockoutLocked || p.State(net, now) == LockoutLocked
}
