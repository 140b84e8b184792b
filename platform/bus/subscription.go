package bus

import (
	"errors"
	"fmt"
)

// DefaultPrefetch is the prefetch of a Subscription that sets none.
const DefaultPrefetch = 32

// privateDeliveryLimit is how often a private (live fan-out) queue delivers
// a message: once, and once more after a failure. Private queues have no
// dead-letter queue and no delivery count, so a message failing twice is
// dropped rather than looping forever.
const privateDeliveryLimit = 2

// withDefaults fills the zero fields of s and rejects a subscription that
// could never work. Both implementations use it, so they agree on what a
// subscription means.
func (s Subscription) withDefaults() (Subscription, error) {
	if len(s.Bindings) == 0 {
		return s, fmt.Errorf("bus: subscription %q has no bindings, so it would receive nothing", s.Queue)
	}
	for _, b := range s.Bindings {
		if b == "" {
			return s, fmt.Errorf("bus: subscription %q has an empty binding", s.Queue)
		}
	}
	if s.MaxBatch <= 0 {
		s.MaxBatch = 1
	}
	if s.Prefetch <= 0 {
		s.Prefetch = max(DefaultPrefetch, s.MaxBatch)
	}
	if s.MaxBatch > s.Prefetch {
		s.MaxBatch = s.Prefetch
	}
	if s.Queue == "" {
		s.DeliveryLimit = privateDeliveryLimit
		return s, nil
	}
	if s.DeliveryLimit < 1 {
		return s, errors.New("bus: subscription " + s.Queue + " needs a DeliveryLimit of at least 1; the broker has no default")
	}
	return s, nil
}
