// Package revocation lets every process that accepts access tokens refuse
// the ones company has revoked, within seconds and without asking company
// on each call. Access tokens are verified locally and live up to their
// expiry; a logout, a deactivation, a role change or a revoked API key
// would otherwise leave them working for as long. Each process keeps the
// set of recent revocations, rebuilt at start from a replayable stream of
// company's events (the last Retention of them) and kept current from it,
// and checks every call's principal against it.
//
// The set fails closed: until it has caught up with the stream, and when it
// has lost the stream for longer than MaxStaleness, or holds more entries
// than it may, every check is refused as UNAVAILABLE rather than risk
// accepting a revoked token.
package revocation

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
)

// Revocation is one fact from company that ends tokens' authority.
type Revocation struct {
	// SessionID, when set, ends every token of that login session.
	SessionID string
	// Subject, when set, ends the tokens of that user or API key issued at
	// or before Time: a deactivated user, a user whose roles changed (their
	// next token carries the new roles), a revoked key.
	Subject string
	// Time is when company committed the change.
	Time time.Time
}

// Reasons of the refusals, which clients may branch on.
const (
	ReasonTokenRevoked       = "TOKEN_REVOKED"
	ReasonRevocationsUnknown = "REVOCATIONS_UNAVAILABLE"
	ReasonTokenTooLong       = "TOKEN_LIFETIME_TOO_LONG"
)

// Config tunes a Set.
type Config struct {
	// Retention is how long a revocation is remembered, and so the longest
	// token lifetime accepted: a token that could outlive its own
	// revocation's memory is refused (default 1h).
	Retention time.Duration
	// MaxEntries bounds the memory: a set holding more refuses every check
	// until old entries expire (default 200,000).
	MaxEntries int
	// MaxStaleness is how long the set stays trusted after losing its
	// stream: revocations are promised within seconds, so a brief broker
	// hiccup does not stop the mesh, a long one does (default 5s).
	MaxStaleness time.Duration
	// Stream is the stream read (default StreamName; tests use their own).
	Stream string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Stream == "" {
		c.Stream = StreamName
	}
	if c.Retention <= 0 {
		c.Retention = time.Hour
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = 200_000
	}
	if c.MaxStaleness <= 0 {
		c.MaxStaleness = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Set is the revocations a process knows. It is safe for concurrent use.
type Set struct {
	cfg Config

	mu       sync.RWMutex
	sessions map[string]time.Time // session id -> revocation time
	subjects map[string]time.Time // subject -> latest revocation time
	// attached is whether the stream is caught up now; lostAt is when it
	// was last lost (zero: never attached yet).
	attached  bool
	lostAt    time.Time
	everReady bool
	lastPrune time.Time
}

// New returns an empty set that refuses every check until it is marked
// caught up (Attached).
func New(cfg Config) *Set {
	return &Set{
		cfg:      cfg.withDefaults(),
		sessions: map[string]time.Time{},
		subjects: map[string]time.Time{},
	}
}

// Trusted returns a set that trusts itself from the start: for a process
// that has no stream to read (the in-process bus of local runs), where only
// revocations Added in process are known.
func Trusted(cfg Config) *Set {
	s := New(cfg)
	s.Attached(true)
	return s
}

// Attached records whether the set's stream is caught up (true) or lost
// (false).
func (s *Set) Attached(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case ok:
		s.attached, s.everReady = true, true
	case s.attached:
		s.attached, s.lostAt = false, s.cfg.Now()
	}
}

// Add records r. Revocations older than Retention change nothing: every
// token they could refuse has expired.
func (s *Set) Add(r Revocation) {
	now := s.cfg.Now()
	if r.Time.IsZero() || now.Sub(r.Time) > s.cfg.Retention || (r.SessionID == "" && r.Subject == "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.SessionID != "" {
		s.sessions[r.SessionID] = later(s.sessions[r.SessionID], r.Time)
	}
	if r.Subject != "" {
		s.subjects[r.Subject] = later(s.subjects[r.Subject], r.Time)
	}
	if now.Sub(s.lastPrune) > time.Minute || s.sizeLocked() > s.cfg.MaxEntries {
		s.pruneLocked(now)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (s *Set) sizeLocked() int { return len(s.sessions) + len(s.subjects) }

// pruneLocked forgets revocations older than Retention.
func (s *Set) pruneLocked(now time.Time) {
	s.lastPrune = now
	for _, m := range []map[string]time.Time{s.sessions, s.subjects} {
		for k, t := range m {
			if now.Sub(t) > s.cfg.Retention {
				delete(m, k)
			}
		}
	}
}

var errUnknown = &errs.Error{Kind: errs.KindUnavailable, Reason: ReasonRevocationsUnknown,
	Message: "token revocations cannot be verified right now; retry shortly"}

// Check refuses a principal whose token was revoked (UNAUTHENTICATED
// TOKEN_REVOKED: sign in again or refresh), whose token lives longer than
// the set remembers, or any principal while the set cannot be trusted
// (UNAVAILABLE). p is the principal of a verified token: one without an
// issue time is refused, since nothing bounds its lifetime.
func (s *Set) Check(p identity.Principal) error {
	now := s.cfg.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.trustLocked(now); err != nil {
		return err
	}
	if p.IssueTime.IsZero() || p.ExpireTime.Sub(p.IssueTime) > s.cfg.Retention {
		return &errs.Error{Kind: errs.KindUnauthenticated, Reason: ReasonTokenTooLong,
			Message: "token lifetime is longer than revocations are remembered"}
	}
	if _, ok := s.sessions[p.SessionID]; ok && p.SessionID != "" {
		return revoked("the session has ended; sign in again")
	}
	// iat has whole seconds: a token issued in the same second as the
	// revocation is refused too, since it may have been issued before it.
	// A client refreshing in that second gets refused once more and
	// refreshes again.
	if t, ok := s.subjects[p.Subject]; ok && !p.IssueTime.After(t.Truncate(time.Second)) {
		return revoked("the token was revoked; refresh it or sign in again")
	}
	return nil
}

func revoked(msg string) error {
	return &errs.Error{Kind: errs.KindUnauthenticated, Reason: ReasonTokenRevoked, Message: msg}
}

func (s *Set) trustLocked(now time.Time) error {
	switch {
	case s.sizeLocked() > s.cfg.MaxEntries:
		return errUnknown
	case s.attached:
		return nil
	case !s.everReady || now.Sub(s.lostAt) > s.cfg.MaxStaleness:
		return errUnknown
	}
	return nil
}

// ErrNotCaughtUp is what Ping reports while the set cannot be trusted.
var ErrNotCaughtUp = errors.New("revocations: not caught up with company's revocation stream")

// Ping reports whether the set can be trusted now, for health checks: a
// process that would refuse every call does not report itself serving.
func (s *Set) Ping(context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.trustLocked(s.cfg.Now()) != nil {
		return ErrNotCaughtUp
	}
	return nil
}

// Len is how many revocations the set holds, for metrics and tests.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sizeLocked()
}
