package ratelimit_test

import (
	"context"
	"testing"

	"github.com/ariesone/ariesone/platform/ratelimit"
)

func TestOpenPicksTheBackend(t *testing.T) {
	client := redisClient(t)
	classes := ratelimit.Classes{ratelimit.DefaultClass: {Rate: 1, Burst: 1}}
	mem, closeMem, err := ratelimit.Open(classes, ratelimit.Backend{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeMem()
	if _, ok := mem.(*ratelimit.Memory); !ok {
		t.Fatalf("no Redis address: got %T, want *ratelimit.Memory", mem)
	}
	shared, closeShared, err := ratelimit.Open(classes, ratelimit.Backend{RedisAddr: client.Options().Addr, KeyPrefix: testKeyPrefix(t, client)})
	if err != nil {
		t.Fatal(err)
	}
	defer closeShared()
	if _, ok := shared.(*ratelimit.Failover); !ok {
		t.Fatalf("Redis address: got %T, want *ratelimit.Failover (Redis, with local buckets while it is down)", shared)
	}
	first, err := shared.Allow(context.Background(), "k", ratelimit.DefaultClass)
	if err != nil || !first.Allowed {
		t.Fatalf("first call: %+v, %v", first, err)
	}
	if second, _ := shared.Allow(context.Background(), "k", ratelimit.DefaultClass); second.Allowed {
		t.Fatal("second call within the burst of 1 was allowed: buckets are not in Redis")
	}
	if _, _, err := ratelimit.Open(ratelimit.Classes{}, ratelimit.Backend{}); err == nil {
		t.Fatal("classes without a default: want an error")
	}
}
