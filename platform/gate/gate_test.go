package gate_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/gate"
)

func TestGateBoundsAndRefusesWithARetryDelay(t *testing.T) {
	g, err := gate.New("password checks", 2, 20*time.Millisecond, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := g.Enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g.InUse() != 2 {
		t.Fatalf("InUse = %d, want 2", g.InUse())
	}
	_, err = g.Enter(ctx)
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindResourceExhausted || e.Reason != gate.ReasonBusy || e.RetryAfter != time.Second {
		t.Fatalf("third caller: %v, want ResourceExhausted BUSY retrying after 1s", err)
	}
	a()
	c, err := g.Enter(ctx)
	if err != nil {
		t.Fatalf("after a slot was given back: %v", err)
	}
	b()
	c()
	if g.InUse() != 0 {
		t.Fatalf("InUse = %d after every slot was given back", g.InUse())
	}
}

// A waiter gets the slot given back within its wait; never more than the
// size are inside at once.
func TestGateWaitersTakeFreedSlots(t *testing.T) {
	g, err := gate.New("checks", 3, time.Second, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	inside, most := 0, 0
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			leave, err := g.Enter(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			leave()
		})
	}
	wg.Wait()
	if most > 3 || most < 1 {
		t.Fatalf("%d inside at once, want at most 3", most)
	}
}

func TestNewRefusesBadBounds(t *testing.T) {
	for _, tt := range []struct {
		size        int
		wait, retry time.Duration
	}{{0, 0, time.Second}, {1, -1, time.Second}, {1, 0, 0}} {
		if _, err := gate.New("x", tt.size, tt.wait, tt.retry); err == nil {
			t.Errorf("New(%d, %v, %v) succeeded", tt.size, tt.wait, tt.retry)
		}
	}
	var nilGate *gate.Gate
	leave, err := nilGate.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	leave()
}
