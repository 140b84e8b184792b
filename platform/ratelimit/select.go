package ratelimit

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Backend says where buckets live.
type Backend struct {
	// RedisAddr is host:port of the shared Redis; empty keeps buckets in
	// this process's memory.
	RedisAddr string
	// RedisPassword authenticates to Redis, when required.
	RedisPassword string
	// KeyPrefix separates this component's buckets in a shared Redis
	// (DefaultKeyPrefix when empty).
	KeyPrefix string
	// MaxKeys bounds the in-memory buckets, or with Redis the local
	// allowances (default 100,000 principals and classes).
	MaxKeys int
}

// Open builds the limiter for b: in memory by default, Redis-backed when an
// address is set so every replica draws from the same buckets, with local
// allowances (Leased) so a busy principal far from its limit is not a Redis
// round trip per call, and local buckets while Redis is down (Failover, whose
// Ping the service's health report uses). The returned close releases the
// Redis client.
func Open(classes Classes, b Backend) (Limiter, func(), error) {
	maxKeys := b.MaxKeys
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	if b.RedisAddr == "" {
		l, err := NewMemory(classes, maxKeys)
		return l, func() {}, err
	}
	// Short timeouts: the limiter turns to local buckets while Redis is
	// down, and a call should not first wait out the client's multi-second
	// defaults.
	client := redis.NewClient(&redis.Options{
		Addr:         b.RedisAddr,
		Password:     b.RedisPassword,
		DialTimeout:  250 * time.Millisecond,
		ReadTimeout:  150 * time.Millisecond,
		WriteTimeout: 150 * time.Millisecond,
	})
	var opts []RedisOption
	if b.KeyPrefix != "" {
		opts = append(opts, WithKeyPrefix(b.KeyPrefix))
	}
	shared, err := NewRedis(client, classes, opts...)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	leased, err := NewLeased(shared, DefaultLeaseShare, DefaultLeaseMaxAge, maxKeys)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	local, err := NewMemory(classes, maxKeys)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	ping := func(ctx context.Context) error { return client.Ping(ctx).Err() }
	return NewFailover(leased, local, ping), func() { client.Close() }, nil
}
