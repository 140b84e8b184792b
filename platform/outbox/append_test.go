package outbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
)

// outboxRows reads the outbox as the superuser, in publish order.
func outboxRows(t *testing.T, f fixture) []bus.Message {
	t.Helper()
	rows, err := f.super.Query(context.Background(), `
		select id::text, type, payload_type, coalesce(company_id::text, ''), source, occur_time, payload,
		       coalesce(trace, '{}'::jsonb)
		from outbox order by seq`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (bus.Message, error) {
		var m bus.Message
		err := row.Scan(&m.ID, &m.Type, &m.PayloadType, &m.CompanyID, &m.Source, &m.OccurTime, &m.Payload, &m.Trace)
		m.OccurTime = m.OccurTime.UTC()
		return m, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

var equateEmpty = cmpopts.EquateEmpty()

func TestAppendCommitsWithTheChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	want := []bus.Message{newEvent(t, companyA, "first"), newEvent(t, "", "tenant-less"), newEvent(t, companyA, "third")}
	appendInTx(t, f, companyA, want...)

	if diff := cmp.Diff(want, outboxRows(t, f), equateEmpty); diff != "" {
		t.Errorf("outbox rows (-want +got):\n%s", diff)
	}
	var notes int
	if err := f.super.QueryRow(context.Background(), "select count(*) from notes").Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if notes != 1 {
		t.Errorf("notes = %d, want the 1 change the events describe", notes)
	}
}

func TestAppendRollsBackWithTheChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	errChange := errors.New("change refused after its events were appended")
	err := f.app.InTx(tenantCtx(companyA), func(ctx context.Context) error {
		tx, _ := postgres.TxFromContext(ctx)
		if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'x')", uuid.New(), companyA); err != nil {
			return err
		}
		if err := outbox.AppendFromContext(ctx, newEvent(t, companyA, "rolled back")); err != nil {
			return err
		}
		return errChange
	})
	if !errors.Is(err, errChange) {
		t.Fatalf("InTx: %v, want %v", err, errChange)
	}
	if got := outboxRows(t, f); len(got) != 0 {
		t.Errorf("outbox after rollback holds %d events, want none", len(got))
	}
}

func TestAppendFromContextRefusesToRunOutsideAUnitOfWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	err := outbox.AppendFromContext(tenantCtx(companyA), newEvent(t, companyA, "orphan"))
	if !errors.Is(err, outbox.ErrNoUnitOfWork) {
		t.Errorf("AppendFromContext without a unit of work: %v, want ErrNoUnitOfWork", err)
	}
	// A plain WithTx does not put its transaction in the context: the
	// recorder cannot join it and refuses.
	rec := outbox.NewRecorder("notes", nil)
	err = f.app.WithTx(tenantCtx(companyA), func(pgx.Tx) error {
		return rec.Record(tenantCtx(companyA), "notes.note.created.v1", companyA, wrapperspb.String("orphan"))
	})
	if !errors.Is(err, outbox.ErrNoUnitOfWork) {
		t.Errorf("Record outside a unit of work: %v, want ErrNoUnitOfWork", err)
	}
	if got := outboxRows(t, f); len(got) != 0 {
		t.Errorf("outbox holds %d events, want none", len(got))
	}
}

func TestRecorderAppendsInTheUnitOfWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)
	rec := outbox.NewRecorder("notes", func() time.Time { return at })
	err := f.app.InTx(tenantCtx(companyA), func(ctx context.Context) error {
		return rec.Record(ctx, "notes.note.created.v1", companyA, wrapperspb.String("recorded"))
	})
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	got := outboxRows(t, f)
	if len(got) != 1 {
		t.Fatalf("outbox holds %d events, want 1", len(got))
	}
	payload, _ := proto.Marshal(wrapperspb.String("recorded"))
	want := bus.Message{
		ID:          got[0].ID, // drawn by the recorder
		Type:        "notes.note.created.v1",
		PayloadType: "google.protobuf.StringValue",
		CompanyID:   companyA,
		Source:      "notes",
		OccurTime:   at.Truncate(time.Microsecond),
		Payload:     payload,
	}
	if diff := cmp.Diff(want, got[0], equateEmpty); diff != "" {
		t.Errorf("recorded event (-want +got):\n%s", diff)
	}
}

func TestAppendAcceptsOnlyTheTransactionsTenantAndNone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name      string
		txTenant  string
		event     string
		wantState string
	}{
		{name: "own tenant", txTenant: companyA, event: companyA},
		{name: "tenant-less event in a tenant transaction", txTenant: companyA, event: ""},
		{name: "tenant-less event without tenant", txTenant: "", event: ""},
		{name: "another tenant's event", txTenant: companyA, event: companyB, wantState: codeInsufficientPrivilege},
		{name: "a tenant's event without tenant", txTenant: "", event: companyB, wantState: codeInsufficientPrivilege},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.txTenant != "" {
				ctx = tenantCtx(tt.txTenant)
			}
			err := f.app.InTx(ctx, func(ctx context.Context) error {
				return outbox.AppendFromContext(ctx, newEvent(t, tt.event, tt.name))
			})
			if got := sqlState(err); got != tt.wantState {
				t.Errorf("append: %v (SQLSTATE %q), want SQLSTATE %q", err, got, tt.wantState)
			}
		})
	}
}

func TestOutboxVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b, none := newEvent(t, companyA, "a"), newEvent(t, companyB, "b"), newEvent(t, "", "none")
	appendInTx(t, f, companyA, a)
	appendInTx(t, f, companyB, b)
	appendInTx(t, f, "", none)

	visible := func(ctx context.Context) []string {
		t.Helper()
		var got []string
		err := f.app.WithTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, "select id::text from outbox order by seq")
			if err != nil {
				return err
			}
			got, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatalf("read outbox: %v", err)
		}
		return got
	}
	// The relay's scope: no tenant, every tenant's events.
	if diff := cmp.Diff([]string{a.ID, b.ID, none.ID}, visible(context.Background())); diff != "" {
		t.Errorf("without tenant (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{a.ID}, visible(tenantCtx(companyA))); diff != "" {
		t.Errorf("as tenant A (-want +got):\n%s", diff)
	}

	// A tenant can neither mark nor delete events, its own included.
	err := f.app.WithTx(tenantCtx(companyA), func(tx pgx.Tx) error {
		for _, sql := range []string{"update outbox set sent_at = now()", "delete from outbox"} {
			tag, err := tx.Exec(context.Background(), sql)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 0 {
				t.Errorf("%s as tenant A affected %d rows, want 0", sql, tag.RowsAffected())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAppendRejectsMalformedEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	valid := newEvent(t, companyA, "valid")
	tests := []struct {
		name  string
		spoil func(*bus.Message)
	}{
		{"id not a UUID", func(m *bus.Message) { m.ID = "evt-1" }},
		{"no type", func(m *bus.Message) { m.Type = "" }},
		{"no payload type", func(m *bus.Message) { m.PayloadType = "" }},
		{"no source", func(m *bus.Message) { m.Source = "" }},
		{"no time", func(m *bus.Message) { m.OccurTime = time.Time{} }},
		{"company not a UUID", func(m *bus.Message) { m.CompanyID = "acme" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid
			tt.spoil(&m)
			err := f.app.InTx(tenantCtx(companyA), func(ctx context.Context) error {
				return outbox.AppendFromContext(ctx, valid, m)
			})
			if err == nil {
				t.Error("append succeeded")
			}
		})
	}
	if got := outboxRows(t, f); len(got) != 0 {
		t.Errorf("outbox holds %d events, want none (a batch is all or nothing)", len(got))
	}
}

func TestPlatformTablesPassRowLevelSecurityCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	got, err := postgres.CheckRowLevelSecurity(context.Background(), f.app.Pool(), f.schema)
	if err != nil {
		t.Fatalf("CheckRowLevelSecurity: %v", err)
	}
	if diff := cmp.Diff([]string{}, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
