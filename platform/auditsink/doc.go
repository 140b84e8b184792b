// Package auditsink is the durable audit sink: it turns audit records into
// AuditRecordBatch events ("<service>.audit.recorded.v2") in the service's
// transactional outbox, from where the relay carries them to notify's
// hash-chained trail.
//
// Three paths, one per kind of call:
//
//   - A call that changes data writes its record inside the change's own
//     transaction (the sink is an audit.TxBinder and hooks the commit of
//     the first read-write transaction the call runs), as a batch of one,
//     so a committed write is never unaudited and a rolled-back one leaves
//     no record claiming it happened.
//   - A call whose answer discloses PHI (audit.Committer) waits for its
//     record to be committed before the answer leaves. Callers waiting at
//     the same time share one commit: the flusher commits everything queued
//     as soon as its previous commit returns, the way Postgres's own group
//     commit shares a WAL flush, so the wait is one commit, not a queue of
//     them.
//   - Every other call — other reads, refusals, failures — is queued in
//     memory and flushed with the next batch, at the latest FlushInterval
//     later, so the read path pays for a channel send.
//
// Each flush is one transaction writing one outbox event, whatever the
// tenants of its records: the event belongs to no tenant and every record
// names its own. Every record carries an id assigned once, when the call
// ends, so a batch that reaches notify twice appends each record once.
//
// The third path has a loss window: records queued but not yet flushed
// (at most FlushInterval's worth, plus whatever accumulates while Postgres
// is unreachable, bounded by Buffer) are lost if the process is killed. A
// graceful shutdown flushes them. When the queue is full a record is written
// to the structured log instead and counted, never silently dropped.
package auditsink
