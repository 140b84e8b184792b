package bus

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff spaces out attempts to reach the broker: doubling from min to
// max, each wait drawn from the upper half of the current step, so replicas
// that lost the broker together do not return in lockstep.
type backoff struct {
	min, max, step time.Duration
}

func newBackoff(minWait, maxWait time.Duration) *backoff {
	return &backoff{min: minWait, max: maxWait}
}

// next returns how long to wait before the next attempt.
func (b *backoff) next() time.Duration {
	if b.step == 0 {
		b.step = b.min
	} else {
		b.step = min(2*b.step, b.max)
	}
	half := b.step / 2
	return half + rand.N(b.step-half+1)
}

// reset starts over from min after a success.
func (b *backoff) reset() { b.step = 0 }

// sleep waits d or until ctx ends, reporting whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
