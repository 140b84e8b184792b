package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
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
// the transaction's tenant set to companyID for fn's statements, and then
// set back to what it was. The event consumer uses it to write a record
// under a tenant other than the one of the event's envelope: the nil UUID
// chain of calls without a tenant. Nothing is set back when fn fails: the
// transaction rolls back.
func (s *Store) InTenant(ctx context.Context, companyID string, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		tx, ok := postgres.TxFromContext(ctx)
		if !ok {
			return errors.New("store: unit of work without a transaction")
		}
		var previous string
		err := tx.QueryRow(ctx, `select coalesce(current_setting('`+postgres.TenantSetting+`', true), '')`).Scan(&previous)
		if err != nil {
			return fmt.Errorf("store: read tenant: %w", err)
		}
		if sameTenant(previous, companyID) {
			// The usual case: the inbox already scoped the unit of work to
			// the event's tenant.
			return fn(ctx)
		}
		if err := postgres.SetTenant(ctx, tx, companyID); err != nil {
			return err
		}
		if err := fn(ctx); err != nil {
			return err
		}
		return postgres.SetTenant(ctx, tx, previous)
	})
}

// sameTenant reports whether two tenant ids name the same company, however
// each is spelled.
func sameTenant(a, b string) bool {
	ua, errA := uuid.Parse(a)
	ub, errB := uuid.Parse(b)
	return errA == nil && errB == nil && ua == ub
}

// notFound reports that resource id is absent for the caller's tenant,
// including when it belongs to another tenant: the two must look the same.
func notFound(resource, id string) error { return errs.NotFound(resource, id) }

// wrap adds the operation to an unexpected database error, for the log;
// classified errors pass unchanged.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// collect reads every row with scan.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}
