package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// DefaultKeyPrefix starts the name of every Redis key this package writes, so
// rate-limit state is easy to find and cannot collide with the cache. The
// redis_rate library puts its own "rate:" in front, so a bucket's full key is
// "rate:ariesone:ratelimit:<class>:<key>".
const DefaultKeyPrefix = "ariesone:ratelimit:"

// Redis is a Limiter whose buckets live in Redis, so every replica of a
// service draws from the same quota. It uses the GCRA algorithm of redis_rate
// (one Lua script per request, atomic on the server), which behaves as a token
// bucket of the same Rate and Burst. Keys expire once their bucket is full
// again, so idle principals cost nothing.
//
// Redis failures fail OPEN here: Allow returns Allowed true together with
// the error. Rate limiting protects capacity; turning a Redis outage into an
// outage of every API (patients, orders, deliveries) would cost more than the
// limit. Open puts a Failover in front, which replaces such a decision with
// one from local buckets; the error lets the caller log and count the
// failure so an outage does not go unnoticed.
type Redis struct {
	limiter *redis_rate.Limiter
	classes Classes
	prefix  string
}

var _ Limiter = (*Redis)(nil)

// RedisOption adjusts a Redis limiter at construction.
type RedisOption func(*Redis)

// WithKeyPrefix replaces DefaultKeyPrefix, for example to keep two
// environments that share one Redis apart.
func WithKeyPrefix(prefix string) RedisOption {
	return func(r *Redis) { r.prefix = prefix }
}

// NewRedis returns a Redis limiter enforcing classes through client, which
// may be a single node, a sentinel failover or a cluster client: each request
// touches one key. It fails if client is nil or classes is invalid (see
// Classes.Validate). Give client short dial, read and write timeouts: while
// Redis is unreachable each request waits that long before failing open.
func NewRedis(client redis.UniversalClient, classes Classes, opts ...RedisOption) (*Redis, error) {
	if client == nil {
		return nil, errors.New("ratelimit: redis client is nil")
	}
	if err := classes.Validate(); err != nil {
		return nil, err
	}
	r := &Redis{
		limiter: redis_rate.NewLimiter(client),
		classes: maps.Clone(classes),
		prefix:  DefaultKeyPrefix,
	}
	for _, opt := range opts {
		opt(r)
	}
	return r, nil
}

// Allow takes one token from the shared bucket of key in class. A denied
// request takes nothing. If Redis cannot answer, Allow fails open (see Redis).
func (r *Redis) Allow(ctx context.Context, key string, class string) (Decision, error) {
	name, limit := r.classes.resolve(class)
	res, err := r.limiter.Allow(ctx, r.prefix+bucketKey(name, key), gcraLimit(limit))
	if err != nil {
		return failOpen(limit, err)
	}
	d := Decision{
		Allowed:    res.Allowed > 0,
		Limit:      limit.Burst,
		Remaining:  max(0, res.Remaining),
		ResetAfter: max(0, res.ResetAfter),
	}
	if !d.Allowed {
		// redis_rate reports -1 when a request was allowed; only a denial
		// carries a real wait.
		d.RetryAfter = max(0, res.RetryAfter)
	}
	return d, nil
}

// failOpen is the decision while Redis cannot answer: allowed, with the
// error for the caller to log and count (see Redis).
func failOpen(limit Limit, err error) (Decision, error) {
	return Decision{Allowed: true, Limit: limit.Burst},
		fmt.Errorf("ratelimit: redis unavailable, request allowed without a check: %w", err)
}

// takeAtMost takes up to n tokens from the bucket named k (class:key) in one
// round trip and reports how many it took and what is left.
func (r *Redis) takeAtMost(ctx context.Context, k string, limit Limit, n int) (*redis_rate.Result, error) {
	return r.limiter.AllowAtMost(ctx, r.prefix+k, gcraLimit(limit), n)
}

// gcraLimit expresses l in redis_rate's terms. redis_rate counts whole
// requests per period and only uses their ratio (the emission interval), so a
// whole rate maps to N per second and a fractional one to one request per
// 1/Rate seconds.
func gcraLimit(l Limit) redis_rate.Limit {
	if l.Rate >= 1 && l.Rate == math.Trunc(l.Rate) {
		return redis_rate.Limit{Rate: int(l.Rate), Burst: l.Burst, Period: time.Second}
	}
	return redis_rate.Limit{
		Rate:   1,
		Burst:  l.Burst,
		Period: time.Duration(math.Round(float64(time.Second) / l.Rate)),
	}
}
