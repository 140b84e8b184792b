// Package auditsink is the durable audit sink: it turns each audit record
// into an AuditRecorded event in the service's transactional outbox, from
// where the relay carries it to notify's hash-chained trail.
//
// Two paths, one per kind of call:
//
//   - A call that changes data writes its record inside the change's own
//     transaction (the sink is an audit.TxBinder and hooks the commit of
//     the first read-write transaction the call runs), so a committed write
//     is never unaudited and a rolled-back one leaves no record claiming it
//     happened.
//   - Every other call — reads (PHI reads included), refusals, failures —
//     is queued in memory and flushed to the outbox in batches, so the read
//     path pays for a channel send, not a database round trip.
//
// The second path has a loss window: records queued but not yet flushed
// (at most FlushInterval's worth, plus whatever accumulates while Postgres
// is unreachable, bounded by Buffer) are lost if the process is killed. A
// graceful shutdown flushes them. When the queue is full a record is written
// to the structured log instead and counted, never silently dropped.
package auditsink
