package ratelimit_test

import (
	"context"
	"testing"

	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/redistest"
)

// BenchmarkAllow prices one admission decision for a busy principal far from
// its limit, 16 in flight: in memory, in Redis (a round trip per call), and
// leased from Redis (a round trip per allowance). scripts/bench.sh prints
// the ratios.
func BenchmarkAllow(b *testing.B) {
	// The largest limit there is: the decision is priced, never refused.
	classes := ratelimit.Classes{ratelimit.DefaultClass: {Rate: ratelimit.MaxRate, Burst: ratelimit.MaxBurst}}
	client := redistest.Client(b)
	run := func(b *testing.B, l ratelimit.Limiter) {
		b.ReportAllocs()
		b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 in flight
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if d, err := l.Allow(context.Background(), "user-1", "read"); err != nil || !d.Allowed {
					b.Errorf("%+v, %v", d, err)
					return
				}
			}
		})
	}
	b.Run("memory", func(b *testing.B) {
		l, err := ratelimit.NewMemory(classes, 100)
		if err != nil {
			b.Fatal(err)
		}
		run(b, l)
	})
	b.Run("redis", func(b *testing.B) {
		l, err := ratelimit.NewRedis(client, classes, ratelimit.WithKeyPrefix(testKeyPrefix(b, client)))
		if err != nil {
			b.Fatal(err)
		}
		run(b, l)
	})
	b.Run("leased", func(b *testing.B) {
		shared, err := ratelimit.NewRedis(client, classes, ratelimit.WithKeyPrefix(testKeyPrefix(b, client)))
		if err != nil {
			b.Fatal(err)
		}
		l, err := ratelimit.NewLeased(shared, ratelimit.DefaultLeaseShare, ratelimit.DefaultLeaseMaxAge, 100)
		if err != nil {
			b.Fatal(err)
		}
		run(b, l)
	})
}
