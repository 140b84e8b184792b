package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
)

// insertNote is a repository method: it runs in its own WithTx, which joins
// a unit of work when ctx carries one.
func insertNote(ctx context.Context, db *postgres.DB, id, company, body string) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, $3)", id, company, body)
		return err
	})
}

func TestInTxJoinsRepositoryCallsIntoOneTransaction(t *testing.T) {
	t.Parallel()
	errStop := errors.New("stop")
	tests := []struct {
		name string
		last error
		want map[string]string
	}{
		{name: "commits together", want: map[string]string{noteA1: companyA + ":one", noteA2: companyA + ":two"}},
		{name: "rolls back together", last: errStop, want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, notesMigrations())
			ctx := tenantCtx(companyA)
			err := f.app.InTx(ctx, func(ctx context.Context) error {
				if _, ok := postgres.TxFromContext(ctx); !ok {
					t.Error("TxFromContext inside InTx: no transaction")
				}
				if err := insertNote(ctx, f.app, noteA1, companyA, "one"); err != nil {
					return err
				}
				// A nested unit of work joins too.
				if err := f.app.InTx(ctx, func(ctx context.Context) error {
					return insertNote(ctx, f.app, noteA2, companyA, "two")
				}); err != nil {
					return err
				}
				return tt.last
			})
			if !errors.Is(err, tt.last) {
				t.Fatalf("InTx error = %v, want %v", err, tt.last)
			}
			if diff := cmp.Diff(tt.want, allNotes(t, f)); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
	if _, ok := postgres.TxFromContext(context.Background()); ok {
		t.Error("TxFromContext outside a unit of work reports a transaction")
	}
}

// noteHook writes a note of its own in every transaction it is run in.
type noteHook struct {
	ids       []string
	before    int
	committed int
	fail      error
}

func (h *noteHook) BeforeCommit(ctx context.Context, tx pgx.Tx) error {
	if h.fail != nil {
		return h.fail
	}
	id := h.ids[h.before]
	h.before++
	_, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'hook')", id, companyA)
	return err
}

func (h *noteHook) AfterCommit() { h.committed++ }

func TestCommitHookRunsInOutermostReadWriteTransactions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	hook := &noteHook{ids: []string{noteB1}}
	ctx := postgres.WithCommitHook(tenantCtx(companyA), hook)

	// A read-only transaction does not run it.
	if err := f.app.WithReadOnlyTx(ctx, func(pgx.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// A unit of work with a nested repository call runs it once, inside.
	err := f.app.InTx(ctx, func(ctx context.Context) error {
		return insertNote(ctx, f.app, noteA1, companyA, "work")
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]int{1, 1}, [2]int{hook.before, hook.committed}); diff != "" {
		t.Errorf("[BeforeCommit, AfterCommit] calls (-want +got):\n%s", diff)
	}
	want := map[string]string{noteA1: companyA + ":work", noteB1: companyA + ":hook"}
	if diff := cmp.Diff(want, allNotes(t, f)); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestCommitHookErrorRollsBackTheWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	errHook := errors.New("hook failed")
	hook := &noteHook{fail: errHook}
	ctx := postgres.WithCommitHook(tenantCtx(companyA), hook)
	err := insertNote(ctx, f.app, noteA1, companyA, "work")
	if !errors.Is(err, errHook) {
		t.Fatalf("error = %v, want %v", err, errHook)
	}
	if hook.committed != 0 {
		t.Errorf("AfterCommit ran %d times after a rollback", hook.committed)
	}
	if diff := cmp.Diff(map[string]string{}, allNotes(t, f)); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestSetTenantSwitchesTenantWithinATransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	ctx := context.Background()
	err := f.app.WithTenantTx(ctx, companyA, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'a')", noteA1, companyA); err != nil {
			return err
		}
		if err := postgres.SetTenant(ctx, tx, companyB); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'b')", noteB1, companyB); err != nil {
			return err
		}
		// Now B: A's row is out of sight.
		var visible int
		if err := tx.QueryRow(ctx, "select count(*) from notes").Scan(&visible); err != nil {
			return err
		}
		if visible != 1 {
			t.Errorf("rows visible as tenant B = %d, want 1", visible)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.WithTenantTx(ctx, companyA, func(tx pgx.Tx) error {
		return postgres.SetTenant(ctx, tx, "not-a-uuid")
	}); err == nil {
		t.Error("SetTenant accepted a tenant that is not a UUID")
	}
	want := map[string]string{noteA1: companyA + ":a", noteB1: companyB + ":b"}
	if diff := cmp.Diff(want, allNotes(t, f)); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestWithTenantTxJoinedSwitchesTheUnitsTenant(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	// A unit of work with no principal (a sign-in) names its company
	// through a repository; what it writes afterwards belongs to it too.
	err := f.app.InTx(context.Background(), func(ctx context.Context) error {
		if err := f.app.WithTenantTx(ctx, companyA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'named')", noteA1, companyA)
			return err
		}); err != nil {
			return err
		}
		return insertNote(ctx, f.app, noteA2, companyA, "after")
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{noteA1: companyA + ":named", noteA2: companyA + ":after"}
	if diff := cmp.Diff(want, allNotes(t, f)); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	err = f.app.InTx(context.Background(), func(ctx context.Context) error {
		return f.app.WithTenantTx(ctx, "not-a-uuid", func(pgx.Tx) error { return nil })
	})
	if err == nil {
		t.Error("a joined WithTenantTx accepted a tenant that is not a UUID")
	}
}

// countNotes is a repository read: it runs in its own read-only
// transaction, or joins the one ctx carries.
func countNotes(ctx context.Context, db *postgres.DB) (int, error) {
	var n int
	err := db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "select count(*) from notes").Scan(&n)
	})
	return n, err
}

func TestInSnapshotReadsOneMomentAndWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	ctx := tenantCtx(companyA)
	if err := insertNote(ctx, f.app, noteA1, companyA, "before"); err != nil {
		t.Fatal(err)
	}
	var first, second int
	err := f.app.InSnapshot(ctx, func(ctx context.Context) error {
		var err error
		if first, err = countNotes(ctx, f.app); err != nil {
			return err
		}
		// Another transaction commits between the two reads; the snapshot
		// does not see it.
		if err := insertNote(tenantCtx(companyA), f.app, noteA2, companyA, "meanwhile"); err != nil {
			return err
		}
		second, err = countNotes(ctx, f.app)
		return err
	})
	if err != nil || first != 1 || second != 1 {
		t.Errorf("InSnapshot read %d then %d notes (%v); want 1 both times", first, second, err)
	}
	if n, _ := countNotes(ctx, f.app); n != 2 {
		t.Errorf("after the snapshot %d notes, want 2", n)
	}
	err = f.app.InSnapshot(ctx, func(ctx context.Context) error {
		return insertNote(ctx, f.app, noteB1, companyA, "in a snapshot")
	})
	if err == nil {
		t.Error("a write inside InSnapshot succeeded")
	}
}
