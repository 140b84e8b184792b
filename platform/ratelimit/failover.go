package ratelimit

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// DefaultRetryShared is how long Failover keeps to its local buckets after
// the shared limiter failed before asking it again.
const DefaultRetryShared = time.Second

// Failover is the limiter of a process whose buckets live in Redis: it asks
// the shared limiter and, while that cannot answer, enforces the same classes
// with buckets of its own (Memory) instead of letting calls through
// unchecked. Each replica then grants a full quota of its own, so a
// principal may get up to replicas × its limit for the outage's length;
// that is the degradation a Redis outage costs, rather than no limit at all
// or an outage of every API.
//
// After a failure the shared limiter is left alone for RetryShared, so an
// unreachable Redis costs one dial timeout per RetryShared, not one per call.
// Ping says whether Redis answers, for the service's health report.
type Failover struct {
	shared Limiter
	local  *Memory
	ping   func(context.Context) error
	retry  time.Duration
	now    func() time.Time
	// downUntil is the Unix nanosecond until which calls go to the local
	// buckets without asking shared; 0 while shared answers.
	downUntil atomic.Int64
}

var _ Limiter = (*Failover)(nil)

// NewFailover returns a Failover over shared, falling back to local, with
// ping reporting the shared store's health.
func NewFailover(shared Limiter, local *Memory, ping func(context.Context) error) *Failover {
	return &Failover{shared: shared, local: local, ping: ping, retry: DefaultRetryShared, now: time.Now}
}

// Allow asks the shared limiter, or the local one while the shared one is
// failing. A decision made locally comes with an error saying so, for the
// caller to log and count; it is a decision all the same.
func (f *Failover) Allow(ctx context.Context, key string, class string) (Decision, error) {
	if until := f.downUntil.Load(); until == 0 || f.now().UnixNano() >= until {
		d, err := f.shared.Allow(ctx, key, class)
		if err == nil {
			f.downUntil.Store(0)
			return d, nil
		}
		f.downUntil.Store(f.now().Add(f.retry).UnixNano())
		local, lerr := f.local.Allow(ctx, key, class)
		if lerr != nil {
			return local, lerr
		}
		return local, fmt.Errorf("ratelimit: shared limiter unavailable, local limit applied: %w", err)
	}
	return f.local.Allow(ctx, key, class)
}

// Ping reports whether the shared store answers.
func (f *Failover) Ping(ctx context.Context) error { return f.ping(ctx) }
