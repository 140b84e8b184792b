package auditsink

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
)

// flushTimeout bounds one batch's transaction.
const flushTimeout = 10 * time.Second

// Run flushes queued records to the outbox until ctx ends, then flushes
// what is left (bounded by flushTimeout) and returns nil. A batch that
// cannot be written is retried with backoff; while it is, new records wait
// in the queue and, when that is full, go to the log.
func (s *Sink) Run(ctx context.Context) error {
	ticker := time.NewTicker(s.cfg.FlushInterval)
	defer ticker.Stop()
	var batch []audit.Record
	failures := 0
	for {
		select {
		case <-ctx.Done():
			batch = s.drain(batch)
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
			if err := s.flush(final, batch); err != nil {
				s.cfg.Logger.Error("audit records lost at shutdown: the final flush failed",
					slog.Int("records", len(batch)), slog.Any("error", err))
				for _, r := range batch {
					s.overflow.Write(final, r)
				}
			}
			cancel()
			return nil
		case r := <-s.queue:
			batch = append(batch, r)
			if len(batch) < s.cfg.BatchSize {
				continue
			}
		case <-ticker.C:
		}
		batch = s.drain(batch)
		if len(batch) == 0 {
			continue
		}
		if err := s.flush(ctx, batch); err != nil {
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

// drain moves queued records into batch, up to the batch size.
func (s *Sink) drain(batch []audit.Record) []audit.Record {
	for len(batch) < s.cfg.BatchSize {
		select {
		case r := <-s.queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// flush writes batch to the outbox in one transaction, each record under
// its own tenant (the outbox accepts a row only for the transaction's
// tenant, or tenant-less rows with none set).
func (s *Sink) flush(ctx context.Context, batch []audit.Record) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, flushTimeout)
	defer cancel()
	byTenant := map[string][]bus.Message{}
	var order []string
	for _, r := range batch {
		msg, err := s.message(ctx, r)
		if err != nil {
			return err
		}
		if _, seen := byTenant[r.CompanyID]; !seen {
			order = append(order, r.CompanyID)
		}
		byTenant[r.CompanyID] = append(byTenant[r.CompanyID], msg)
	}
	// Run's context carries no principal, so the transaction starts with
	// no tenant; SetTenant picks each group's.
	err := s.cfg.DB.WithTx(ctx, func(tx pgx.Tx) error {
		for _, tenant := range order {
			if err := postgres.SetTenant(ctx, tx, tenant); err != nil {
				return err
			}
			if err := outbox.Append(ctx, tx, byTenant[tenant]...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.metrics.queued.Sub(float64(len(batch)))
	s.metrics.records.WithLabelValues("batched").Add(float64(len(batch)))
	return nil
}
