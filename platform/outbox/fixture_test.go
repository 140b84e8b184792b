package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// Two tenants, as UUIDs like the ones company issues.
const (
	companyA = "0195f3a2-0000-7000-8000-00000000000a"
	companyB = "0195f3a2-0000-7000-8000-00000000000b"
)

// codeInsufficientPrivilege is the SQLSTATE of a row-level security
// violation.
const codeInsufficientPrivilege = "42501"

// waitLimit bounds every wait for something asynchronous. It is a deadline
// against hanging, not a timing assertion: the waits end as soon as the
// awaited thing happens.
const waitLimit = 20 * time.Second

// fixture is one migrated schema on a fresh database, set up as production
// runs it: a non-superuser owner migrates, the service runs as a login role
// that owns nothing and is bound by row-level security.
type fixture struct {
	schema string
	// super bypasses row-level security, to inspect and arrange rows
	// behind the back of the role under test.
	super *pgxpool.Pool
	app   *postgres.DB
}

// notesMigration is a tenant table standing for a service's domain data.
const notesMigration = `
-- +goose Up
create table notes (
    id         uuid primary key,
    company_id uuid not null,
    body       text not null
);
alter table notes enable row level security;
alter table notes force row level security;
create policy tenant_isolation on notes
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
do $$ begin execute format('grant select, insert, update, delete on notes to %I', current_schema() || '_app'); end $$;
`

func newFixture(t testing.TB) fixture {
	t.Helper()
	s := pgtest.NewSchema(t, fstest.MapFS{"00001_notes.sql": &fstest.MapFile{Data: []byte(notesMigration)}})
	return fixture{schema: s.Name, super: s.Super, app: s.App}
}

// tenantCtx is a request context authenticated as a user of companyID.
func tenantCtx(companyID string) context.Context {
	return identity.NewContext(context.Background(), identity.Principal{
		Subject:   "user-of-" + companyID,
		CompanyID: companyID,
		Roles:     []string{"admin"},
		Kind:      identity.KindUser,
	})
}

// newEvent builds an event of companyID ("" for none) whose payload names
// it, so a test can tell events apart in failure output.
func newEvent(t testing.TB, companyID, label string) bus.Message {
	t.Helper()
	m, err := outbox.NewMessage(context.Background(), "notes", "notes.note.created.v1", companyID,
		wrapperspb.String(label), time.Now())
	if err != nil {
		t.Fatalf("NewMessage: %v", err)
	}
	return m
}

// appendInTx appends msgs in a unit of work of companyID ("" for a
// transaction without tenant) that also inserts a note, as a use case
// would.
func appendInTx(t testing.TB, f fixture, companyID string, msgs ...bus.Message) {
	t.Helper()
	ctx := context.Background()
	if companyID != "" {
		ctx = tenantCtx(companyID)
	}
	err := f.app.InTx(ctx, func(ctx context.Context) error {
		if companyID != "" {
			tx, _ := postgres.TxFromContext(ctx)
			if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'x')",
				uuid.New(), companyID); err != nil {
				return err
			}
		}
		return outbox.AppendFromContext(ctx, msgs...)
	})
	if err != nil {
		t.Fatalf("append in a transaction of %q: %v", companyID, err)
	}
}

// sqlState returns the SQLSTATE of a Postgres error, or "".
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// recordingPublisher is an in-test bus.Publisher: it records what it
// confirms, and fail decides which messages it refuses.
type recordingPublisher struct {
	// fail returns the error for a message on its n-th attempt (1-based),
	// or nil to confirm it. Nil confirms everything.
	fail func(m bus.Message, attempt int) error
	// gate, when set, runs at the start of every Publish.
	gate func(ctx context.Context)

	mu        sync.Mutex
	confirmed []bus.Message
	batches   [][]string // ids per Publish call, confirmed or not
	attempts  map[string]int
	changed   chan struct{}
}

func newRecordingPublisher() *recordingPublisher {
	return &recordingPublisher{attempts: map[string]int{}, changed: make(chan struct{}, 1)}
}

func (p *recordingPublisher) Publish(ctx context.Context, msgs []bus.Message) []error {
	if p.gate != nil {
		p.gate(ctx)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	results := make([]error, len(msgs))
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
		p.attempts[m.ID]++
		if p.fail != nil {
			results[i] = p.fail(m, p.attempts[m.ID])
		}
		if results[i] == nil {
			p.confirmed = append(p.confirmed, m)
		}
	}
	p.batches = append(p.batches, ids)
	select {
	case p.changed <- struct{}{}:
	default:
	}
	return results
}

// waitConfirmed waits until at least n messages were confirmed and returns
// them in confirmation order.
func (p *recordingPublisher) waitConfirmed(t testing.TB, n int) []bus.Message {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		p.mu.Lock()
		got := append([]bus.Message(nil), p.confirmed...)
		p.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-p.changed:
		case <-deadline:
			t.Fatalf("%d events confirmed after %s, want %d", len(got), waitLimit, n)
		}
	}
}

// firstBatch returns the ids of the first Publish call.
func (p *recordingPublisher) firstBatch() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.batches) == 0 {
		return nil
	}
	return p.batches[0]
}

func (p *recordingPublisher) confirmedIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, len(p.confirmed))
	for i, m := range p.confirmed {
		ids[i] = m.ID
	}
	return ids
}

// runRelay starts relay.Run and returns a function that stops it and
// checks that Run returned nil.
func runRelay(t testing.TB, relay *outbox.Relay) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v, want nil", err)
				}
			case <-time.After(waitLimit):
				t.Errorf("Run did not return within %s of its context ending", waitLimit)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func ids(msgs []bus.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// errRefused is the publisher's refusal in tests.
var errRefused = fmt.Errorf("%w (test)", bus.ErrNacked)
