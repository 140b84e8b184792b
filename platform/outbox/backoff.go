package outbox

import (
	"math/rand/v2"
	"time"
)

// backoff returns how long an event that had failed attempts times before
// (and has just failed again) waits for its next attempt: RetryBase·2^attempts
// capped at RetryMax, of which the upper half is random ("equal jitter").
// The jitter spreads the retries of events a broker refused together; the
// half that is not random keeps each wait at least as long as the previous
// one could have been, so waits grow from one failure to the next until
// they reach the cap.
func (r *Relay) backoff(attempts int) time.Duration {
	d := r.cfg.RetryBase
	for i := 0; i < attempts && d < r.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, r.cfg.RetryMax)
	half := d / 2
	return half + rand.N(d-half+1)
}
