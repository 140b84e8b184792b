// Package audit gives every RPC an audit record — who, for which tenant,
// called what, on which resources, from where, with what outcome — as HIPAA's
// audit-controls safeguard requires. The interceptor wraps the rest of the
// chain, so calls refused by authentication, authorization, rate limiting or
// validation are recorded too, not only the ones that reach a handler.
//
// Records go to a Sink. The durable sink (records travelling through the
// transactional outbox to the hash-chained trail) plugs in behind the same
// interface; MemorySink serves tests and LogSink keeps records in the
// structured log until then.
package audit

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// Record is one audited call. It never contains request payloads, so no PHI
// value can leak into the trail: resources are named by id only.
type Record struct {
	// Time the call started.
	Time time.Time
	// RequestID correlates the record with logs and the client's response.
	RequestID string
	// Actor is the principal's subject (user id, API key id or service), or
	// empty when the caller was not authenticated.
	Actor string
	// ActorKind is "user", "api_key", "service" or empty.
	ActorKind string
	// CompanyID is the tenant the call acted for, from the verified token.
	CompanyID string
	// Method is the full gRPC method, "/ariesone.clinical.v1.PatientService/GetPatient".
	Method string
	// Resources maps request and response id fields to their values, for
	// example {"id": "0190...", "patient_id": "0190..."}.
	Resources map[string]string
	// Code is the canonical status code name of the outcome ("OK", "NOT_FOUND").
	Code string
	// ClientAddr is the peer address of the caller.
	ClientAddr string
	// Duration of the call.
	Duration time.Duration
}

// Sink receives audit records. Implementations must not block the calling
// request for long; a sink that needs I/O batches.
type Sink interface {
	Write(ctx context.Context, r Record)
}

// TxBinder is implemented by a sink that writes the record of a call that
// changes data inside the change's own transaction, so a committed write is
// never unaudited. Bind runs before the handler; pending builds the record
// as it stands (outcome OK, or what NoteOutcome announced: it is only
// written if the change commits). The
// sink must then skip the Write that ends the same call, since its record
// is already in the transaction.
type TxBinder interface {
	Bind(ctx context.Context, pending func() Record) context.Context
}

// Committer is implemented by a sink that can make a record durable while
// the call waits: Commit returns once r is committed (or was already, in the
// call's own transaction), or with the reason it could not be. A record
// whose commit failed may still be written later; the trail can then show
// an answer the caller never received, never the reverse.
type Committer interface {
	Commit(ctx context.Context, r Record) error
}

// MemorySink keeps records in memory; tests read them back.
type MemorySink struct {
	mu      sync.Mutex
	records []Record
}

// Write appends r.
func (m *MemorySink) Write(_ context.Context, r Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, r)
}

// Records returns a copy of everything written so far.
func (m *MemorySink) Records() []Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.records)
	for i := range out {
		out[i].Resources = maps.Clone(out[i].Resources)
	}
	return out
}

// LogSink writes each record as one structured log line at info level with
// the message "audit". The call's start is logged as "start": "time" is the
// handler's own key, and a second "time" would make the line a JSON object
// with a duplicate key, which log stores read inconsistently or reject.
type LogSink struct {
	Logger *slog.Logger
}

// Write logs r.
func (l LogSink) Write(ctx context.Context, r Record) {
	l.Logger.LogAttrs(ctx, slog.LevelInfo, "audit",
		slog.Time("start", r.Time),
		slog.String("request_id", r.RequestID),
		slog.String("actor", r.Actor),
		slog.String("actor_kind", r.ActorKind),
		slog.String("company_id", r.CompanyID),
		slog.String("method", r.Method),
		slog.Any("resources", r.Resources),
		slog.String("code", r.Code),
		slog.String("client_addr", r.ClientAddr),
		slog.Duration("duration", r.Duration),
	)
}
