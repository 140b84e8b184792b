package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
)

// Note ids: two of tenant A, one of tenant B.
const (
	noteA1 = "00000000-0000-7000-8000-0000000000a1"
	noteA2 = "00000000-0000-7000-8000-0000000000a2"
	noteB1 = "00000000-0000-7000-8000-0000000000b1"
)

// seedNotes inserts the notes through the runtime role, each tenant in its
// own transaction.
func seedNotes(t *testing.T, f fixture) {
	t.Helper()
	ctx := context.Background()
	for _, n := range []struct{ company, id string }{{companyA, noteA1}, {companyA, noteA2}, {companyB, noteB1}} {
		err := f.app.WithTenantTx(ctx, n.company, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'original')", n.id, n.company)
			return err
		})
		if err != nil {
			t.Fatalf("seed note %s: %v", n.id, err)
		}
	}
}

// allNotes reads every note as the superuser, bypassing the policies.
func allNotes(t *testing.T, f fixture) map[string]string {
	t.Helper()
	rows, err := f.super.Query(context.Background(), "select id::text, company_id::text || ':' || body from notes")
	if err != nil {
		t.Fatalf("read notes: %v", err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{ id, v string }, error) {
		var e struct{ id, v string }
		return e, r.Scan(&e.id, &e.v)
	})
	if err != nil {
		t.Fatalf("read notes: %v", err)
	}
	m := map[string]string{}
	for _, e := range got {
		m[e.id] = e.v
	}
	return m
}

func TestTenantCannotReachAnotherTenantsRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	seedNotes(t, f)
	ctxA := tenantCtx(companyA)

	// Each statement below forgets the tenant filter, or names tenant B
	// outright; row-level security must keep it inside tenant A.
	readCases := []struct {
		name string
		sql  string
		args []any
		want []string
	}{
		{name: "select without filter", sql: "select id::text from notes order by id", want: []string{noteA1, noteA2}},
		{name: "select by other tenant's id", sql: "select id::text from notes where id = $1", args: []any{noteB1}, want: []string{}},
		{name: "select by other tenant's company", sql: "select id::text from notes where company_id = $1", args: []any{companyB}, want: []string{}},
	}
	for _, tc := range readCases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := f.app.WithReadOnlyTx(ctxA, func(tx pgx.Tx) error {
				rows, err := tx.Query(ctxA, tc.sql, tc.args...)
				if err != nil {
					return err
				}
				got, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			})
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}

	writeCases := []struct {
		name         string
		sql          string
		args         []any
		wantAffected int64
	}{
		{name: "delete by other tenant's id", sql: "delete from notes where id = $1", args: []any{noteB1}, wantAffected: 0},
		{name: "delete by other tenant's company", sql: "delete from notes where company_id = $1", args: []any{companyB}, wantAffected: 0},
		{name: "update by other tenant's id", sql: "update notes set body = 'hijacked' where id = $1", args: []any{noteB1}, wantAffected: 0},
		{name: "update without filter", sql: "update notes set body = 'edited'", wantAffected: 2},
	}
	for _, tc := range writeCases {
		t.Run(tc.name, func(t *testing.T) {
			var affected int64
			err := f.app.WithTx(ctxA, func(tx pgx.Tx) error {
				tag, err := tx.Exec(ctxA, tc.sql, tc.args...)
				affected = tag.RowsAffected()
				return err
			})
			if err != nil {
				t.Fatalf("exec: %v", err)
			}
			if affected != tc.wantAffected {
				t.Errorf("rows affected = %d, want %d", affected, tc.wantAffected)
			}
		})
	}

	refusedCases := []struct {
		name string
		sql  string
		args []any
	}{
		{name: "insert with other tenant's company", sql: "insert into notes (id, company_id, body) values (gen_random_uuid(), $1, 'planted')", args: []any{companyB}},
		{name: "update moving own row to other tenant", sql: "update notes set company_id = $1 where id = $2", args: []any{companyB, noteA1}},
	}
	for _, tc := range refusedCases {
		t.Run(tc.name, func(t *testing.T) {
			err := f.app.WithTx(ctxA, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctxA, tc.sql, tc.args...)
				return err
			})
			if got := sqlState(err); got != codeInsufficientPrivilege {
				t.Errorf("error = %v (SQLSTATE %q), want SQLSTATE %s", err, got, codeInsufficientPrivilege)
			}
		})
	}

	want := map[string]string{
		noteA1: companyA + ":edited",
		noteA2: companyA + ":edited",
		noteB1: companyB + ":original",
	}
	if diff := cmp.Diff(want, allNotes(t, f)); diff != "" {
		t.Errorf("notes after tenant A's attempts (-want +got):\n%s", diff)
	}
}

func TestTransactionWithoutTenantSeesAndWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	seedNotes(t, f)

	contexts := []struct {
		name string
		ctx  context.Context
	}{
		{name: "no principal", ctx: context.Background()},
		{name: "principal without company", ctx: identity.NewContext(context.Background(), identity.Principal{Subject: "notify", Kind: identity.KindService})},
	}
	for _, c := range contexts {
		t.Run(c.name, func(t *testing.T) {
			var count int
			err := f.app.WithTx(c.ctx, func(tx pgx.Tx) error {
				return tx.QueryRow(c.ctx, "select count(*) from notes").Scan(&count)
			})
			if err != nil {
				t.Fatalf("count: %v", err)
			}
			if count != 0 {
				t.Errorf("visible notes = %d, want 0", count)
			}
			err = f.app.WithTx(c.ctx, func(tx pgx.Tx) error {
				_, err := tx.Exec(c.ctx, "insert into notes (id, company_id, body) values (gen_random_uuid(), $1, 'x')", companyA)
				return err
			})
			if got := sqlState(err); got != codeInsufficientPrivilege {
				t.Errorf("insert error = %v (SQLSTATE %q), want SQLSTATE %s", err, got, codeInsufficientPrivilege)
			}
		})
	}
}

func TestTenantDoesNotOutliveItsTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	seedNotes(t, f)
	// One connection, so the second transaction surely reuses the first's
	// session.
	single := postgres.NewDB(openPool(t, postgres.Config{URL: f.appURL, Schema: f.schema, MaxConns: 1}))
	ctx := context.Background()

	var inside, after int
	err := single.WithTx(tenantCtx(companyA), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "select count(*) from notes").Scan(&inside)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = single.WithTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "select count(*) from notes").Scan(&after)
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]int{2, 0}, [2]int{inside, after}); diff != "" {
		t.Errorf("visible notes [in tenant tx, next tx without tenant] (-want +got):\n%s", diff)
	}
}

func TestWithTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	ctx := tenantCtx(companyA)
	errStop := errors.New("stop")

	err := f.app.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'x')", noteA1, companyA); err != nil {
			return err
		}
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("WithTx error = %v, want %v", err, errStop)
	}
	if diff := cmp.Diff(map[string]string{}, allNotes(t, f)); diff != "" {
		t.Errorf("notes after rollback (-want +got):\n%s", diff)
	}
}

func TestWithTxRollsBackAndRepanics(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	ctx := tenantCtx(companyA)

	recovered := func() (p any) {
		defer func() { p = recover() }()
		_ = f.app.WithTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'x')", noteA1, companyA); err != nil {
				t.Errorf("insert: %v", err)
			}
			panic("boom")
		})
		return nil
	}()
	if recovered != "boom" {
		t.Fatalf("recovered %v, want the panic to propagate", recovered)
	}
	if diff := cmp.Diff(map[string]string{}, allNotes(t, f)); diff != "" {
		t.Errorf("notes after panic (-want +got):\n%s", diff)
	}
	// The connection went back to the pool usable.
	var one int
	if err := f.app.WithTx(ctx, func(tx pgx.Tx) error { return tx.QueryRow(ctx, "select 1").Scan(&one) }); err != nil {
		t.Errorf("next transaction: %v", err)
	}
}

func TestWithReadOnlyTxRejectsWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	ctx := tenantCtx(companyA)
	err := f.app.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'x')", noteA1, companyA)
		return err
	})
	if got := sqlState(err); got != codeReadOnlyTransaction {
		t.Errorf("error = %v (SQLSTATE %q), want SQLSTATE %s", err, got, codeReadOnlyTransaction)
	}
}

func TestMalformedTenantIsRefusedBeforeAnyQuery(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ran := false
	fn := func(pgx.Tx) error { ran = true; return nil }

	if err := f.app.WithTenantTx(context.Background(), "", fn); err == nil {
		t.Error("WithTenantTx with empty company: want an error")
	}
	if err := f.app.WithTenantTx(context.Background(), "company-a", fn); err == nil {
		t.Error("WithTenantTx with a non-UUID company: want an error")
	}
	if err := f.app.WithTx(tenantCtx("company-a"), fn); err == nil {
		t.Error("WithTx for a principal with a non-UUID company: want an error")
	}
	if ran {
		t.Error("fn ran despite the malformed tenant")
	}
}

func TestAppRoleCannotSwitchOffRowLevelSecurity(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	seedNotes(t, f)
	ctx := tenantCtx(companyA)

	tests := []struct {
		name string
		sql  []string
	}{
		{name: "disable on the table", sql: []string{"alter table notes disable row level security"}},
		{name: "drop the policy", sql: []string{"drop policy tenant_isolation on notes"}},
		{name: "row_security off", sql: []string{"set local row_security = off", "select count(*) from notes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := f.app.WithTx(ctx, func(tx pgx.Tx) error {
				for _, s := range tc.sql {
					if _, err := tx.Exec(ctx, s); err != nil {
						return err
					}
				}
				return nil
			})
			if got := sqlState(err); got != codeInsufficientPrivilege {
				t.Errorf("error = %v (SQLSTATE %q), want SQLSTATE %s", err, got, codeInsufficientPrivilege)
			}
		})
	}
}
