package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
)

const createNote = "/ariesone.notes.v1.NoteService/CreateNote"

// outcome is what one call of Idempotent told its caller.
type outcome struct {
	Stored []byte
	Found  bool
}

// create runs a create method the way a service does: claim the key, do the
// work only when the key is new, save the response, all in one transaction.
// work returns the response; it is not called on a replay.
func create(ctx context.Context, db *postgres.DB, requestID string, hash []byte, work func(pgx.Tx) ([]byte, error)) (outcome, error) {
	var out outcome
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		stored, found, err := postgres.Idempotent(ctx, tx, createNote, requestID, hash)
		if err != nil {
			return err
		}
		if found {
			out = outcome{Stored: stored, Found: true}
			return nil
		}
		response, err := work(tx)
		if err != nil {
			return err
		}
		out = outcome{Stored: response}
		return postgres.SaveResponse(ctx, tx, createNote, requestID, response)
	})
	return out, err
}

func respond(body string) func(pgx.Tx) ([]byte, error) {
	return func(pgx.Tx) ([]byte, error) { return []byte(body), nil }
}

func TestIdempotentReplaysStoredResponse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := tenantCtx(companyA)

	first, err := create(ctx, f.app, "req-1", []byte("hash-1"), respond("note 1"))
	if err != nil {
		t.Fatalf("first create: %v", err)
	}
	worked := false
	second, err := create(ctx, f.app, "req-1", []byte("hash-1"), func(pgx.Tx) ([]byte, error) {
		worked = true
		return []byte("note 2"), nil
	})
	if err != nil {
		t.Fatalf("retried create: %v", err)
	}
	want := []outcome{{Stored: []byte("note 1")}, {Stored: []byte("note 1"), Found: true}}
	if diff := cmp.Diff(want, []outcome{first, second}); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if worked {
		t.Error("the retried create did the work again")
	}
}

func TestIdempotentReplaysEmptyResponse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := tenantCtx(companyA)
	if _, err := create(ctx, f.app, "req-1", []byte("h"), func(pgx.Tx) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	got, err := create(ctx, f.app, "req-1", []byte("h"), respond("unexpected"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(outcome{Stored: []byte{}, Found: true}, got); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
}

func TestIdempotentRejectsReusedRequestIDWithDifferentPayload(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := tenantCtx(companyA)

	if _, err := create(ctx, f.app, "req-1", []byte("hash-1"), respond("note 1")); err != nil {
		t.Fatal(err)
	}
	_, err := create(ctx, f.app, "req-1", []byte("hash-2"), respond("note 2"))
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *errs.Error", err)
	}
	got := struct {
		Kind   errs.Kind
		Reason string
		Fields []string
	}{Kind: e.Kind, Reason: e.Reason}
	for _, fv := range e.Fields {
		got.Fields = append(got.Fields, fv.Field)
	}
	want := struct {
		Kind   errs.Kind
		Reason string
		Fields []string
	}{Kind: errs.KindInvalid, Reason: postgres.ReasonRequestIDReused, Fields: []string{"requestId"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestIdempotencyKeysAreScopedToTenantAndMethod(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)

	a, err := create(tenantCtx(companyA), f.app, "req-1", []byte("hash-a"), respond("A's note"))
	if err != nil {
		t.Fatal(err)
	}
	// Tenant B picking the same request id (and even a different payload)
	// neither collides with A nor sees A's response.
	b, err := create(tenantCtx(companyB), f.app, "req-1", []byte("hash-b"), respond("B's note"))
	if err != nil {
		t.Fatal(err)
	}
	// Another method of tenant A with the same id is a different key.
	var other outcome
	ctxA := tenantCtx(companyA)
	err = f.app.WithTx(ctxA, func(tx pgx.Tx) error {
		stored, found, err := postgres.Idempotent(ctxA, tx, "/ariesone.notes.v1.NoteService/CreateFolder", "req-1", []byte("hash-a"))
		other = outcome{Stored: stored, Found: found}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []outcome{{Stored: []byte("A's note")}, {Stored: []byte("B's note")}, {}}
	if diff := cmp.Diff(want, []outcome{a, b, other}); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestIdempotentConcurrentDuplicateWaitsForTheFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := tenantCtx(companyA)

	claimed := make(chan struct{})
	release := make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		_, err := create(ctx, f.app, "req-1", []byte("hash-1"), func(pgx.Tx) ([]byte, error) {
			close(claimed)
			<-release // hold the claim, uncommitted
			return []byte("note 1"), nil
		})
		firstDone <- err
	}()
	<-claimed

	type result struct {
		out outcome
		err error
	}
	second := make(chan result, 1)
	go func() {
		out, err := create(ctx, f.app, "req-1", []byte("hash-1"), respond("note 2"))
		second <- result{out, err}
	}()

	select {
	case r := <-second:
		t.Fatalf("duplicate finished (%+v) while the first was still in flight", r)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatalf("first create: %v", err)
	}
	r := <-second
	if r.err != nil {
		t.Fatalf("duplicate create: %v", r.err)
	}
	if diff := cmp.Diff(outcome{Stored: []byte("note 1"), Found: true}, r.out); diff != "" {
		t.Errorf("duplicate outcome (-want +got):\n%s", diff)
	}
}

func TestIdempotentClaimIsReleasedByRollback(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := tenantCtx(companyA)
	errFailed := errors.New("downstream failed")

	_, err := create(ctx, f.app, "req-1", []byte("hash-1"), func(pgx.Tx) ([]byte, error) { return nil, errFailed })
	if !errors.Is(err, errFailed) {
		t.Fatalf("failed create: error %v, want %v", err, errFailed)
	}
	got, err := create(ctx, f.app, "req-1", []byte("hash-1"), respond("note 1"))
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if diff := cmp.Diff(outcome{Stored: []byte("note 1")}, got); diff != "" {
		t.Errorf("retry outcome (-want +got):\n%s", diff)
	}
}

func TestIdempotentWithoutRequestIDStoresNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := tenantCtx(companyA)
	for range 2 {
		got, err := create(ctx, f.app, "", []byte("hash-1"), respond("note"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(outcome{Stored: []byte("note")}, got); diff != "" {
			t.Errorf("outcome (-want +got):\n%s", diff)
		}
	}
	var keys int
	if err := f.super.QueryRow(context.Background(), "select count(*) from idempotency_keys").Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if keys != 0 {
		t.Errorf("stored keys = %d, want 0", keys)
	}
}

func TestIdempotentRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)

	tests := []struct {
		name      string
		ctx       context.Context
		requestID string
		hash      []byte
		wantKind  errs.Kind
	}{
		{name: "request id too long", ctx: tenantCtx(companyA), requestID: strings.Repeat("r", postgres.MaxRequestIDLen+1), hash: []byte("h"), wantKind: errs.KindInvalid},
		{name: "no request hash", ctx: tenantCtx(companyA), requestID: "req-1", wantKind: errs.KindInternal},
		{name: "no tenant", ctx: context.Background(), requestID: "req-1", hash: []byte("h"), wantKind: errs.KindInternal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := f.app.WithTx(tc.ctx, func(tx pgx.Tx) error {
				_, _, err := postgres.Idempotent(tc.ctx, tx, createNote, tc.requestID, tc.hash)
				return err
			})
			if err == nil {
				t.Fatal("want an error")
			}
			if got := errs.KindOf(err); got != tc.wantKind {
				t.Errorf("kind = %v, want %v (error %v)", got, tc.wantKind, err)
			}
		})
	}
}

func TestSaveResponseNeedsAClaim(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := tenantCtx(companyA)
	err := f.app.WithTx(ctx, func(tx pgx.Tx) error {
		return postgres.SaveResponse(ctx, tx, createNote, "never-claimed", []byte("x"))
	})
	if err == nil {
		t.Error("SaveResponse without a claim: want an error")
	}
}

func TestPruneIdempotencyKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	bg := context.Background()
	for _, k := range []struct{ company, id string }{
		{companyA, "old-a"}, {companyA, "new-a"}, {companyB, "old-b"}, {companyB, "new-b"},
	} {
		if _, err := create(tenantCtx(k.company), f.app, k.id, []byte("h"), respond(k.id)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.super.Exec(bg, "update idempotency_keys set created_at = now() - interval '25 hours' where request_id like 'old-%'"); err != nil {
		t.Fatal(err)
	}

	// The runtime role cannot delete keys itself, not even its own tenant's.
	err := f.app.WithTx(tenantCtx(companyA), func(tx pgx.Tx) error {
		_, err := tx.Exec(bg, "delete from idempotency_keys")
		return err
	})
	if got := sqlState(err); got != codeInsufficientPrivilege {
		t.Errorf("app deletes keys: error %v (SQLSTATE %q), want SQLSTATE %s", err, got, codeInsufficientPrivilege)
	}
	// Nor can it prune with a retention that would drop live keys, whether
	// through the Go function or by calling the SQL function directly.
	if _, err := postgres.PruneIdempotencyKeys(bg, f.app.Pool(), time.Minute); err == nil {
		t.Error("PruneIdempotencyKeys(1m): want an error")
	}
	_, err = f.app.Pool().Exec(bg, "select prune_idempotency_keys(interval '1 minute')")
	if got := sqlState(err); got != codeInvalidParameterValue {
		t.Errorf("prune_idempotency_keys(1 minute): error %v (SQLSTATE %q), want SQLSTATE %s", err, got, codeInvalidParameterValue)
	}

	pruned, err := postgres.PruneIdempotencyKeys(bg, f.app.Pool(), 24*time.Hour)
	if err != nil {
		t.Fatalf("PruneIdempotencyKeys: %v", err)
	}
	if pruned != 2 {
		t.Errorf("pruned = %d, want 2", pruned)
	}
	rows, err := f.super.Query(bg, "select request_id from idempotency_keys order by request_id")
	if err != nil {
		t.Fatal(err)
	}
	left, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"new-a", "new-b"}, left); diff != "" {
		t.Errorf("keys left (-want +got):\n%s", diff)
	}
}
