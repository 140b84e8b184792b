// Package gate bounds how many callers do one expensive thing at once. It is
// for work whose cost is memory rather than time: an argon2id password hash
// takes 64 MiB for as long as it runs, so a flood of sign-ins, each one
// cheap to send, would otherwise have the process allocate until the kernel
// kills it. Beyond the bound a caller waits a little for a slot, then is
// refused with ResourceExhausted and a retry delay (429 and Retry-After over
// REST): a refusal the client can act on instead of a crash that takes every
// caller down.
package gate

import (
	"context"
	"errors"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
)

// ReasonBusy is the reason of a refusal for want of a slot.
const ReasonBusy = "BUSY"

// Gate admits at most its size of callers at once.
type Gate struct {
	slots      chan struct{}
	wait       time.Duration
	retryAfter time.Duration
	what       string
}

// New returns a gate of size slots for what ("password checks"), whose
// callers wait at most wait for one and are told to retry after retryAfter.
func New(what string, size int, wait, retryAfter time.Duration) (*Gate, error) {
	if size < 1 {
		return nil, errors.New("gate: size must be at least 1")
	}
	if wait < 0 || retryAfter <= 0 {
		return nil, errors.New("gate: wait must not be negative and retryAfter must be positive")
	}
	return &Gate{slots: make(chan struct{}, size), wait: wait, retryAfter: retryAfter, what: what}, nil
}

// Enter takes a slot, waiting at most the gate's wait (or until ctx ends),
// and returns the function that gives it back. A nil gate admits everyone.
func (g *Gate) Enter(ctx context.Context) (leave func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-timer.C:
		return nil, errs.Exhausted(ReasonBusy, "Too many "+g.what+" at once; retry shortly", g.retryAfter)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *Gate) leave() { <-g.slots }

// InUse is how many slots are taken now.
func (g *Gate) InUse() int {
	if g == nil {
		return 0
	}
	return len(g.slots)
}
