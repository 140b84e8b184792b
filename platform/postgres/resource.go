package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// ReadOne runs get in a read-only transaction of db (or the unit of work
// ctx carries), its error named by op.
func ReadOne[T any](ctx context.Context, db *DB, op string, get func(pgx.Tx) (T, error)) (T, error) {
	var out T
	err := db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = get(tx)
		return err
	})
	return out, Wrap(op, err)
}

// ReadMany runs a query in a read-only transaction of db (or the unit of
// work ctx carries) and scans every row, its error named by op.
func ReadMany[T any](ctx context.Context, db *DB, op, sql string, scan func(pgx.Row) (T, error), args ...any) ([]T, error) {
	return ReadOne(ctx, db, op, func(tx pgx.Tx) ([]T, error) {
		return QueryAll(ctx, tx, sql, scan, args...)
	})
}

// QueryAll runs a query in tx and scans every row.
func QueryAll[T any](ctx context.Context, tx pgx.Tx, sql string, scan func(pgx.Row) (T, error), args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, scan)
}

// Collect reads every row of rows with scan, and closes rows.
func Collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}

// AfterKey is key i of a keyset page cursor, or NULL on the first page.
func AfterKey(after []string, i int) any {
	if after == nil {
		return nil
	}
	return after[i]
}

// CreateResource inserts a new resource (id) in a transaction of db under
// an AIP-155 key: a repeated request reads back (get) the resource created
// the first time, with replayed true; a new one runs insert and returns
// created.
func CreateResource[T any](ctx context.Context, db *DB, method, requestID string, requestHash []byte, id string, created T,
	insert func(pgx.Tx) error, get func(pgx.Tx, string) (T, error)) (out T, replayed bool, err error) {
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		stored, replay, err := CreateOnce(ctx, tx, method, requestID, requestHash, func() (string, error) {
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
	return out, replayed, Wrap(method, err)
}

// UpdateResource loads a resource for update in a transaction of db (or
// the unit of work ctx carries), lets change alter it, advances its
// version and saves it; nothing is written when change fails. Its error
// is named by op.
func UpdateResource[T any](ctx context.Context, db *DB, op string, load func(pgx.Tx) (T, error), change func(T) error,
	advance func(T), save func(pgx.Tx, T) error) (T, error) {
	var out T
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := load(tx)
		if err != nil {
			return err
		}
		if err := change(r); err != nil {
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
		return zero, Wrap(op, err)
	}
	return out, nil
}
