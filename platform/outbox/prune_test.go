package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/outbox"
)

// agedEvents appends one event per age and backdates it: a positive age
// marks it sent that long ago, a negative one leaves it unsent but created
// that long ago.
func agedEvents(t *testing.T, f fixture, ages ...time.Duration) []bus.Message {
	t.Helper()
	var msgs []bus.Message
	for range ages {
		msgs = append(msgs, newEvent(t, companyA, "aged"))
	}
	appendInTx(t, f, companyA, msgs...)
	for i, age := range ages {
		sql := "update outbox set sent_at = now() - $2::bigint * interval '1 microsecond' where id = $1"
		if age < 0 {
			age = -age
			sql = "update outbox set created_at = now() - $2::bigint * interval '1 microsecond' where id = $1"
		}
		if _, err := f.super.Exec(context.Background(), sql, msgs[i].ID, age.Microseconds()); err != nil {
			t.Fatal(err)
		}
	}
	return msgs
}

func remainingIDs(t *testing.T, f fixture) []string {
	t.Helper()
	rows, err := f.super.Query(context.Background(), "select id::text from outbox order by seq")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestPruneRemovesOnlySentEventsPastRetention(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const day = 24 * time.Hour
	m := agedEvents(t, f, 8*day, 30*day, 6*day, -30*day, 9*day, time.Minute, 10*day)
	keep := []string{m[2].ID, m[3].ID, m[5].ID} // sent recently, unsent however old

	// Chunks of 2 make pruning take several statements.
	n, err := outbox.Prune(context.Background(), f.app.Pool(), 7*day, 2)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if n != 4 {
		t.Errorf("Prune removed %d, want 4", n)
	}
	if diff := cmp.Diff(keep, remainingIDs(t, f)); diff != "" {
		t.Errorf("remaining (-want +got):\n%s", diff)
	}
}

func TestPruneInATenantTransactionRemovesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m := agedEvents(t, f, 30*24*time.Hour)
	err := f.app.WithTx(tenantCtx(companyA), func(tx pgx.Tx) error {
		n, err := outbox.Prune(context.Background(), tx, time.Hour, 10)
		if n != 0 {
			t.Errorf("Prune as a tenant removed %d, want 0", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{m[0].ID}, remainingIDs(t, f)); diff != "" {
		t.Errorf("remaining (-want +got):\n%s", diff)
	}
}

func TestRelayPrunesPeriodically(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m := agedEvents(t, f, 2*time.Hour, -2*time.Hour)
	pub := newRecordingPublisher()
	pub.fail = func(bus.Message, int) error { return errRefused } // keep the unsent one unsent
	runRelay(t, newRelay(t, f, pub, outbox.RelayConfig{
		Retention: time.Hour, PruneInterval: 10 * time.Millisecond, RetryBase: time.Hour, RetryMax: time.Hour,
	}))
	deadline := time.After(waitLimit)
	for {
		got := remainingIDs(t, f)
		if len(got) == 1 {
			if diff := cmp.Diff([]string{m[1].ID}, got); diff != "" {
				t.Errorf("remaining (-want +got):\n%s", diff)
			}
			return
		}
		select {
		case <-deadline:
			t.Fatalf("after %s the outbox still holds %v", waitLimit, got)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestPruneRejectsNonsense(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := outbox.Prune(context.Background(), f.app.Pool(), 0, 10); err == nil {
		t.Error("Prune with zero retention succeeded")
	}
	if _, err := outbox.Prune(context.Background(), f.app.Pool(), time.Hour, 0); err == nil {
		t.Error("Prune with zero chunk succeeded")
	}
}
