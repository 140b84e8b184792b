package usecase

import (
	"context"

	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/identity"
)

// The two shapes most commands take. A create builds the resource from the
// request's values, stores it under its idempotency key and records its
// event; an update checks the etag, changes the resource under its row
// lock and records its event. Both run as one unit of work, so the change
// and its event commit together or not at all.

// Creation describes one create command.
type Creation[T any] struct {
	// Field is the request field holding the resource ("payer"): the
	// domain's violations are rooted under it.
	Field string
	// RequestID is the AIP-155 idempotency key; "" means none.
	RequestID string
	// Fingerprint is the request's digest without its request id (a
	// keyed digest when the request carries PHI): a repeated key with
	// another fingerprint is refused by the store.
	Fingerprint func() ([]byte, error)
	// Build makes the resource with its new id; its violations are the
	// request's.
	Build func(caller identity.Principal, id string) (T, error)
	// Store saves it, or returns what the first request with the key
	// created (replayed).
	Store func(ctx context.Context, r T, requestID string, fingerprint []byte) (out T, replayed bool, err error)
	// Events are what the creation records; a replay records nothing.
	Events func(caller identity.Principal, r T) []Event
}

// Create runs a creation in one unit of work.
func Create[T any](ctx context.Context, uow UnitOfWork, recorder EventRecorder, cr Creation[T]) (T, error) {
	var zero T
	caller, err := Caller(ctx)
	if err != nil {
		return zero, err
	}
	id, err := NewID()
	if err != nil {
		return zero, err
	}
	r, err := cr.Build(caller, id)
	if err != nil {
		return zero, UnderField(cr.Field, err)
	}
	fingerprint, err := cr.Fingerprint()
	if err != nil {
		return zero, err
	}
	return Change(ctx, uow, recorder, func(ctx context.Context) (T, []Event, error) {
		created, replayed, err := cr.Store(ctx, r, cr.RequestID, fingerprint)
		if err != nil {
			return created, nil, err
		}
		if replayed {
			NoteReplay(ctx)
			return created, nil, nil
		}
		return created, cr.Events(caller, created), nil
	})
}

// Update describes one change of a resource with a version.
type Update[T any] struct {
	// Field is the request field holding the resource ("payer"), IDField
	// the one naming it ("payer.id", or "id" for an action).
	Field, IDField string
	ID, Etag       string
	Version        func(T) int64
	// Store runs fn on the resource under its row lock and saves it when
	// fn returns nil.
	Store func(ctx context.Context, id string, fn func(T) error) (T, error)
	// Apply changes the resource; its violations are rooted under Field.
	Apply func(T) error
	// Events are what the change records.
	Events func(caller identity.Principal, r T) []Event
}

// Apply runs an update in one unit of work: a stale etag is ABORTED.
func Apply[T any](ctx context.Context, uow UnitOfWork, recorder EventRecorder, up Update[T]) (T, error) {
	var zero T
	caller, err := Caller(ctx)
	if err != nil {
		return zero, err
	}
	if err := CheckID(up.IDField, up.ID); err != nil {
		return zero, err
	}
	return Change(ctx, uow, recorder, func(ctx context.Context) (T, []Event, error) {
		r, err := up.Store(ctx, up.ID, func(r T) error {
			if err := etag.Check(up.Etag, up.Version(r)); err != nil {
				return UnderField(up.Field, err)
			}
			return UnderField(up.Field, up.Apply(r))
		})
		if err != nil {
			return zero, nil, err
		}
		return r, up.Events(caller, r), nil
	})
}
