// Package redistest connects tests to the real Redis the platform's tests
// run against.
package redistest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client connects to the Redis named by REDIS_ADDR (default
// 127.0.0.1:6379). An unreachable Redis fails the test: skipping would let
// the shared path go untested without anyone noticing.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	client := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s is unreachable (set REDIS_ADDR or start redis-server): %v", addr, err)
	}
	return client
}
