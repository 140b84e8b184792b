package auditsink_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auditsink"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

const (
	companyA = "0195f3a2-0000-7000-8000-00000000000a"
	companyB = "0195f3a2-0000-7000-8000-00000000000b"
	widget   = "0195f3a2-0000-7000-8000-0000000000f1"

	createWidget = "/ariesone.testing.v1.ProbeService/CreateWidget"
	getWidget    = "/ariesone.testing.v1.ProbeService/GetWidget"
)

// waitLimit bounds waits for the flusher; not a timing assertion.
const waitLimit = 20 * time.Second

var widgets = fstest.MapFS{"00001_widgets.sql": &fstest.MapFile{Data: []byte(`
-- +goose Up
create table widgets (
    id         uuid primary key,
    company_id uuid not null default nullif(current_setting('ariesone.company_id', true), '')::uuid
);
alter table widgets enable row level security;
alter table widgets force row level security;
create policy tenant_isolation on widgets
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
do $$ begin execute format('grant select, insert on widgets to %I', current_schema() || '_app'); end $$;
`)}}

// outboxRecord is one audit event as the outbox holds it.
type outboxRecord struct {
	Type, Company, Method, Code string
	Resources                   map[string]string
}

// auditEvents reads the records of the outbox's audit batches as the
// superuser, one outboxRecord per record, under the record's tenant. A
// batch under a tenant's envelope must hold only that tenant's records.
func auditEvents(t *testing.T, s pgtest.Schema) []outboxRecord {
	t.Helper()
	rows, err := s.Super.Query(context.Background(),
		`select type, coalesce(company_id::text, ''), payload from outbox order by seq`)
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxRecord
	ids := map[string]bool{}
	for rows.Next() {
		var typ, envelope string
		var payload []byte
		if err := rows.Scan(&typ, &envelope, &payload); err != nil {
			t.Fatal(err)
		}
		var batch auditv1.AuditRecordBatch
		if err := proto.Unmarshal(payload, &batch); err != nil {
			t.Fatal(err)
		}
		for _, rec := range batch.GetRecords() {
			if (envelope != "" && rec.GetCompanyId() != envelope) || rec.GetService() != "probe" {
				t.Errorf("record company %q service %q in an event of company %q", rec.GetCompanyId(), rec.GetService(), envelope)
			}
			if ids[rec.GetRecordId()] || rec.GetRecordId() == "" {
				t.Errorf("record id %q empty or repeated", rec.GetRecordId())
			}
			ids[rec.GetRecordId()] = true
			out = append(out, outboxRecord{Type: typ, Company: rec.GetCompanyId(), Method: rec.GetMethod(), Code: rec.GetCode(), Resources: rec.GetResources()})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func newSink(t *testing.T, s pgtest.Schema) (*auditsink.Sink, func()) {
	t.Helper()
	sink, err := auditsink.New(auditsink.Config{DB: s.App, Service: "probe", FlushInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx) }()
	return sink, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// call runs one audited call as a user of company through the real audit
// interceptor.
func call(sink audit.Sink, company, method string, req any, handler grpc.UnaryHandler) error {
	intercept := audit.UnaryServerInterceptor(sink, nil)
	_, err := intercept(context.Background(), req, &grpc.UnaryServerInfo{FullMethod: method},
		func(ctx context.Context, req any) (any, error) {
			if company != "" {
				ctx = identity.NewContext(ctx, identity.Principal{Subject: "u-" + company, CompanyID: company, Kind: identity.KindUser})
			}
			return handler(ctx, req)
		})
	return err
}

func insertWidget(db *postgres.DB) grpc.UnaryHandler {
	return func(ctx context.Context, _ any) (any, error) {
		err := db.WithTx(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "insert into widgets (id) values ($1)", widget)
			return err
		})
		if err != nil {
			return nil, err
		}
		audit.NoteResource(ctx, "id", widget)
		return &testingv1.Widget{Id: widget}, nil
	}
}

func TestWriteIsAuditedInItsOwnTransaction(t *testing.T) {
	t.Parallel()
	s := pgtest.NewSchema(t, widgets)
	// No flusher runs: a record that reaches the outbox got there in the
	// write's transaction.
	sink, err := auditsink.New(auditsink.Config{DB: s.App, Service: "probe"})
	if err != nil {
		t.Fatal(err)
	}
	if err := call(sink, companyA, createWidget, &testingv1.GetWidgetRequest{}, insertWidget(s.App)); err != nil {
		t.Fatal(err)
	}
	want := []outboxRecord{{Type: "probe.audit.recorded.v2", Company: companyA, Method: createWidget, Code: "OK"}}
	if diff := cmp.Diff(want, auditEvents(t, s), cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Resources" }, cmp.Ignore())); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
}

func TestRolledBackWriteIsAuditedWithItsFailure(t *testing.T) {
	t.Parallel()
	s := pgtest.NewSchema(t, widgets)
	sink, stop := newSink(t, s)
	errBoom := errors.New("boom after the insert")
	err := call(sink, companyA, createWidget, &testingv1.GetWidgetRequest{}, func(ctx context.Context, _ any) (any, error) {
		return nil, s.App.WithTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "insert into widgets (id) values ($1)", widget); err != nil {
				return err
			}
			return errBoom
		})
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("call error = %v", err)
	}
	stop() // the final flush writes the queued record
	got := auditEvents(t, s)
	if len(got) != 1 || got[0].Code != "INTERNAL" || got[0].Method != createWidget {
		t.Errorf("outbox = %+v, want one INTERNAL record of the failed create", got)
	}
	var widgets int
	if err := s.Super.QueryRow(context.Background(), "select count(*) from widgets").Scan(&widgets); err != nil {
		t.Fatal(err)
	}
	if widgets != 0 {
		t.Errorf("%d widgets after the rollback", widgets)
	}
}

func TestCreatedResourceIsNamedInTheRecord(t *testing.T) {
	t.Parallel()
	s := pgtest.NewSchema(t, widgets)
	sink, err := auditsink.New(auditsink.Config{DB: s.App, Service: "probe"})
	if err != nil {
		t.Fatal(err)
	}
	// The id is noted before the transaction commits, as an event recorder
	// inside the unit of work does.
	err = call(sink, companyA, createWidget, &testingv1.GetWidgetRequest{}, func(ctx context.Context, _ any) (any, error) {
		return nil, s.App.InTx(ctx, func(ctx context.Context) error {
			audit.NoteResource(ctx, "id", widget)
			_, err := insertWidget(s.App)(ctx, nil)
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := auditEvents(t, s)
	if len(got) != 1 || got[0].Resources["id"] != widget {
		t.Errorf("outbox = %+v, want one record naming id %s", got, widget)
	}
}

func TestReadsAndRefusalsAreBatchedPerTenant(t *testing.T) {
	t.Parallel()
	s := pgtest.NewSchema(t, widgets)
	sink, stop := newSink(t, s)
	read := func(context.Context, any) (any, error) { return &testingv1.Widget{Id: widget}, nil }
	calls := []struct{ company, code string }{
		{companyA, "OK"}, {companyB, "OK"}, {"", "OK"}, {companyA, "OK"}, {companyB, "OK"},
	}
	for _, c := range calls {
		if err := call(sink, c.company, getWidget, &testingv1.GetWidgetRequest{Id: widget}, read); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(waitLimit)
	var got []outboxRecord
	for time.Now().Before(deadline) {
		if got = auditEvents(t, s); len(got) == len(calls) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	count := map[string]int{}
	for _, r := range got {
		if r.Method != getWidget || r.Resources["id"] != widget {
			t.Errorf("unexpected record %+v", r)
		}
		count[r.Company]++
	}
	if diff := cmp.Diff(map[string]int{companyA: 2, companyB: 2, "": 1}, count); diff != "" {
		t.Errorf("records per tenant (-want +got):\n%s", diff)
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	if _, err := auditsink.New(auditsink.Config{Service: "probe"}); err == nil {
		t.Error("New accepted a config without a database")
	}
}

// TestCommitReturnsOnceTheRecordIsInTheOutbox has 32 callers wait for their
// records at once: each finds its own record committed when Commit returns,
// and they shared commits (fewer outbox events than callers is what a group
// commit gives; one event per caller would also be correct, so only the
// records are asserted).
func TestCommitReturnsOnceTheRecordIsInTheOutbox(t *testing.T) {
	t.Parallel()
	s := pgtest.NewSchema(t, widgets)
	sink, err := auditsink.New(auditsink.Config{DB: s.App, Service: "probe", FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx) }()
	defer func() { cancel(); <-done }()

	const callers = 32
	errs := make(chan error, callers)
	for i := range callers {
		go func() {
			id := fmt.Sprintf("commit-%02d", i)
			if err := sink.Commit(ctx, audit.Record{RequestID: id, CompanyID: companyA, Method: getWidget, Code: "OK", Time: time.Now()}); err != nil {
				errs <- err
				return
			}
			var n int
			err := s.Super.QueryRow(ctx, `select count(*) from outbox where position($1::bytea in payload) > 0`, []byte(id)).Scan(&n)
			if err == nil && n != 1 {
				err = fmt.Errorf("record %s is in %d outbox events after Commit returned, want 1", id, n)
			}
			errs <- err
		}()
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := len(auditEvents(t, s)); got != callers {
		t.Errorf("%d records in the outbox, want %d", got, callers)
	}
}

// TestCommitFailsWhenTheRecordCannotBeWritten: with no flusher running the
// record never commits, and the caller learns it when its context ends, so
// the interceptor withholds the answer.
func TestCommitFailsWhenTheRecordCannotBeWritten(t *testing.T) {
	t.Parallel()
	s := pgtest.NewSchema(t, widgets)
	sink, err := auditsink.New(auditsink.Config{DB: s.App, Service: "probe"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	intercept := audit.UnaryServerInterceptor(sink, nil, audit.DurableWhen(func(string) bool { return true }))
	resp, err := intercept(ctx, &testingv1.GetWidgetRequest{Id: widget}, &grpc.UnaryServerInfo{FullMethod: getWidget},
		func(context.Context, any) (any, error) { return &testingv1.Widget{Id: widget}, nil })
	if status.Code(err) != codes.Unavailable || resp != nil {
		t.Errorf("answer %v, error %v; want no answer and UNAVAILABLE", resp, err)
	}
}
