package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
)

// The shapes every resource of the schema is read and written in: one
// read-only transaction for a read, one transaction (or the caller's unit
// of work) for a write, errors named by the operation.

// readOne runs get in a read-only transaction.
func readOne[T any](ctx context.Context, s *Store, resource, id string, get func(pgx.Tx) (T, error)) (T, error) {
	var out T
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = get(tx)
		return err
	})
	return out, postgres.Wrap("get "+resource+" "+id, err)
}

// readMany runs a query in a read-only transaction and scans every row.
func readMany[T any](ctx context.Context, s *Store, op, sql string, scan func(pgx.Row) (T, error), args ...any) ([]T, error) {
	var out []T
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
		return err
	})
	return out, postgres.Wrap(op, err)
}

// createOne inserts a new resource under an AIP-155 key: a repeated
// request reads back (get) the resource created the first time, with
// replayed true.
func createOne[T any](ctx context.Context, s *Store, method, requestID string, requestHash []byte, id string, created T,
	insert func(pgx.Tx) error, get func(pgx.Tx, string) (T, error)) (out T, replayed bool, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		stored, replay, err := postgres.CreateOnce(ctx, tx, method, requestID, requestHash, func() (string, error) {
			return id, insert(tx)
		})
		if err != nil {
			return err
		}
		if replayed = replay; !replay {
			out = created
			return nil
		}
		out, err = get(tx, stored)
		return err
	})
	return out, replayed, postgres.Wrap(method, err)
}

// updateOne loads a resource for update, lets fn change it, advances its
// version and saves it; nothing is written when fn fails.
func updateOne[T any](ctx context.Context, s *Store, op string, load func(pgx.Tx) (T, error), fn func(T) error,
	advance func(T) int64, save func(pgx.Tx, T) error) (T, error) {
	var out T
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := load(tx)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		advance(r)
		if err := save(tx, r); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		var zero T
		return zero, postgres.Wrap(op, err)
	}
	return out, nil
}

// afterKey is key i of a page cursor, or NULL on the first page.
func afterKey(after []string, i int) any {
	if after == nil {
		return nil
	}
	return after[i]
}
