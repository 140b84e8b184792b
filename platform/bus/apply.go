package bus

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// applyBatch hands batch to h and returns one outcome per delivery: nil
// when it was applied (acknowledge it), the error otherwise (return it to
// its queue). When the batch as a whole fails, each delivery is tried on
// its own, so one bad message costs its neighbours a second try, not their
// place in the queue. Both implementations settle deliveries with it.
func applyBatch(ctx context.Context, h Handler, batch []Delivery, timeout time.Duration) []error {
	outcomes := make([]error, len(batch))
	err := callHandler(ctx, h, batch, timeout)
	if err == nil {
		return outcomes
	}
	if len(batch) == 1 {
		outcomes[0] = err
		return outcomes
	}
	for i := range batch {
		outcomes[i] = callHandler(ctx, h, batch[i:i+1:i+1], timeout)
	}
	return outcomes
}

// callHandler runs h on a context that shutdown does not cancel: a batch
// half applied when the process stops would be redelivered anyway, but a
// handler cut off between its effect and its commit wastes the work and
// muddies the logs. The timeout is what bounds a stuck handler instead. A
// panicking handler fails its batch rather than the process, so a message
// that crashes it is dead-lettered instead of crash-looping the service.
func callHandler(ctx context.Context, h Handler, batch []Delivery, timeout time.Duration) (err error) {
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("bus: handler panicked: %v\n%s", r, debug.Stack())
		}
	}()
	if err := h(hctx, batch); err != nil {
		return fmt.Errorf("bus: handler: %w", err)
	}
	return nil
}
