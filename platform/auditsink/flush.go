package auditsink

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/outbox"
)

// flushTimeout bounds one batch's transaction.
const flushTimeout = 10 * time.Second

// Run flushes queued records to the outbox until ctx ends, then flushes
// what is left (bounded by flushTimeout) and returns nil.
//
// A batch is flushed when it is full, when FlushInterval has passed, or at
// once when a caller waits for its record (Commit). Records arriving while
// a commit runs wait in the queue and go in the next one, which starts as
// soon as the previous returns: waiting callers share commits. A batch that
// cannot be written is retried with backoff; its waiting callers are told
// at once (their answers are withheld) while their records stay in the
// batch, and new records wait in the queue and, when that is full, go to
// the log.
func (s *Sink) Run(ctx context.Context) error {
	ticker := time.NewTicker(s.cfg.FlushInterval)
	defer ticker.Stop()
	var batch []entry
	failures := 0
	for {
		select {
		case <-ctx.Done():
			s.shutdown(ctx, s.drain(batch))
			return nil
		case e := <-s.queue:
			batch = append(batch, e)
			if e.done == nil && len(batch) < s.cfg.BatchSize {
				continue
			}
		case <-ticker.C:
		}
		batch = s.drain(batch)
		if len(batch) == 0 {
			continue
		}
		err := s.flush(ctx, batch)
		answer(batch, err)
		if err != nil {
			failures++
			s.cfg.Logger.Warn("flushing audit records failed; retrying", slog.Int("records", len(batch)), slog.Any("error", err))
			wait := min(s.cfg.FlushInterval<<min(failures, 6), 10*time.Second)
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			continue
		}
		failures = 0
		batch = batch[:0]
	}
}

// shutdown flushes the last batch with a context of its own; what cannot be
// written goes to the log.
func (s *Sink) shutdown(ctx context.Context, batch []entry) {
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
	defer cancel()
	err := s.flush(final, batch)
	answer(batch, err)
	if err != nil {
		s.cfg.Logger.Error("audit records lost at shutdown: the final flush failed",
			slog.Int("records", len(batch)), slog.Any("error", err))
		for _, e := range batch {
			s.overflow.Write(final, e.record)
		}
	}
}

// answer tells the callers waiting on batch's records how its flush went,
// once: a record kept for a retry has no one waiting any more.
func answer(batch []entry, err error) {
	for i := range batch {
		if batch[i].done != nil {
			batch[i].done <- err
			batch[i].done = nil
		}
	}
}

// drain moves queued records into batch, up to the batch size.
func (s *Sink) drain(batch []entry) []entry {
	for len(batch) < s.cfg.BatchSize {
		select {
		case e := <-s.queue:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}

// flush writes batch to the outbox as one event in one transaction. Run's
// context carries no principal, so the transaction has no tenant, as the
// outbox requires of an event that belongs to none.
func (s *Sink) flush(ctx context.Context, batch []entry) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, flushTimeout)
	defer cancel()
	msg, err := s.message(ctx, "", batch)
	if err != nil {
		return err
	}
	if err := s.cfg.DB.WithTx(ctx, func(tx pgx.Tx) error { return outbox.Append(ctx, tx, msg) }); err != nil {
		return err
	}
	s.metrics.queued.Sub(float64(len(batch)))
	s.metrics.records.WithLabelValues("batched").Add(float64(len(batch)))
	return nil
}
