package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/ariesone/ariesone/platform/ratelimit"
)

func newTestLeased(t *testing.T, shared *ratelimit.Redis, maxAge time.Duration) *ratelimit.Leased {
	t.Helper()
	l, err := ratelimit.NewLeased(shared, ratelimit.DefaultLeaseShare, maxAge, 100)
	if err != nil {
		t.Fatalf("NewLeased: %v", err)
	}
	return l
}

// remainingInRedis is what the shared bucket holds, read by taking one token
// through an exact Redis limiter (so it is one less afterwards).
func remainingInRedis(t *testing.T, exact *ratelimit.Redis, key string) int {
	t.Helper()
	d, err := exact.Allow(context.Background(), key, "read")
	if err != nil || !d.Allowed {
		t.Fatalf("probe: %+v, %v", d, err)
	}
	return d.Remaining + 1
}

// TestLeasedServesABusyPrincipalLocally: far from the limit, one round trip
// leases an eighth of the bucket, the calls inside it never reach Redis, and
// the next round trip charges them all.
func TestLeasedServesABusyPrincipalLocally(t *testing.T) {
	client := redisClient(t)
	prefix := testKeyPrefix(t, client)
	classes := ratelimit.Classes{ratelimit.DefaultClass: {Rate: perMinute, Burst: 800}}
	exact := newTestRedis(t, client, prefix, classes)
	l := newTestLeased(t, newTestRedis(t, client, prefix, classes), time.Minute)
	ctx := context.Background()

	// Call 1 reaches Redis (799 left, allowance 799/8 = 99); calls 2..100
	// are served from the allowance, and report the remaining count as if
	// each had been charged.
	for i := 1; i <= 100; i++ {
		d, err := l.Allow(ctx, "user-1", "read")
		if err != nil || !d.Allowed {
			t.Fatalf("call %d: %+v, %v", i, d, err)
		}
		if want := 800 - i; d.Remaining != want {
			t.Fatalf("call %d: remaining %d, want %d", i, d.Remaining, want)
		}
	}
	if got := remainingInRedis(t, exact, "user-1"); got != 799 {
		t.Fatalf("after 100 calls Redis holds %d tokens, want 799: only the first call may have reached it", got)
	}
	// Call 101 has no allowance left: it charges the 99 earlier calls and
	// itself, after the probe's one.
	d, err := l.Allow(ctx, "user-1", "read")
	if err != nil || !d.Allowed {
		t.Fatalf("call 101: %+v, %v", d, err)
	}
	if d.Remaining != 798-100 {
		t.Fatalf("call 101: remaining %d, want %d", d.Remaining, 798-100)
	}
	if got := remainingInRedis(t, exact, "user-1"); got != 698 {
		t.Fatalf("after call 101 Redis holds %d tokens, want 698", got)
	}
}

// TestLeasedIsExactNearTheLimit: a bucket holding fewer tokens than the
// share gives no allowance, so every call is Redis's decision, exactly as
// without leasing.
func TestLeasedIsExactNearTheLimit(t *testing.T) {
	client := redisClient(t)
	limit := ratelimit.Limit{Rate: perMinute, Burst: 3}
	l := newTestLeased(t, newTestRedis(t, client, testKeyPrefix(t, client), ratelimit.Classes{ratelimit.DefaultClass: limit}), time.Minute)
	want := []ratelimit.Decision{
		{Allowed: true, Limit: 3, Remaining: 2},
		{Allowed: true, Limit: 3, Remaining: 1},
		{Allowed: true, Limit: 3, Remaining: 0},
		{Allowed: false, Limit: 3, Remaining: 0},
	}
	for i, w := range want {
		got, err := l.Allow(context.Background(), "user-1", "read")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if diff := cmp.Diff(w, got, ignoreDurations); diff != "" {
			t.Errorf("call %d: decision mismatch (-want +got):\n%s", i, diff)
		}
		if !got.Allowed && (got.RetryAfter <= 0 || got.RetryAfter > time.Minute) {
			t.Errorf("call %d: denied with RetryAfter %v, want within (0, 1m]", i, got.RetryAfter)
		}
	}
}

// TestLeasedReplicasNeverAdmitOverQuota: two replicas leasing from one
// bucket admit, together, exactly its burst.
func TestLeasedReplicasNeverAdmitOverQuota(t *testing.T) {
	clientA, clientB := redisClient(t), redisClient(t)
	prefix := testKeyPrefix(t, clientA)
	classes := ratelimit.Classes{ratelimit.DefaultClass: {Rate: perMinute, Burst: 64}}
	replicas := []ratelimit.Limiter{
		newTestLeased(t, newTestRedis(t, clientA, prefix, classes), time.Minute),
		newTestLeased(t, newTestRedis(t, clientB, prefix, classes), time.Minute),
	}
	if allowed := allowedAcross(t, 200, replicas[0], replicas[1]); allowed != 64 {
		t.Errorf("replicas together allowed %d of 200 calls, want the shared burst of 64", allowed)
	}
}

// TestLeasedRenewsAStaleAllowance: an allowance older than maxAge is not
// used; the next call reaches Redis and charges what was served.
func TestLeasedRenewsAStaleAllowance(t *testing.T) {
	client := redisClient(t)
	prefix := testKeyPrefix(t, client)
	classes := ratelimit.Classes{ratelimit.DefaultClass: {Rate: perMinute, Burst: 800}}
	exact := newTestRedis(t, client, prefix, classes)
	l := newTestLeased(t, newTestRedis(t, client, prefix, classes), 20*time.Millisecond)
	ctx := context.Background()
	for range 3 {
		if d, err := l.Allow(ctx, "user-1", "read"); err != nil || !d.Allowed {
			t.Fatalf("%+v, %v", d, err)
		}
	}
	time.Sleep(40 * time.Millisecond) // past maxAge, so the allowance is stale
	if d, err := l.Allow(ctx, "user-1", "read"); err != nil || !d.Allowed {
		t.Fatalf("%+v, %v", d, err)
	}
	if got := remainingInRedis(t, exact, "user-1"); got != 796 {
		t.Fatalf("Redis holds %d tokens, want 796: the stale allowance's two calls and the renewing call charged", got)
	}
}

func TestLeasedFailsOpenWhenUnreachable(t *testing.T) {
	shared, err := ratelimit.NewRedis(unreachableRedis(t), ratelimit.Classes{ratelimit.DefaultClass: {Rate: 1, Burst: 5}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := newTestLeased(t, shared, time.Minute).Allow(context.Background(), "user-1", "read")
	if err == nil || !got.Allowed {
		t.Fatalf("Allow against an unreachable Redis: %+v, %v; want allowed with an error", got, err)
	}
}

func TestNewLeasedRejectsBadConfig(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:0"})
	t.Cleanup(func() { client.Close() })
	shared, err := ratelimit.NewRedis(client, ratelimit.Classes{ratelimit.DefaultClass: {Rate: 1, Burst: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		shared  *ratelimit.Redis
		share   int
		maxAge  time.Duration
		maxKeys int
	}{
		{"nil shared", nil, 8, time.Second, 1},
		{"share below 2", shared, 1, time.Second, 1},
		{"zero max age", shared, 8, 0, 1},
		{"no keys", shared, 8, time.Second, 0},
	} {
		if _, err := ratelimit.NewLeased(tc.shared, tc.share, tc.maxAge, tc.maxKeys); err == nil {
			t.Errorf("%s: NewLeased succeeded, want an error", tc.name)
		}
	}
}
