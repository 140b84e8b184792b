package ratelimit_test

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/redistest"
)

// perMinute is a rate slow enough that no token comes back while a test runs.
const perMinute = 1.0 / 60

func redisClient(t *testing.T) *redis.Client { return redistest.Client(t) }

// testKeyPrefix returns a key prefix unique to this test run and deletes the
// keys under it when the test ends.
func testKeyPrefix(t testing.TB, client *redis.Client) string {
	t.Helper()
	prefix := ratelimit.DefaultKeyPrefix + "test:" + t.Name() + ":" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		// redis_rate puts "rate:" in front of every key it writes.
		iter := client.Scan(ctx, 0, "rate:"+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Logf("cleaning up keys under %q: %v", prefix, err)
		}
	})
	return prefix
}

func newTestRedis(t *testing.T, client *redis.Client, prefix string, classes ratelimit.Classes) *ratelimit.Redis {
	t.Helper()
	l, err := ratelimit.NewRedis(client, classes, ratelimit.WithKeyPrefix(prefix))
	if err != nil {
		t.Fatalf("NewRedis: %v", err)
	}
	return l
}

// ignoreDurations leaves RetryAfter and ResetAfter, which depend on Redis's
// clock, to range checks.
var ignoreDurations = cmpopts.IgnoreFields(ratelimit.Decision{}, "RetryAfter", "ResetAfter")

func TestRedisAllow(t *testing.T) {
	client := redisClient(t)
	limit := ratelimit.Limit{Rate: perMinute, Burst: 3}
	l := newTestRedis(t, client, testKeyPrefix(t, client), ratelimit.Classes{ratelimit.DefaultClass: limit})
	ctx := context.Background()

	want := []ratelimit.Decision{
		{Allowed: true, Limit: 3, Remaining: 2},
		{Allowed: true, Limit: 3, Remaining: 1},
		{Allowed: true, Limit: 3, Remaining: 0},
		{Allowed: false, Limit: 3, Remaining: 0},
		{Allowed: false, Limit: 3, Remaining: 0},
	}
	for i, w := range want {
		got, err := l.Allow(ctx, "user-1", "read")
		if err != nil {
			t.Fatalf("call %d: Allow: %v", i, err)
		}
		if diff := cmp.Diff(w, got, ignoreDurations); diff != "" {
			t.Errorf("call %d: decision mismatch (-want +got):\n%s", i, diff)
		}
		if got.Allowed && got.RetryAfter != 0 {
			t.Errorf("call %d: allowed with RetryAfter %v, want 0", i, got.RetryAfter)
		}
		if !got.Allowed && (got.RetryAfter <= 0 || got.RetryAfter > time.Minute) {
			t.Errorf("call %d: denied with RetryAfter %v, want within (0, 1m] for one request a minute", i, got.RetryAfter)
		}
		if got.ResetAfter <= 0 || got.ResetAfter > 3*time.Minute {
			t.Errorf("call %d: ResetAfter %v, want within (0, 3m] for a burst of 3 at one a minute", i, got.ResetAfter)
		}
	}
}

func TestRedisRefillsAfterRetryAfter(t *testing.T) {
	client := redisClient(t)
	// 20 a second with a burst of 1: a denied caller waits at most 50ms, so a
	// real sleep (Redis keeps time by its own clock) stays short.
	limit := ratelimit.Limit{Rate: 20, Burst: 1}
	l := newTestRedis(t, client, testKeyPrefix(t, client), ratelimit.Classes{ratelimit.DefaultClass: limit})
	ctx := context.Background()

	if d, err := l.Allow(ctx, "user-1", "write"); err != nil || !d.Allowed {
		t.Fatalf("first Allow = %+v, %v; want allowed", d, err)
	}
	denied, err := l.Allow(ctx, "user-1", "write")
	if err != nil || denied.Allowed {
		t.Fatalf("second Allow = %+v, %v; want denied", denied, err)
	}
	if denied.RetryAfter <= 0 || denied.RetryAfter > 50*time.Millisecond {
		t.Fatalf("RetryAfter = %v, want within (0, 50ms]", denied.RetryAfter)
	}
	time.Sleep(denied.RetryAfter + 5*time.Millisecond)
	if d, err := l.Allow(ctx, "user-1", "write"); err != nil || !d.Allowed {
		t.Errorf("Allow after waiting RetryAfter = %+v, %v; want allowed", d, err)
	}
}

func TestRedisBucketsPerKeyAndClass(t *testing.T) {
	client := redisClient(t)
	one := ratelimit.Limit{Rate: perMinute, Burst: 1}
	l := newTestRedis(t, client, testKeyPrefix(t, client), ratelimit.Classes{ratelimit.DefaultClass: one, "write": one, "login": one})
	ctx := context.Background()
	calls := []struct {
		key, class string
		want       bool
	}{
		{"user-1", "write", true},
		{"user-1", "write", false},  // write bucket of user-1 is empty
		{"user-2", "write", true},   // another principal has its own bucket
		{"user-1", "login", true},   // another class has its own bucket
		{"user-1", "read", true},    // unlisted class: the default bucket
		{"user-1", "export", false}, // unlisted too: shares that default bucket
	}
	for i, c := range calls {
		got, err := l.Allow(ctx, c.key, c.class)
		if err != nil {
			t.Fatalf("call %d: Allow(%q, %q): %v", i, c.key, c.class, err)
		}
		if got.Allowed != c.want {
			t.Errorf("call %d: Allow(%q, %q).Allowed = %v, want %v", i, c.key, c.class, got.Allowed, c.want)
		}
	}
}

func TestRedisReplicasShareQuota(t *testing.T) {
	// Two replicas: separate clients and limiters, one Redis.
	clientA, clientB := redisClient(t), redisClient(t)
	prefix := testKeyPrefix(t, clientA)
	classes := ratelimit.Classes{ratelimit.DefaultClass: {Rate: perMinute, Burst: 4}}
	replicas := []ratelimit.Limiter{
		newTestRedis(t, clientA, prefix, classes),
		newTestRedis(t, clientB, prefix, classes),
	}
	if allowed := allowedAcross(t, 10, replicas[0], replicas[1]); allowed != 4 {
		t.Errorf("replicas together allowed %d of 10 calls, want the shared burst of 4", allowed)
	}
}

// allowedAcross makes calls calls of one principal, turn by turn on each
// limiter (replicas sharing one Redis), and counts those allowed.
func allowedAcross(t *testing.T, calls int, limiters ...ratelimit.Limiter) int {
	t.Helper()
	allowed := 0
	for i := range calls {
		d, err := limiters[i%len(limiters)].Allow(context.Background(), "api-key-7", "bulk")
		if err != nil {
			t.Fatalf("call %d: Allow: %v", i, err)
		}
		if d.Allowed {
			allowed++
		}
	}
	return allowed
}

// unreachableRedis is a client of a port that was free a moment ago:
// connections are refused at once.
func unreachableRedis(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	client := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	return client
}

func TestRedisFailsOpenWhenUnreachable(t *testing.T) {
	l, err := ratelimit.NewRedis(unreachableRedis(t), ratelimit.Classes{ratelimit.DefaultClass: {Rate: 1, Burst: 5}})
	if err != nil {
		t.Fatalf("NewRedis: %v", err)
	}
	got, err := l.Allow(context.Background(), "user-1", "read")
	if err == nil {
		t.Fatal("Allow against an unreachable Redis returned no error; the caller could not log or count the outage")
	}
	if !got.Allowed {
		t.Errorf("Allow against an unreachable Redis denied the request (%+v); want fail open", got)
	}
}

func TestNewRedisRejectsBadConfig(t *testing.T) {
	valid := ratelimit.Classes{ratelimit.DefaultClass: {Rate: 1, Burst: 1}}
	if _, err := ratelimit.NewRedis(nil, valid); err == nil {
		t.Error("NewRedis(nil client) succeeded, want an error")
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:0"})
	t.Cleanup(func() { client.Close() })
	if _, err := ratelimit.NewRedis(client, ratelimit.Classes{"read": {Rate: 1, Burst: 1}}); err == nil {
		t.Error("NewRedis without a default class succeeded, want an error")
	}
}
