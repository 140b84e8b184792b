package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// A unit of work is one transaction that several repository calls share, so
// a use case's changes, the events they cause and the call's audit record
// commit together or not at all. The transaction travels in the context:
// [DB.InTx] begins it and hands fn a context carrying it; [DB.WithTx],
// [DB.WithReadOnlyTx] and [DB.InTx] called with that context join it instead
// of beginning their own (WithTenantTx switches the joined transaction to
// its tenant). Use cases thus compose repositories
// without seeing SQL, and repositories stay usable on their own.

type txKey struct{}

// txState is the transaction a context carries.
type txState struct {
	tx pgx.Tx
	db *DB
}

// InTx runs fn in a read-write transaction scoped to the principal's tenant
// (as WithTx), passing fn a context that carries the transaction. When ctx
// already carries a transaction of db, fn joins it and nothing commits here.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.db == db {
		return fn(ctx)
	}
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, &txState{tx: tx, db: db}))
	})
}

// InSnapshot runs fn in a read-only REPEATABLE READ transaction scoped to
// the principal's tenant, passing fn a context that carries it: every
// repository read fn makes sees the database as of one moment, which a
// query that weighs several tables together (is this patient ready to
// bill?) needs and READ COMMITTED, where each statement sees its own
// moment, does not give. Writes inside it fail. When ctx already carries a
// transaction of db, fn joins that one instead.
func (db *DB) InSnapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.db == db {
		return fn(ctx)
	}
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return db.run(ctx, opts, principalScope(ctx), func(tx pgx.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, &txState{tx: tx, db: db}))
	})
}

// TxFromContext returns the transaction of the unit of work ctx carries.
// Code that must write inside the caller's transaction (the outbox) uses it
// and refuses to run without one.
func TxFromContext(ctx context.Context) (pgx.Tx, bool) {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return nil, false
	}
	return st.tx, true
}

// joined returns the transaction of db that ctx carries, if any.
func (db *DB) joined(ctx context.Context) (pgx.Tx, bool) {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok || st.db != db {
		return nil, false
	}
	return st.tx, true
}

// SetTenant switches the tenant of tx for the rest of the transaction (or
// until the next SetTenant). A consumer applying a batch of events of
// several tenants in one transaction calls it before each event; an empty
// companyID leaves the transaction with no tenant, which sees and writes no
// tenant rows. The location scope is left as it is: consumers have none,
// and a scoped caller's transaction only ever narrows.
func SetTenant(ctx context.Context, tx pgx.Tx, companyID string) error {
	value := ""
	if companyID != "" {
		id, err := uuid.Parse(companyID)
		if err != nil {
			return fmt.Errorf("postgres: tenant %q is not a UUID", companyID)
		}
		value = id.String()
	}
	if _, err := tx.Exec(ctx, "select set_config('"+TenantSetting+"', $1, true)", value); err != nil {
		return fmt.Errorf("postgres: set tenant: %w", err)
	}
	return nil
}

// CommitHook lets cross-cutting code add rows to a read-write transaction
// just before it commits, and learn that it did. The audit interceptor uses
// it to write a call's audit record in the same transaction as the call's
// change.
type CommitHook interface {
	// BeforeCommit runs inside tx, after the unit of work's own statements.
	// An error rolls the transaction back and is returned to the caller.
	BeforeCommit(ctx context.Context, tx pgx.Tx) error
	// AfterCommit runs once the transaction has committed.
	AfterCommit()
}

type hooksKey struct{}

// WithCommitHook returns a context under which every outermost read-write
// transaction runs h around its commit. Read-only transactions and joined
// units of work do not run it (the outermost transaction does, once).
func WithCommitHook(ctx context.Context, h CommitHook) context.Context {
	prev, _ := ctx.Value(hooksKey{}).([]CommitHook)
	hooks := make([]CommitHook, 0, len(prev)+1)
	hooks = append(append(hooks, prev...), h)
	return context.WithValue(ctx, hooksKey{}, hooks)
}

func commitHooks(ctx context.Context) []CommitHook {
	hooks, _ := ctx.Value(hooksKey{}).([]CommitHook)
	return hooks
}
