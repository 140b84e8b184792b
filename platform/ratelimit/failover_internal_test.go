package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"
)

// flaky is a shared limiter that fails while down and counts its calls.
type flaky struct {
	down  bool
	calls int
}

func (f *flaky) Allow(context.Context, string, string) (Decision, error) {
	f.calls++
	if f.down {
		return Decision{Allowed: true}, errors.New("connection refused")
	}
	return Decision{Allowed: true, Limit: 100, Remaining: 99}, nil
}

// After a failure the shared limiter is not asked again until the retry
// interval has passed; once it answers, it decides again.
func TestFailoverRetriesTheSharedLimiterAfterAPause(t *testing.T) {
	shared := &flaky{down: true}
	local, err := NewMemory(Classes{DefaultClass: {Rate: 1, Burst: 10}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	f := NewFailover(shared, local, nil)
	f.now = func() time.Time { return now }
	ctx := context.Background()

	if _, err := f.Allow(ctx, "k", DefaultClass); err == nil {
		t.Fatal("decision while the shared limiter fails carries no error")
	}
	for range 5 {
		if _, err := f.Allow(ctx, "k", DefaultClass); err != nil {
			t.Fatalf("within the pause: %v", err)
		}
	}
	if shared.calls != 1 {
		t.Fatalf("shared limiter asked %d times within the pause, want 1", shared.calls)
	}
	shared.down = false
	now = now.Add(DefaultRetryShared)
	d, err := f.Allow(ctx, "k", DefaultClass)
	if err != nil || d.Limit != 100 || shared.calls != 2 {
		t.Fatalf("after the pause: %+v, %v, %d shared calls; want the shared limiter's decision", d, err, shared.calls)
	}
	if d, _ := f.Allow(ctx, "k", DefaultClass); d.Limit != 100 || shared.calls != 3 {
		t.Fatalf("recovered: %+v after %d shared calls; want the shared limiter on every call", d, shared.calls)
	}
}
