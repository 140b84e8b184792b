package domain

import "time"

// LockoutPolicy slows password guessing: after MaxFailures consecutive failed
// sign-ins an account refuses every sign-in, right password included, until
// Duration has passed. A success resets the count.
type LockoutPolicy struct {
	// MaxFailures is the number of consecutive failures that locks the
	// account (LOGIN_MAX_FAILURES).
	MaxFailures int
	// Duration is how long a lock lasts (LOGIN_LOCKOUT).
	Duration time.Duration
}

// LoginCounter is the part of a user that the lockout policy reads and
// writes: users.failed_login_count, users.locked_until, and whether the
// status is locked.
type LoginCounter struct {
	// FailedCount is the number of consecutive failed sign-ins.
	FailedCount int
	// Locked is true while the user's status is locked.
	Locked bool
	// LockedUntil is when the latest lock ends; zero when the account has
	// not been locked since its last successful sign-in.
	LockedUntil time.Time
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
		c = p.fail(LoginCounter{}, now)
	case countFailure:
		c = p.fail(c, now)
	}
	return c, rule.Allowed
}

func (p LockoutPolicy) fail(c LoginCounter, now time.Time) LoginCounter {
	c.FailedCount++
	if c.FailedCount >= p.MaxFailures {
		c.Locked = true
		c.LockedUntil = now.Add(p.Duration)
	}
	return c
}

// Attempt runs one sign-in attempt on a: a deactivated user is refused and
// left untouched (failures against a closed account lock nothing); any
// other goes through Apply, and its status follows the lock (locked while
// locked, active otherwise). It reports whether the lockout lets a sign in.
func (p LockoutPolicy) Attempt(a *LoginAccount, passwordOK bool, now time.Time) bool {
	if a.Status != UserActive && a.Status != UserLocked {
		return false
	}
	c := a.Counter
	c.Locked = a.Status == UserLocked
	next, allowed := p.Apply(c, passwordOK, now)
	a.Counter = next
	a.Status = UserActive
	if next.Locked {
		a.Status = UserLocked
	}
	return allowed
}
