package cache_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/ariesone/ariesone/platform/cache"
	"github.com/ariesone/ariesone/platform/redistest"
)

var jsonCodec = cache.Codec[[]string]{
	Marshal: func(v []string) ([]byte, error) { return json.Marshal(v) },
	Unmarshal: func(b []byte) ([]string, error) {
		var v []string
		return v, json.Unmarshal(b, &v)
	},
}

// counting is a loader that counts its calls and returns what db holds.
type counting struct {
	calls int
	db    map[string][]string
}

func (c *counting) load(key string) cache.Loader[[]string] {
	return func(context.Context) ([]string, bool, error) {
		c.calls++
		v, ok := c.db[key]
		return v, ok, nil
	}
}

func newCache(t *testing.T, client redis.UniversalClient, name string, reg prometheus.Registerer) *cache.Cache[[]string] {
	t.Helper()
	c, err := cache.New(cache.Config[[]string]{Name: name, Redis: client, Codec: jsonCodec, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTwoLevels: a replica's miss fills Redis, so another replica's first
// read is a Redis hit and its second a local one; an invalidation on
// either drops the key everywhere it reaches.
func TestTwoLevels(t *testing.T) {
	ctx := context.Background()
	client := redistest.Client(t)
	name := "test-" + uuid.NewString()[:8]
	reg := prometheus.NewRegistry()
	a, b := newCache(t, client, name, reg), newCache(t, client, name, nil)
	src := &counting{db: map[string][]string{"t1:SN1": {"unit-1"}}}

	for i, c := range []*cache.Cache[[]string]{a, a, b, b} {
		v, err := c.Get(ctx, "t1:SN1", src.load("t1:SN1"))
		if err != nil || len(v) != 1 || v[0] != "unit-1" {
			t.Fatalf("read %d = %v, %v", i, v, err)
		}
	}
	if src.calls != 1 {
		t.Errorf("the source was read %d times, want 1", src.calls)
	}
	if got, want := a.Stats(), (cache.Stats{LocalHits: 1, Misses: 1}); got != want {
		t.Errorf("replica a stats = %+v, want %+v", got, want)
	}
	if got, want := b.Stats(), (cache.Stats{LocalHits: 1, RemoteHits: 1}); got != want {
		t.Errorf("replica b stats = %+v, want %+v", got, want)
	}
	if got := a.HitRatio(); got != 0.5 {
		t.Errorf("hit ratio = %v, want 0.5", got)
	}
	if n, err := testutil.GatherAndCount(reg, "ariesone_cache_hit_ratio", "ariesone_cache_lookups_total"); err != nil || n != 3 {
		t.Errorf("exported series = %d, %v; want the ratio and two levels", n, err)
	}

	src.db["t1:SN1"] = []string{"unit-2"}
	if err := a.Invalidate(ctx, "t1:SN1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Get(ctx, "t1:SN1", src.load("t1:SN1")); v[0] != "unit-2" {
		t.Errorf("after invalidation a reads %v", v)
	}
	// b's own level still holds the old value until b hears of the change:
	// the service invalidates every replica from its change events.
	if err := b.Invalidate(ctx, "t1:SN1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Get(ctx, "t1:SN1", src.load("t1:SN1")); v[0] != "unit-2" {
		t.Errorf("after invalidation b reads %v", v)
	}
}

// TestNothingCachedUnlessCacheable: a loader's "not cacheable" answer is
// asked again next time.
func TestNothingCachedUnlessCacheable(t *testing.T) {
	c := newCache(t, redistest.Client(t), "test-"+uuid.NewString()[:8], nil)
	src := &counting{db: map[string][]string{}}
	for range 3 {
		if _, err := c.Get(context.Background(), "t1:NONE", src.load("t1:NONE")); err != nil {
			t.Fatal(err)
		}
	}
	if src.calls != 3 {
		t.Errorf("the source was read %d times, want 3", src.calls)
	}
}

// TestInvalidatePrefix drops one tenant's keys and keeps another's.
func TestInvalidatePrefix(t *testing.T) {
	ctx := context.Background()
	client := redistest.Client(t)
	name := "test-" + uuid.NewString()[:8]
	a, b := newCache(t, client, name, nil), newCache(t, client, name, nil)
	src := &counting{db: map[string][]string{"t1:A": {"1"}, "t1:B": {"2"}, "t2:A": {"3"}}}
	for _, k := range []string{"t1:A", "t1:B", "t2:A"} {
		if _, err := a.Get(ctx, k, src.load(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.InvalidatePrefix(ctx, "t1:"); err != nil {
		t.Fatal(err)
	}
	src.calls = 0
	for _, k := range []string{"t1:A", "t1:B", "t2:A"} {
		if _, err := b.Get(ctx, k, src.load(k)); err != nil {
			t.Fatal(err)
		}
	}
	if src.calls != 2 {
		t.Errorf("after dropping t1 a fresh replica read the source %d times, want 2 (t2 stays in Redis)", src.calls)
	}
}

// TestStaleReadIsNotKept: a load that began before an invalidation
// returns its value but does not keep it.
func TestStaleReadIsNotKept(t *testing.T) {
	ctx := context.Background()
	c := newCache(t, nil, "test-"+uuid.NewString()[:8], nil)
	calls := 0
	load := func(ctx context.Context) ([]string, bool, error) {
		calls++
		if calls == 1 {
			if err := c.Invalidate(ctx, "k"); err != nil { // a change event lands mid-read
				return nil, false, err
			}
		}
		return []string{"v"}, true, nil
	}
	for range 2 {
		if _, err := c.Get(ctx, "k", load); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 {
		t.Errorf("source read %d times, want 2: the read overtaken by an invalidation must not be kept", calls)
	}
}

// TestRedisDownReadsThrough: a dead Redis costs the cache, never the read.
func TestRedisDownReadsThrough(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	c := newCache(t, dead, "test-"+uuid.NewString()[:8], nil)
	src := &counting{db: map[string][]string{"k": {"v"}}}
	v, err := c.Get(context.Background(), "k", src.load("k"))
	if err != nil || v[0] != "v" {
		t.Fatalf("Get = %v, %v", v, err)
	}
	if err := c.Invalidate(context.Background(), "k"); err == nil {
		t.Error("Invalidate with Redis down reported success")
	}
}

// TestConfig refuses what could never work.
func TestConfig(t *testing.T) {
	for name, cfg := range map[string]cache.Config[[]string]{
		"no name":        {},
		"colon":          {Name: "a:b"},
		"redis no codec": {Name: "x", Redis: redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})},
	} {
		if _, err := cache.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
