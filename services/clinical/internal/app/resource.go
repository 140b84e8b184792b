package app

import (
	"context"

	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
)

// The shapes of the clinical commands: a create builds the resource from
// the request's values, stores it under its idempotency key and records
// its event; an update checks the etag, changes the resource under its
// row lock and records its event. Both run as one unit of work.

// creation describes one create command.
type creation[T any] struct {
	// method names the command ("CreatePayer"), for the idempotency key
	// and the request fingerprint.
	method string
	// field is the request field holding the resource ("payer"): the
	// domain's violations are rooted under it.
	field     string
	requestID string
	// fingerprint is what the request asks for (without its request id).
	fingerprint any
	build       func(caller identity.Principal, id string) (T, error)
	store       func(ctx context.Context, r T, requestID string, hash []byte) (T, bool, error)
	event       func(caller identity.Principal, r T) usecase.Event
}

// create runs a creation.
func create[T any](ctx context.Context, c *clinic, cr creation[T]) (T, error) {
	var zero T
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return zero, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return zero, err
	}
	r, err := cr.build(caller, id)
	if err != nil {
		return zero, usecase.UnderField(cr.field, err)
	}
	hash, err := c.requestHash(cr.method, cr.fingerprint)
	if err != nil {
		return zero, err
	}
	return usecase.Change(ctx, c.UnitOfWork, c.Events, func(ctx context.Context) (T, []usecase.Event, error) {
		created, replayed, err := cr.store(ctx, r, cr.requestID, hash)
		if err != nil || replayed {
			return created, nil, err
		}
		return created, []usecase.Event{cr.event(caller, created)}, nil
	})
}

// change describes one update command of a resource with a version.
type change[T any] struct {
	// field is the request field holding the resource ("payer"), idField
	// the one naming it ("payer.id", or "id" for an action).
	field, idField string
	id, etag       string
	version        func(T) int64
	store          func(ctx context.Context, id string, fn func(T) error) (T, error)
	apply          func(T) error
	event          func(caller identity.Principal, r T) usecase.Event
}

// update runs a change.
func update[T any](ctx context.Context, c *clinic, ch change[T]) (T, error) {
	var zero T
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return zero, err
	}
	if err := usecase.CheckID(ch.idField, ch.id); err != nil {
		return zero, err
	}
	return usecase.Change(ctx, c.UnitOfWork, c.Events, func(ctx context.Context) (T, []usecase.Event, error) {
		r, err := ch.store(ctx, ch.id, func(r T) error {
			if err := etag.Check(ch.etag, ch.version(r)); err != nil {
				return usecase.UnderField(ch.field, err)
			}
			return usecase.UnderField(ch.field, ch.apply(r))
		})
		if err != nil {
			return zero, nil, err
		}
		return r, []usecase.Event{ch.event(caller, r)}, nil
	})
}
