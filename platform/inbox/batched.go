package inbox

import (
	"context"
	"fmt"
)

// Batched lets apply gather the effects of many events and have them in
// one go at the end of the batch, inside its unit of work: the first call
// in a batch with key makes the batch's value with open, whose flush the
// handler runs once, after the batch's last event is applied and before it
// commits; later calls in the same batch get the same value. It is for
// effects that are much cheaper set-based than one event at a time (notify
// appends a whole batch's audit records to each tenant's chain in two round
// trips, not two per event). A flush's error rolls the batch back like any
// apply error, so a gathered effect is never half done. flush runs with the
// tenant of the batch's last event set; a flush that writes tenant rows sets
// its own.
//
// Outside an inbox batch (an event applied directly, as tests do) ok is
// false and the caller has its effect at once.
func Batched[T any](ctx context.Context, key any, open func() (T, func(context.Context) error)) (value T, ok bool) {
	b, ok := ctx.Value(batchKey{}).(*batch)
	if !ok {
		return value, false
	}
	if v, ok := b.values[key]; ok {
		return v.(T), true
	}
	value, flush := open()
	b.values[key] = value
	b.flushes = append(b.flushes, flush)
	return value, true
}

type batchKey struct{}

// batch is what Batched gathers during one handler call.
type batch struct {
	values  map[any]any
	flushes []func(context.Context) error
}

func withBatch(ctx context.Context) (context.Context, *batch) {
	b := &batch{values: map[any]any{}}
	return context.WithValue(ctx, batchKey{}, b), b
}

// flush runs the gathered flushes in the order their values were made.
func (b *batch) flush(ctx context.Context, consumer string) error {
	for i, f := range b.flushes {
		if err := f(ctx); err != nil {
			return fmt.Errorf("inbox %s: batched effect %d of %d: %w", consumer, i+1, len(b.flushes), err)
		}
	}
	return nil
}
