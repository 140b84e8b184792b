package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/postgres"
)

type gatheredKey struct{}

// gatherNotes is an apply that gathers each delivery's id and writes one
// note per batch, holding them all, when the batch ends; flushes counts
// how many times that happened.
func gatherNotes(db *postgres.DB, flushes *int, fail bool) func(ctx context.Context, d bus.Delivery) error {
	return func(ctx context.Context, d bus.Delivery) error {
		ids, ok := inbox.Batched(ctx, gatheredKey{}, func() (*[]string, func(context.Context) error) {
			ids := &[]string{}
			return ids, func(ctx context.Context) error {
				*flushes++
				if fail {
					return errors.New("flush refused")
				}
				return db.WithTx(ctx, func(tx pgx.Tx) error {
					if err := postgres.SetTenant(ctx, tx, companyA); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, $3)",
						uuid.New(), companyA, strings.Join(*ids, ","))
					return err
				})
			}
		})
		if !ok {
			return errors.New("not in a batch")
		}
		*ids = append(*ids, d.ID)
		return nil
	}
}

func TestBatchedGathersABatchIntoOneEffect(t *testing.T) {
	f := newFixture(t)
	var flushes int
	h := inbox.Handler(f.app, consumer, gatherNotes(f.app, &flushes, false))
	batch := []bus.Delivery{delivery(companyA), delivery(companyB), delivery(companyA)}
	if err := h(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if flushes != 1 {
		t.Fatalf("flushed %d times, want once per batch", flushes)
	}
	var body string
	if err := f.super.QueryRow(context.Background(), "select body from notes").Scan(&body); err != nil {
		t.Fatal(err)
	}
	want := batch[0].ID + "," + batch[1].ID + "," + batch[2].ID
	if body != want {
		t.Errorf("the batch's note holds %q, want every delivery in order %q", body, want)
	}
	// Redelivered, the batch applies nothing, so nothing is gathered and
	// nothing flushed.
	if err := h(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if flushes != 1 || count(t, f, "notes") != 1 {
		t.Errorf("after a redelivery: %d flushes, %d notes; want 1 and 1", flushes, count(t, f, "notes"))
	}
}

func TestBatchedFlushErrorRollsTheBatchBack(t *testing.T) {
	f := newFixture(t)
	var flushes int
	h := inbox.Handler(f.app, consumer, gatherNotes(f.app, &flushes, true))
	if err := h(context.Background(), []bus.Delivery{delivery(companyA), delivery(companyA)}); err == nil || !strings.Contains(err.Error(), "flush refused") {
		t.Fatalf("handler returned %v, want the flush's error", err)
	}
	if n := count(t, f, "inbox"); n != 0 {
		t.Errorf("%d inbox rows after a failed flush, want 0: the batch must be retried", n)
	}
}

func TestBatchedOutsideABatch(t *testing.T) {
	_, ok := inbox.Batched(context.Background(), gatheredKey{}, func() (int, func(context.Context) error) {
		t.Fatal("open called outside a batch")
		return 0, nil
	})
	if ok {
		t.Fatal("Batched reported a batch where there is none")
	}
}
