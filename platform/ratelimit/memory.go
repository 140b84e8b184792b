package ratelimit

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// Memory is a Limiter that keeps one token bucket per class and key in this
// process. Each replica enforces its own quota, so with N replicas a principal
// may get up to N times the configured rate; use Redis where that matters.
//
// Buckets live in a least-recently-used cache of bounded size, so memory stays
// flat however many principals call. Evicting a bucket forgets its state: a
// principal whose bucket was evicted starts again with a full bucket. Size the
// cache above the number of principals active within one refill period
// (Burst/Rate) and eviction only drops buckets that would have been full
// anyway.
type Memory struct {
	classes Classes
	buckets *lru.Cache[string, *bucket]
	// now is the clock; tests replace it to step time without sleeping.
	now func() time.Time
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns a Memory limiter enforcing classes and holding at most
// maxKeys buckets. It fails if classes is invalid (see Classes.Validate) or
// maxKeys is not positive.
func NewMemory(classes Classes, maxKeys int) (*Memory, error) {
	if err := classes.Validate(); err != nil {
		return nil, err
	}
	if maxKeys < 1 {
		return nil, fmt.Errorf("ratelimit: maxKeys %d must be at least 1", maxKeys)
	}
	buckets, err := lru.New[string, *bucket](maxKeys)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: bucket cache: %w", err)
	}
	return &Memory{classes: maps.Clone(classes), buckets: buckets, now: time.Now}, nil
}

// Allow takes one token from the bucket of key in class, if one is there. A
// denied request takes nothing, so a client hammering a closed bucket does
// not push its own retry time further out. The error is always nil.
func (m *Memory) Allow(_ context.Context, key string, class string) (Decision, error) {
	name, limit := m.classes.resolve(class)
	return m.bucket(bucketKey(name, key), limit).take(m.now), nil
}

// bucket returns the bucket stored under k, creating it if absent. Two
// callers racing to create the same bucket end up sharing the first one
// stored.
func (m *Memory) bucket(k string, limit Limit) *bucket {
	if b, ok := m.buckets.Get(k); ok {
		return b
	}
	fresh := &bucket{limit: limit, tokens: rate.NewLimiter(rate.Limit(limit.Rate), limit.Burst)}
	if existing, found, _ := m.buckets.PeekOrAdd(k, fresh); found {
		return existing
	}
	return fresh
}

// bucket pairs a rate.Limiter with the lock that makes "reserve, inspect,
// cancel if denied" one step: rate.Limiter locks each call on its own, and
// a reservation cancelled after another caller reserved restores less than
// it took.
type bucket struct {
	mu     sync.Mutex
	limit  Limit
	tokens *rate.Limiter
}

// tokenEpsilon absorbs float rounding in the token count, so that a bucket
// holding 0.9999999999 tokens after a refill reports the 1 it really has.
const tokenEpsilon = 1e-9

func (b *bucket) take(now func() time.Time) Decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := now()
	d := Decision{Limit: b.limit.Burst}
	reservation := b.tokens.ReserveN(t, 1)
	if !reservation.OK() {
		// Unreachable with a validated Limit (Burst >= 1); deny rather than
		// pretend there is a delay to wait out.
		d.RetryAfter = rate.InfDuration
		return d
	}
	if delay := reservation.DelayFrom(t); delay > 0 {
		reservation.CancelAt(t)
		d.RetryAfter = delay
	} else {
		d.Allowed = true
	}
	left := b.tokens.TokensAt(t)
	d.Remaining = max(0, int(math.Floor(left+tokenEpsilon)))
	d.ResetAfter = b.timeToFill(left)
	return d
}

// timeToFill is how long the bucket takes to refill from tokens to Burst.
func (b *bucket) timeToFill(tokens float64) time.Duration {
	missing := float64(b.limit.Burst) - tokens
	if missing <= tokenEpsilon {
		return 0
	}
	return time.Duration(math.Ceil(missing / b.limit.Rate * float64(time.Second)))
}
