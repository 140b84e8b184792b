package domain

import "time"

// WebhookRetrySchedule spaces the attempts of one delivery: exponential
// backoff with equal jitter.
//
// The nominal wait after failed attempt n (1-based) is Base·2^(n-1), capped
// at Max; the actual wait is half of it plus a random share of the other
// half, so it lies in [nominal/2, nominal]. Equal jitter rather than full
// jitter (anywhere in [0, nominal]) because a receiver that just went down
// must never be retried sooner than half the nominal wait: the floor doubles
// with every attempt, while the random half still spreads the retries of
// many deliveries that failed together (a receiver outage) so they do not
// come back in one burst.
type WebhookRetrySchedule struct {
	// Base is the nominal wait after the first failed attempt.
	Base time.Duration
	// Max caps the nominal wait.
	Max time.Duration
}

// Nominal is the wait after failed attempt n before jitter: Base·2^(n-1),
// capped at Max. Attempts below 1 count as the first.
func (s WebhookRetrySchedule) Nominal(n int) time.Duration {
	if s.Base <= 0 {
		return 0
	}
	d := s.Base
	for i := 1; i < n; i++ {
		if s.Max > 0 && d >= s.Max {
			break
		}
		if d > time.Duration(1<<62)/2 {
			// Doubling would overflow; whatever Max is, it is smaller.
			d = time.Duration(1 << 62)
			break
		}
		d *= 2
	}
	if s.Max > 0 && d > s.Max {
		d = s.Max
	}
	return d
}

// Floor is the shortest wait after failed attempt n: half the nominal wait.
func (s WebhookRetrySchedule) Floor(n int) time.Duration { return s.Nominal(n) / 2 }

// Delay is the wait after failed attempt n, given r drawn uniformly from
// [0, 1) by the caller (which keeps this function deterministic for
// tests): Floor(n) + r·(Nominal(n) − Floor(n)). An r outside [0, 1) is
// clamped.
func (s WebhookRetrySchedule) Delay(n int, r float64) time.Duration {
	nominal := s.Nominal(n)
	floor := nominal / 2
	switch {
	case r < 0 || r != r: // r != r: NaN
		r = 0
	case r >= 1:
		r = 1
	}
	return floor + time.Duration(r*float64(nominal-floor))
}
