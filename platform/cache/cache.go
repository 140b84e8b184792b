// Package cache is the two-level read-through cache of the platform: an
// in-process LRU in front of an optional Redis shared by the replicas,
// in front of the database. Entries are invalidated by key or by key
// prefix; each service calls Invalidate from its own change events, so
// every replica (and Redis) drops what a commit anywhere made stale. The
// hit ratio, per level, is exported for Prometheus.
//
// A read that started before an invalidation does not store what it read:
// an epoch, bumped by every invalidation, is compared before the store, so
// a slow database read cannot put back a value an event just removed.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Codec turns values into the bytes Redis holds and back.
type Codec[V any] struct {
	Marshal   func(V) ([]byte, error)
	Unmarshal func([]byte) (V, error)
}

// Config describes one cache.
type Config[V any] struct {
	// Name labels the cache's metrics and prefixes its Redis keys.
	Name string
	// Size bounds the in-process level's entries; 0 means 10,000.
	Size int
	// LocalTTL bounds how long the in-process level keeps an entry; 0
	// means one minute. RemoteTTL is Redis's; 0 means five minutes. They
	// bound staleness should an invalidation ever be lost.
	LocalTTL, RemoteTTL time.Duration
	// Redis is the shared level; nil means in-process only.
	Redis redis.UniversalClient
	// Codec is required with Redis.
	Codec      Codec[V]
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Cache is a two-level read-through cache of V by string key.
type Cache[V any] struct {
	name      string
	local     *expirable.LRU[string, V]
	redis     redis.UniversalClient
	codec     Codec[V]
	remoteTTL time.Duration
	logger    *slog.Logger
	epoch     atomic.Uint64
	// hits per level and misses, for the ratio.
	localHits, remoteHits, misses atomic.Uint64
	lookups                       *prometheus.CounterVec
}

// Levels a lookup is answered from, as the metric's label.
const (
	LevelLocal  = "local"
	LevelRemote = "redis"
	LevelMiss   = "miss"
)

// New builds a cache; its metrics are registered when cfg.Registerer is
// set.
func New[V any](cfg Config[V]) (*Cache[V], error) {
	if cfg.Name == "" || strings.ContainsAny(cfg.Name, ": ") {
		return nil, fmt.Errorf("cache: name %q must be non-empty, without spaces or colons", cfg.Name)
	}
	if cfg.Redis != nil && (cfg.Codec.Marshal == nil || cfg.Codec.Unmarshal == nil) {
		return nil, errors.New("cache: a Redis level needs a codec")
	}
	if cfg.Size <= 0 {
		cfg.Size = 10_000
	}
	if cfg.LocalTTL <= 0 {
		cfg.LocalTTL = time.Minute
	}
	if cfg.RemoteTTL <= 0 {
		cfg.RemoteTTL = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Cache[V]{
		name: cfg.Name, local: expirable.NewLRU[string, V](cfg.Size, nil, cfg.LocalTTL), redis: cfg.Redis,
		codec: cfg.Codec, remoteTTL: cfg.RemoteTTL, logger: cfg.Logger,
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "ariesone_cache_lookups_total",
			Help:        "Cache lookups by the level that answered them (local, redis) or miss (the database).",
			ConstLabels: prometheus.Labels{"cache": cfg.Name},
		}, []string{"level"}),
	}
	if cfg.Registerer != nil {
		ratio := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "ariesone_cache_hit_ratio",
			Help:        "Share of cache lookups answered without the database, since start.",
			ConstLabels: prometheus.Labels{"cache": cfg.Name},
		}, c.HitRatio)
		if err := errors.Join(cfg.Registerer.Register(c.lookups), cfg.Registerer.Register(ratio)); err != nil {
			return nil, fmt.Errorf("cache %s: registering metrics: %w", cfg.Name, err)
		}
	}
	return c, nil
}

// Stats are the cache's lookups since start.
type Stats struct {
	LocalHits, RemoteHits, Misses uint64
}

// Stats returns the lookup counts.
func (c *Cache[V]) Stats() Stats {
	return Stats{LocalHits: c.localHits.Load(), RemoteHits: c.remoteHits.Load(), Misses: c.misses.Load()}
}

// HitRatio is the share of lookups answered by either level; 0 before the
// first.
func (c *Cache[V]) HitRatio() float64 {
	s := c.Stats()
	total := s.LocalHits + s.RemoteHits + s.Misses
	if total == 0 {
		return 0
	}
	return float64(s.LocalHits+s.RemoteHits) / float64(total)
}

// Loader reads a value from the source of truth. cacheable false returns
// the value without keeping it (a miss worth asking again, say).
type Loader[V any] func(ctx context.Context) (v V, cacheable bool, err error)

// Get returns key's value from the in-process level, else Redis, else
// load, keeping what it found in the levels above. Redis failures are
// logged and read through: the cache never makes a read fail that the
// database would answer.
func (c *Cache[V]) Get(ctx context.Context, key string, load Loader[V]) (V, error) {
	if v, ok := c.local.Get(key); ok {
		c.hit(&c.localHits, LevelLocal)
		return v, nil
	}
	epoch := c.epoch.Load()
	if c.redis != nil {
		if b, err := c.redis.Get(ctx, c.remoteKey(key)).Bytes(); err == nil {
			if v, err := c.codec.Unmarshal(b); err == nil {
				c.hit(&c.remoteHits, LevelRemote)
				c.keepLocal(key, v, epoch)
				return v, nil
			}
			c.logger.WarnContext(ctx, "cache: dropping an entry that does not decode", slog.String("cache", c.name))
		} else if !errors.Is(err, redis.Nil) {
			c.logger.WarnContext(ctx, "cache: Redis read failed; reading through", slog.String("cache", c.name), slog.Any("error", err))
		}
	}
	c.hit(&c.misses, LevelMiss)
	v, cacheable, err := load(ctx)
	if err != nil || !cacheable {
		return v, err
	}
	if c.redis != nil && c.epoch.Load() == epoch {
		if b, err := c.codec.Marshal(v); err == nil {
			if err := c.redis.Set(ctx, c.remoteKey(key), b, c.remoteTTL).Err(); err != nil {
				c.logger.WarnContext(ctx, "cache: Redis write failed", slog.String("cache", c.name), slog.Any("error", err))
			}
		}
	}
	c.keepLocal(key, v, epoch)
	return v, nil
}

func (c *Cache[V]) hit(n *atomic.Uint64, level string) {
	n.Add(1)
	c.lookups.WithLabelValues(level).Inc()
}

// keepLocal stores v unless an invalidation happened since epoch.
func (c *Cache[V]) keepLocal(key string, v V, epoch uint64) {
	if c.epoch.Load() == epoch {
		c.local.Add(key, v)
	}
}

func (c *Cache[V]) remoteKey(key string) string { return "ariesone:cache:" + c.name + ":" + key }

// Invalidate drops keys from both levels.
func (c *Cache[V]) Invalidate(ctx context.Context, keys ...string) error {
	c.epoch.Add(1)
	for _, k := range keys {
		c.local.Remove(k)
	}
	if c.redis == nil || len(keys) == 0 {
		return nil
	}
	remote := make([]string, len(keys))
	for i, k := range keys {
		remote[i] = c.remoteKey(k)
	}
	if err := c.redis.Del(ctx, remote...).Err(); err != nil {
		return fmt.Errorf("cache %s: invalidating in Redis: %w", c.name, err)
	}
	return nil
}

// InvalidatePrefix drops every key starting with prefix from both levels
// (a whole tenant, say). It scans Redis, so it is for rare, wide changes.
func (c *Cache[V]) InvalidatePrefix(ctx context.Context, prefix string) error {
	c.epoch.Add(1)
	for _, k := range c.local.Keys() {
		if strings.HasPrefix(k, prefix) {
			c.local.Remove(k)
		}
	}
	if c.redis == nil {
		return nil
	}
	iter := c.redis.Scan(ctx, 0, globEscape(c.remoteKey(prefix))+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			if err := c.redis.Del(ctx, batch...).Err(); err != nil {
				return fmt.Errorf("cache %s: invalidating in Redis: %w", c.name, err)
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("cache %s: scanning Redis: %w", c.name, err)
	}
	if len(batch) > 0 {
		if err := c.redis.Del(ctx, batch...).Err(); err != nil {
			return fmt.Errorf("cache %s: invalidating in Redis: %w", c.name, err)
		}
	}
	return nil
}

// globEscape quotes the characters Redis's MATCH treats as patterns.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\\^`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NewRedisClient connects to the shared level with short timeouts: the
// cache reads through while Redis is slow or down rather than wait out
// the client's multi-second defaults.
func NewRedisClient(addr, password string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr:         addr,
		Password:     password,
		DialTimeout:  250 * time.Millisecond,
		ReadTimeout:  150 * time.Millisecond,
		WriteTimeout: 150 * time.Millisecond,
	})
}
