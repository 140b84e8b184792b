package ratelimit_test

import (
	"context"
	"net"
	"testing"

	"github.com/ariesone/ariesone/platform/ratelimit"
)

// With Redis unreachable, Open's limiter still limits: the class's burst is
// enforced by local buckets, the first local decision says so with an error,
// and Ping reports the outage.
func TestOpenLimitsLocallyWhileRedisIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	l, closeLimiter, err := ratelimit.Open(ratelimit.Classes{ratelimit.DefaultClass: {Rate: 0.01, Burst: 2}}, ratelimit.Backend{RedisAddr: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer closeLimiter()
	ctx := context.Background()
	first, err := l.Allow(ctx, "k", ratelimit.DefaultClass)
	if !first.Allowed || err == nil {
		t.Fatalf("first call: %+v, %v; want allowed, with an error saying Redis is down", first, err)
	}
	if second, _ := l.Allow(ctx, "k", ratelimit.DefaultClass); !second.Allowed {
		t.Fatalf("second call within the burst of 2 refused: %+v", second)
	}
	third, _ := l.Allow(ctx, "k", ratelimit.DefaultClass)
	if third.Allowed || third.RetryAfter <= 0 {
		t.Fatalf("third call past the burst: %+v; want refused with a wait (local buckets, not fail open)", third)
	}
	if other, _ := l.Allow(ctx, "other", ratelimit.DefaultClass); !other.Allowed {
		t.Fatal("another key shares the first key's local bucket")
	}
	if err := l.(*ratelimit.Failover).Ping(ctx); err == nil {
		t.Fatal("Ping of an unreachable Redis succeeded")
	}
}
