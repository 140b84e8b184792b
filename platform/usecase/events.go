package usecase

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"
)

// Event is a change the rest of the mesh may react to. Type is the routing
// key ("clinical.patient.created.v1"); Payload is the event's message from
// the service's events.proto.
type Event struct {
	Type       string
	CompanyID  string
	ResourceID string
	Payload    proto.Message
}

// UnitOfWork runs fn in one database transaction and hands it a context
// carrying that transaction: every repository call made with that context
// joins it, so the change and the events recorded for it commit together
// or not at all. fn's error rolls everything back and is returned. A
// service's *postgres.DB implements it; the app layer sees no SQL.
type UnitOfWork interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// EventRecorder writes the events of changes. Commands call Record inside
// the unit of work of the change an event describes, with the unit's
// context, and the recorder writes the event in that transaction (the
// outbox): an event is published if and only if its change commits. An
// error from Record aborts the change, and the command returns it.
type EventRecorder interface {
	Record(ctx context.Context, e Event) error
}

// Change runs change in one unit of work and records the events it
// returns in the same transaction, returning change's result once both
// have committed. A change that returns no events (an idempotent replay, a
// no-op) commits without any.
func Change[T any](ctx context.Context, uow UnitOfWork, recorder EventRecorder,
	change func(ctx context.Context) (T, []Event, error)) (T, error) {
	var out T
	err := uow.InTx(ctx, func(ctx context.Context) error {
		result, events, err := change(ctx)
		if err != nil {
			return err
		}
		if err := RecordAll(ctx, recorder, events...); err != nil {
			return err
		}
		out = result
		return nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// BatchRecorder is an EventRecorder that writes many events at once (the
// outbox: one statement instead of one per event), which a command that
// emits thousands (a billing run) needs.
type BatchRecorder interface {
	EventRecorder
	RecordBatch(ctx context.Context, events []Event) error
}

// RecordAll records events in order, stopping at the first error; a
// BatchRecorder gets them all in one call.
func RecordAll(ctx context.Context, recorder EventRecorder, events ...Event) error {
	if b, ok := recorder.(BatchRecorder); ok && len(events) > 1 {
		if err := b.RecordBatch(ctx, events); err != nil {
			return fmt.Errorf("record %d events (first %s): %w", len(events), events[0].Type, err)
		}
		return nil
	}
	for _, e := range events {
		if err := recorder.Record(ctx, e); err != nil {
			return fmt.Errorf("record %s: %w", e.Type, err)
		}
	}
	return nil
}

// MemoryRecorder keeps events in memory, for tests. It is not
// transactional: an event recorded in a unit of work that rolls back
// afterwards stays kept.
type MemoryRecorder struct {
	// Check, when set, vets every event before it is kept; its error is
	// Record's, so the change aborts. Test harnesses use it to require that
	// events are recorded inside a unit of work (usecasetest.Recorder).
	Check func(ctx context.Context, e Event) error

	mu     sync.Mutex
	events []Event
	fail   error
}

// Record runs Check and appends e, or returns the error set by FailWith
// and keeps nothing.
func (m *MemoryRecorder) Record(ctx context.Context, e Event) error {
	if m.Check != nil {
		if err := m.Check(ctx, e); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.events = append(m.events, e)
	return nil
}

// FailWith makes every later Record return err (nil records again), so a
// test can show that a change whose event cannot be written does not
// happen.
func (m *MemoryRecorder) FailWith(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// Events returns a copy of everything recorded so far, in order.
func (m *MemoryRecorder) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

// Types returns the types of the events recorded so far, in order.
func (m *MemoryRecorder) Types() []string {
	var out []string
	for _, e := range m.Events() {
		out = append(out, e.Type)
	}
	return out
}
