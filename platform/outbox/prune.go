package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ariesone/ariesone/platform/postgres"
)

// pruneSQL deletes one chunk of the oldest sent events past retention.
// SKIP LOCKED lets replicas pruning at the same moment split the rows
// instead of queueing behind each other.
const pruneSQL = `
delete from outbox where id in (
    select id from outbox
    where sent_at < now() - $1::bigint * interval '1 microsecond'
    order by sent_at
    limit $2
    for update skip locked)`

// Prune deletes events sent more than retention ago, chunk rows per
// statement (each its own short transaction), and reports how many went.
// Unsent events are never pruned, however old. It must run outside any
// tenant transaction (on the runtime pool, say): row-level security lets
// only a transaction without a tenant delete outbox rows.
func Prune(ctx context.Context, q postgres.Querier, retention time.Duration, chunk int) (int64, error) {
	if retention <= 0 {
		return 0, fmt.Errorf("outbox: prune: retention %s must be positive", retention)
	}
	if chunk <= 0 {
		return 0, fmt.Errorf("outbox: prune: chunk %d must be positive", chunk)
	}
	var total int64
	for {
		tag, err := q.Exec(ctx, pruneSQL, retention.Microseconds(), chunk)
		if err != nil {
			return total, fmt.Errorf("outbox: prune: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < int64(chunk) {
			return total, nil
		}
	}
}

// pruneEvery runs Prune every PruneInterval until ctx ends, starting one
// interval after the relay starts.
func (r *Relay) pruneEvery(ctx context.Context) {
	ticker := time.NewTicker(r.cfg.PruneInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		n, err := Prune(ctx, r.cfg.Pool, r.cfg.Retention, r.cfg.PruneChunk)
		r.metrics.pruned.Add(float64(n))
		if err != nil && !errors.Is(err, context.Canceled) {
			r.log.WarnContext(ctx, "outbox relay: prune failed", slog.Any("error", err))
		}
	}
}
