package app

import (
	"context"

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

// create runs a creation with the platform's create command, its
// fingerprint keyed by the method.
func create[T any](ctx context.Context, c *clinic, cr creation[T]) (T, error) {
	return usecase.Create(ctx, c.UnitOfWork, c.Events, usecase.Creation[T]{
		Field: cr.field, RequestID: cr.requestID,
		Fingerprint: func() ([]byte, error) { return usecase.Fingerprint(c.Keyring, "clinical", cr.method, cr.fingerprint) },
		Build:       cr.build, Store: cr.store,
		Events: func(caller identity.Principal, r T) []usecase.Event { return []usecase.Event{cr.event(caller, r)} },
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

// update runs a change with the platform's update command.
func update[T any](ctx context.Context, c *clinic, ch change[T]) (T, error) {
	return usecase.Apply(ctx, c.UnitOfWork, c.Events, usecase.Update[T]{
		Field: ch.field, IDField: ch.idField, ID: ch.id, Etag: ch.etag,
		Version: ch.version, Store: ch.store, Apply: ch.apply,
		Events: func(caller identity.Principal, r T) []usecase.Event { return []usecase.Event{ch.event(caller, r)} },
	})
}
