package auditsink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

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

// EventType returns the routing key of the audit records service publishes:
// "company.audit.recorded.v1".
func EventType(service string) string { return service + ".audit.recorded.v1" }

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
	queue    chan audit.Record
	overflow audit.LogSink
	metrics  *metrics
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
		queue:    make(chan audit.Record, cfg.Buffer),
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
	msg, err := b.sink.message(ctx, rec)
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
	if b, ok := ctx.Value(bindingKey{}).(*binding); ok {
		if code, written := b.writtenCode(); written {
			if r.Code != code {
				// The change committed and is audited as such; what failed
				// afterwards (sending the response) is only logged.
				s.cfg.Logger.WarnContext(ctx, "call ended otherwise than its committed audit record says",
					slog.String("method", r.Method), slog.String("recorded", code), slog.String("code", r.Code),
					slog.String("request_id", r.RequestID))
			}
			return
		}
	}
	select {
	case s.queue <- r:
		s.metrics.queued.Inc()
	default:
		s.metrics.records.WithLabelValues("overflow_logged").Inc()
		s.overflow.Write(ctx, r)
	}
}

// message turns a record into its outbox event.
func (s *Sink) message(ctx context.Context, r audit.Record) (bus.Message, error) {
	payload := &auditv1.AuditRecorded{
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
	msg, err := outbox.NewMessage(ctx, s.cfg.Service, EventType(s.cfg.Service), r.CompanyID, payload, time.Now())
	if err != nil {
		return bus.Message{}, fmt.Errorf("auditsink: %w", err)
	}
	return msg, nil
}
