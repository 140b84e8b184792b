package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
)

// Store is the notify service's repository: the event log, the recipients
// read model, notification rules and notifications, and the audit trail.
// Every method runs in a transaction scoped to the tenant of the caller in
// ctx, or joins the unit of work ctx carries (the event consumer's, whose
// tenant is the event's).
type Store struct {
	db *postgres.DB
}

// New returns a Store on db, whose pool must log in as the service's
// runtime role (see platform/postgres) and use the notify schema.
func New(db *postgres.DB) *Store { return &Store{db: db} }

// InTenant runs fn in the unit of work ctx carries, or in a new one, with
// the transaction's tenant set to companyID from there on (the inbox sets
// each delivery's own tenant again before applying it). The event consumer
// uses it to write a record under a tenant other than the one of the
// event's envelope: the nil UUID chain of calls without a tenant.
func (s *Store) InTenant(ctx context.Context, companyID string, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		return s.db.WithTenantTx(ctx, companyID, func(pgx.Tx) error { return fn(ctx) })
	})
}

// notFound reports that resource id is absent for the caller's tenant,
// including when it belongs to another tenant: the two must look the same.
func notFound(resource, id string) error { return errs.NotFound(resource, id) }
