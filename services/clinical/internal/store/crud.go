package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
)

// The shapes every resource of the schema is read and written in, on the
// platform's: one read-only transaction for a read, one transaction (or
// the caller's unit of work) for a write, errors named by the operation.

// readOne runs get in a read-only transaction.
func readOne[T any](ctx context.Context, s *Store, resource, id string, get func(pgx.Tx) (T, error)) (T, error) {
	return postgres.ReadOne(ctx, s.db, "get "+resource+" "+id, get)
}

// readMany runs a query in a read-only transaction and scans every row.
func readMany[T any](ctx context.Context, s *Store, op, sql string, scan func(pgx.Row) (T, error), args ...any) ([]T, error) {
	return postgres.ReadMany(ctx, s.db, op, sql, scan, args...)
}

// createOne inserts a new resource under an AIP-155 key: a repeated
// request reads back (get) the resource created the first time, with
// replayed true.
func createOne[T any](ctx context.Context, s *Store, method, requestID string, requestHash []byte, id string, created T,
	insert func(pgx.Tx) error, get func(pgx.Tx, string) (T, error)) (out T, replayed bool, err error) {
	return postgres.CreateResource(ctx, s.db, method, requestID, requestHash, id, created, insert, get)
}

// updateOne loads a resource for update, lets fn change it, advances its
// version and saves it; nothing is written when fn fails.
func updateOne[T any](ctx context.Context, s *Store, op string, load func(pgx.Tx) (T, error), fn func(T) error,
	advance func(T) int64, save func(pgx.Tx, T) error) (T, error) {
	return postgres.UpdateResource(ctx, s.db, op, load, fn, func(r T) { advance(r) }, save)
}

// afterKey is key i of a page cursor, or NULL on the first page.
func afterKey(after []string, i int) any { return postgres.AfterKey(after, i) }
