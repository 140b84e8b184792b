package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock is a clock the test moves by hand, so refill is tested exactly
// and without sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestMemory returns a Memory on a fake clock.
func newTestMemory(t *testing.T, classes Classes, maxKeys int) (*Memory, *fakeClock) {
	t.Helper()
	m, err := NewMemory(classes, maxKeys)
	if err != nil {
		t.Fatalf("NewMemory: %v", err)
	}
	clock := newFakeClock()
	m.now = clock.Now
	return m, clock
}

func TestMemoryAllow(t *testing.T) {
	type step struct {
		advance time.Duration // moved before the call
		want    Decision
	}
	tests := []struct {
		name  string
		limit Limit
		steps []step
	}{
		{
			name:  "burst allowed then denied without consuming",
			limit: Limit{Rate: 1, Burst: 3},
			steps: []step{
				{want: Decision{Allowed: true, Limit: 3, Remaining: 2, ResetAfter: time.Second}},
				{want: Decision{Allowed: true, Limit: 3, Remaining: 1, ResetAfter: 2 * time.Second}},
				{want: Decision{Allowed: true, Limit: 3, Remaining: 0, ResetAfter: 3 * time.Second}},
				{want: Decision{Allowed: false, Limit: 3, Remaining: 0, RetryAfter: time.Second, ResetAfter: 3 * time.Second}},
				// A second denial at the same instant waits no longer: the
				// first one took nothing.
				{want: Decision{Allowed: false, Limit: 3, Remaining: 0, RetryAfter: time.Second, ResetAfter: 3 * time.Second}},
				{advance: time.Second, want: Decision{Allowed: true, Limit: 3, Remaining: 0, ResetAfter: 3 * time.Second}},
			},
		},
		{
			name:  "refill after time",
			limit: Limit{Rate: 2, Burst: 2},
			steps: []step{
				{want: Decision{Allowed: true, Limit: 2, Remaining: 1, ResetAfter: 500 * time.Millisecond}},
				{want: Decision{Allowed: true, Limit: 2, Remaining: 0, ResetAfter: time.Second}},
				{want: Decision{Allowed: false, Limit: 2, Remaining: 0, RetryAfter: 500 * time.Millisecond, ResetAfter: time.Second}},
				{advance: 250 * time.Millisecond, want: Decision{Allowed: false, Limit: 2, Remaining: 0, RetryAfter: 250 * time.Millisecond, ResetAfter: 750 * time.Millisecond}},
				{advance: 250 * time.Millisecond, want: Decision{Allowed: true, Limit: 2, Remaining: 0, ResetAfter: time.Second}},
				{advance: 1500 * time.Millisecond, want: Decision{Allowed: true, Limit: 2, Remaining: 1, ResetAfter: 500 * time.Millisecond}},
			},
		},
		{
			name:  "fractional rate",
			limit: Limit{Rate: 0.5, Burst: 1},
			steps: []step{
				{want: Decision{Allowed: true, Limit: 1, Remaining: 0, ResetAfter: 2 * time.Second}},
				{advance: 1500 * time.Millisecond, want: Decision{Allowed: false, Limit: 1, Remaining: 0, RetryAfter: 500 * time.Millisecond, ResetAfter: 500 * time.Millisecond}},
				{advance: 500 * time.Millisecond, want: Decision{Allowed: true, Limit: 1, Remaining: 0, ResetAfter: 2 * time.Second}},
			},
		},
		{
			name:  "idle time never fills past burst",
			limit: Limit{Rate: 10, Burst: 2},
			steps: []step{
				{advance: time.Hour, want: Decision{Allowed: true, Limit: 2, Remaining: 1, ResetAfter: 100 * time.Millisecond}},
				{want: Decision{Allowed: true, Limit: 2, Remaining: 0, ResetAfter: 200 * time.Millisecond}},
				{want: Decision{Allowed: false, Limit: 2, Remaining: 0, RetryAfter: 100 * time.Millisecond, ResetAfter: 200 * time.Millisecond}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, clock := newTestMemory(t, Classes{DefaultClass: tt.limit}, 16)
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				got, err := m.Allow(context.Background(), "user-1", "read")
				if err != nil {
					t.Fatalf("step %d: Allow: %v", i, err)
				}
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Errorf("step %d: decision mismatch (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func TestMemoryBucketsPerKeyAndClass(t *testing.T) {
	one := Limit{Rate: MinRate, Burst: 1}
	m, _ := newTestMemory(t, Classes{DefaultClass: one, "write": one, "login": one}, 16)
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
		got, err := m.Allow(ctx, c.key, c.class)
		if err != nil {
			t.Fatalf("call %d: Allow(%q, %q): %v", i, c.key, c.class, err)
		}
		if got.Allowed != c.want {
			t.Errorf("call %d: Allow(%q, %q).Allowed = %v, want %v", i, c.key, c.class, got.Allowed, c.want)
		}
	}
}

func TestMemoryBucketCountStaysBounded(t *testing.T) {
	const maxKeys = 3
	m, _ := newTestMemory(t, Classes{DefaultClass: {Rate: MinRate, Burst: 1}}, maxKeys)
	ctx := context.Background()
	allow := func(key string) bool {
		t.Helper()
		d, err := m.Allow(ctx, key, "read")
		if err != nil {
			t.Fatalf("Allow(%q): %v", key, err)
		}
		return d.Allowed
	}

	for i := range 100 {
		allow("user-" + strconv.Itoa(i))
		if n := m.buckets.Len(); n > maxKeys {
			t.Fatalf("after %d keys the cache holds %d buckets, want at most %d", i+1, n, maxKeys)
		}
	}

	// user-97..99 fill the cache. Touching user-97 makes user-98 the least
	// recently used, so the next new key evicts user-98 and keeps user-97.
	if allow("user-97") {
		t.Fatal("user-97 allowed twice; its bucket should still be empty")
	}
	allow("user-new")
	if allow("user-97") {
		t.Error("user-97 allowed again: a recently used bucket was evicted")
	}
	if !allow("user-98") {
		t.Error("user-98 denied: an evicted bucket should start full")
	}
}

func TestMemoryConcurrentCallersShareOneBucket(t *testing.T) {
	const burst, callers = 50, 400
	m, _ := newTestMemory(t, Classes{DefaultClass: {Rate: MinRate, Burst: burst}}, 16)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			d, err := m.Allow(context.Background(), "user-1", "write")
			if err != nil {
				t.Errorf("Allow: %v", err)
			}
			if d.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != burst {
		t.Errorf("%d of %d concurrent calls allowed with a frozen clock, want exactly the burst %d", got, callers, burst)
	}
}

func TestNewMemoryRejectsBadConfig(t *testing.T) {
	ok := Limit{Rate: 1, Burst: 1}
	tests := []struct {
		name    string
		classes Classes
		maxKeys int
	}{
		{"no default class", Classes{"read": ok}, 10},
		{"nil classes", nil, 10},
		{"zero rate", Classes{DefaultClass: {Rate: 0, Burst: 1}}, 10},
		{"zero burst", Classes{DefaultClass: {Rate: 1, Burst: 0}}, 10},
		{"class name with colon", Classes{DefaultClass: ok, "read:all": ok}, 10},
		{"empty class name", Classes{DefaultClass: ok, "": ok}, 10},
		{"no room for buckets", Classes{DefaultClass: ok}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewMemory(tt.classes, tt.maxKeys); err == nil {
				t.Errorf("NewMemory(%v, %d) succeeded, want an error", tt.classes, tt.maxKeys)
			}
		})
	}
}

func TestNewMemoryCopiesClasses(t *testing.T) {
	classes := Classes{DefaultClass: {Rate: MinRate, Burst: 1}}
	m, _ := newTestMemory(t, classes, 16)
	classes[DefaultClass] = Limit{Rate: MinRate, Burst: 100}
	d, err := m.Allow(context.Background(), "user-1", "read")
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	if d.Limit != 1 {
		t.Errorf("Decision.Limit = %d after the caller changed its map, want the configured 1", d.Limit)
	}
}

func BenchmarkMemoryAllow(b *testing.B) {
	m, err := NewMemory(Classes{DefaultClass: {Rate: 1e6, Burst: 1000}}, 4096)
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "user-" + strconv.Itoa(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := m.Allow(ctx, keys[i%len(keys)], "read"); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
