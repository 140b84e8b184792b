package auditsink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
)

// Defaults of Config.
const (
	DefaultFlushInterval = 200 * time.Millisecond
	DefaultBatchSize     = 500
	DefaultBuffer        = 20000
)

// EventType returns the routing key of the audit record batches service
// publishes: "company.audit.recorded.v2".
func EventType(service string) string { return service + ".audit.recorded.v2" }

// Config configures a Sink.
type Config struct {
	// DB is the service's database; records go to its outbox.
	DB *postgres.DB
	// Service names the service in the records and the event type.
	Service string
	// FlushInterval bounds how long a queued record waits for its batch
	// (the loss window of a crash).
	FlushInterval time.Duration
	// BatchSize is the most records flushed in one transaction.
	BatchSize int
	// Buffer is how many records may wait in memory.
	Buffer int
	// Logger receives records that cannot be queued and flush failures.
	Logger *slog.Logger
	// Registerer, when set, gets the sink's metrics.
	Registerer prometheus.Registerer
}

// Sink is the durable audit sink. Run must be running for queued records
// to reach the outbox.
type Sink struct {
	cfg      Config
	queue    chan entry
	overflow audit.LogSink
	metrics  *metrics
}

// entry is a record waiting for its batch, with the id it keeps through
// retries and, when its caller waits for the commit (Commit), where the
// outcome is sent.
type entry struct {
	record audit.Record
	id     string
	done   chan error
}

// newEntry gives r its record id.
func newEntry(r audit.Record) entry {
	return entry{record: r, id: uuid.Must(uuid.NewV7()).String()}
}

// New returns a sink; start its Run.
func New(cfg Config) (*Sink, error) {
	if cfg.DB == nil || cfg.Service == "" {
		return nil, errors.New("auditsink: DB and Service are required")
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultBuffer
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	return &Sink{
		cfg:      cfg,
		queue:    make(chan entry, cfg.Buffer),
		overflow: audit.LogSink{Logger: cfg.Logger},
		metrics:  m,
	}, nil
}

type bindingKey struct{}

// binding is one call's chance to write its record in its transaction.
type binding struct {
	sink    *Sink
	pending func() audit.Record

	mu       sync.Mutex
	appended bool   // appended in the transaction now committing
	written  bool   // committed
	code     string // outcome of the record appended
}

// Bind implements audit.TxBinder: the first read-write transaction the call
// commits carries its record.
func (s *Sink) Bind(ctx context.Context, pending func() audit.Record) context.Context {
	b := &binding{sink: s, pending: pending}
	ctx = context.WithValue(ctx, bindingKey{}, b)
	return postgres.WithCommitHook(ctx, b)
}

// BeforeCommit appends the record unless an earlier transaction of the call
// already committed it.
func (b *binding) BeforeCommit(ctx context.Context, tx pgx.Tx) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.appended = false
	if b.written {
		return nil
	}
	rec := b.pending()
	// A batch of one, under the transaction's tenant, which is the
	// record's: the outbox accepts only the transaction's tenant.
	msg, err := b.sink.message(ctx, rec.CompanyID, []entry{newEntry(rec)})
	if err != nil {
		return err
	}
	if err := outbox.Append(ctx, tx, msg); err != nil {
		return fmt.Errorf("auditsink: append the call's record: %w", err)
	}
	b.appended, b.code = true, rec.Code
	return nil
}

// AfterCommit marks the record written.
func (b *binding) AfterCommit() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.appended {
		b.written = true
		b.sink.metrics.records.WithLabelValues("transaction").Inc()
	}
}

// writtenCode reports whether the call's record is committed, and with
// which outcome.
func (b *binding) writtenCode() (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.code, b.written
}

// Write implements audit.Sink. A call whose record is already in its
// committed transaction is done; any other is queued for the next batch.
func (s *Sink) Write(ctx context.Context, r audit.Record) {
	if s.committedWithCall(ctx, r) {
		return
	}
	select {
	case s.queue <- newEntry(r):
		s.metrics.queued.Inc()
	default:
		s.metrics.records.WithLabelValues("overflow_logged").Inc()
		s.overflow.Write(ctx, r)
	}
}

// Commit implements audit.Committer: it queues r and returns once the batch
// holding it has committed, or when ctx ends first. A call whose record is
// already in its committed transaction returns at once. The caller waits
// for room in a full queue rather than see its record logged instead.
func (s *Sink) Commit(ctx context.Context, r audit.Record) error {
	if s.committedWithCall(ctx, r) {
		return nil
	}
	e := newEntry(r)
	e.done = make(chan error, 1)
	select {
	case s.queue <- e:
		s.metrics.queued.Inc()
	case <-ctx.Done():
		return fmt.Errorf("auditsink: queue the record: %w", context.Cause(ctx))
	}
	select {
	case err := <-e.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("auditsink: wait for the record's commit: %w", context.Cause(ctx))
	}
}

// committedWithCall reports whether the call's record is in a transaction
// the call committed; a different outcome since is logged, not recorded.
func (s *Sink) committedWithCall(ctx context.Context, r audit.Record) bool {
	b, ok := ctx.Value(bindingKey{}).(*binding)
	if !ok {
		return false
	}
	code, written := b.writtenCode()
	if !written {
		return false
	}
	if r.Code != code {
		// The change committed and is audited as such; what failed
		// afterwards (sending the response) is only logged.
		s.cfg.Logger.WarnContext(ctx, "call ended otherwise than its committed audit record says",
			slog.String("method", r.Method), slog.String("recorded", code), slog.String("code", r.Code),
			slog.String("request_id", r.RequestID))
	}
	return true
}

// message turns entries into one batch event of tenant (empty: a batch of
// any tenants, which belongs to none).
func (s *Sink) message(ctx context.Context, tenant string, entries []entry) (bus.Message, error) {
	batch := &auditv1.AuditRecordBatch{Records: make([]*auditv1.AuditRecorded, len(entries))}
	for i, e := range entries {
		r := e.record
		batch.Records[i] = &auditv1.AuditRecorded{
			RecordId:   e.id,
			RequestId:  r.RequestID,
			ActorId:    r.Actor,
			ActorKind:  r.ActorKind,
			CompanyId:  r.CompanyID,
			Method:     r.Method,
			Resources:  r.Resources,
			Code:       r.Code,
			ClientAddr: r.ClientAddr,
			CallTime:   timestamppb.New(r.Time),
			Duration:   durationpb.New(r.Duration),
			Service:    s.cfg.Service,
		}
	}
	msg, err := outbox.NewMessage(ctx, s.cfg.Service, EventType(s.cfg.Service), tenant, batch, time.Now())
	if err != nil {
		return bus.Message{}, fmt.Errorf("auditsink: %w", err)
	}
	return msg, nil
}
