package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Leased puts a local allowance in front of the shared Redis buckets, so a
// busy principal does not pay a Redis round trip on every call. When a call
// reaches Redis it charges the calls served locally since the last one
// together with itself (one round trip, atomic on the server) and learns how
// many tokens the shared bucket still holds; this replica may then serve up
// to a share of those (remaining / share) from memory, for at most maxAge,
// before it must ask again. The share is what keeps the quota honest near
// its limit: with fewer than share replicas serving one principal, the
// allowances they hold together never exceed what the bucket really had, so
// no call is admitted that Redis would have refused. A bucket holding fewer
// than share tokens gives no allowance at all, so every call near the limit
// is decided by Redis exactly as without leasing, and denials, RetryAfter and
// the headers behave the same.
//
// What a lease costs: the calls served locally are charged to Redis late
// (at the principal's next round trip), so another replica reads a
// remaining count that is high by at most the allowance; and if a
// principal stops calling, its last uncharged calls (at most one allowance)
// are never charged. Both are bounded by a fraction of a bucket that was
// far from empty, which is the point: leasing only acts when the limit is
// clearly not near.
type Leased struct {
	shared *Redis
	share  int
	maxAge time.Duration
	leases *lru.Cache[string, *lease]
	// now is the clock; tests replace it to step time without sleeping.
	now func() time.Time
}

var _ Limiter = (*Leased)(nil)

// Defaults of NewLeased: an allowance is an eighth of what the shared
// bucket held, renewed at least every 100 ms.
const (
	DefaultLeaseShare  = 8
	DefaultLeaseMaxAge = 100 * time.Millisecond
)

// NewLeased wraps shared. share (at least 2) is the divisor of the shared
// bucket's remaining tokens that one allowance may take, and so the number
// of replicas of one principal's traffic up to which no call is admitted
// over quota; maxAge bounds how stale an allowance may be; maxKeys bounds
// how many principals' allowances are held (least recently used go first,
// and their uncharged calls with them).
func NewLeased(shared *Redis, share int, maxAge time.Duration, maxKeys int) (*Leased, error) {
	switch {
	case shared == nil:
		return nil, errors.New("ratelimit: leased limiter needs a Redis limiter")
	case share < 2:
		return nil, fmt.Errorf("ratelimit: lease share %d must be at least 2", share)
	case maxAge <= 0:
		return nil, fmt.Errorf("ratelimit: lease max age %v must be positive", maxAge)
	case maxKeys < 1:
		return nil, fmt.Errorf("ratelimit: maxKeys %d must be at least 1", maxKeys)
	}
	leases, err := lru.New[string, *lease](maxKeys)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: lease cache: %w", err)
	}
	return &Leased{shared: shared, share: share, maxAge: maxAge, leases: leases, now: time.Now}, nil
}

// lease is one principal's local allowance in one class. The mutex also
// serialises its round trips, so two calls never charge the same debt twice.
type lease struct {
	mu sync.Mutex
	// allowance is how many more calls may be served without Redis.
	allowance int
	// debt is how many calls were served locally and not yet charged.
	debt int
	// remaining and resetAfter are Redis's answer at the last round trip.
	remaining  int
	resetAfter time.Duration
	renewed    time.Time
}

// Allow serves the call from the principal's allowance when there is one,
// and otherwise asks Redis, charging the calls served locally since the last
// round trip. Redis failures fail open (see Redis) and keep the debt for the
// next round trip.
func (l *Leased) Allow(ctx context.Context, key string, class string) (Decision, error) {
	name, limit := l.shared.classes.resolve(class)
	k := bucketKey(name, key)
	ls := l.lease(k)
	ls.mu.Lock()
	defer ls.mu.Unlock()

	now := l.now()
	if ls.allowance > 0 && now.Sub(ls.renewed) < l.maxAge {
		ls.allowance--
		ls.debt++
		return Decision{
			Allowed:    true,
			Limit:      limit.Burst,
			Remaining:  max(0, ls.remaining-ls.debt),
			ResetAfter: ls.resetAfter + time.Duration(float64(ls.debt)/limit.Rate*float64(time.Second)),
		}, nil
	}

	want := ls.debt + 1
	res, err := l.shared.takeAtMost(ctx, k, limit, want)
	if err != nil {
		ls.allowance = 0
		return failOpen(limit, err)
	}
	ls.debt, ls.renewed = 0, now
	ls.remaining, ls.resetAfter = max(0, res.Remaining), max(0, res.ResetAfter)
	d := Decision{Limit: limit.Burst, Remaining: ls.remaining, ResetAfter: ls.resetAfter}
	if res.Allowed < want {
		// The bucket could not cover the earlier calls and this one: it is
		// empty now, and this call waits for the next token like any other
		// denied call.
		ls.allowance = 0
		d.RetryAfter = res.RetryAfter
		if d.RetryAfter <= 0 {
			d.RetryAfter = time.Duration(math.Ceil(float64(time.Second) / limit.Rate))
		}
		return d, nil
	}
	ls.allowance = ls.remaining / l.share
	d.Allowed = true
	return d, nil
}

// lease returns the lease stored under k, creating it if absent.
func (l *Leased) lease(k string) *lease {
	if ls, ok := l.leases.Get(k); ok {
		return ls
	}
	fresh := &lease{}
	if existing, found, _ := l.leases.PeekOrAdd(k, fresh); found {
		return existing
	}
	return fresh
}
