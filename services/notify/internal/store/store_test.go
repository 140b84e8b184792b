package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/store/storetest"
)

func TestEveryTenantTableHasRowLevelSecurity(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	problems, err := postgres.CheckRowLevelSecurity(context.Background(), db.Super, storetest.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("tables without row-level security: %q", problems)
	}
}

// wantSQLState fails the test unless err is a Postgres error with code.
func wantSQLState(t *testing.T, err error, code string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code {
		t.Fatalf("err = %v, want SQLSTATE %s", err, code)
	}
}

// asRuntimeRole runs sql as the service's runtime role inside a
// transaction of tenant companyID, and returns its error.
func asRuntimeRole(t *testing.T, db *storetest.DB, companyID, sql string, args ...any) error {
	t.Helper()
	return db.App.WithTenantTx(context.Background(), companyID, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}
