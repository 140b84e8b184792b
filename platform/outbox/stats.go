package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
)

// beginReadOnlySQL is beginSQL for the statistics query.
const beginReadOnlySQL = "begin isolation level read committed read only; select set_config('" + postgres.TenantSetting + "', '', true)"

// statsSQL reads the gauges and when the next retry falls due (null when
// nothing waits), relative to the database's clock so the application's
// clock skew does not matter. It reads only unsent rows, through their
// index.
const statsSQL = `
select count(*),
       coalesce(extract(epoch from now() - min(created_at)), 0)::float8,
       extract(epoch from min(next_attempt_at) - clock_timestamp())::float8
from outbox
where sent_at is null`

// refreshGauges updates the lag and unsent gauges and returns how long
// until the earliest unsent event is due, or nil when there is none.
func (r *Relay) refreshGauges(ctx context.Context) (*time.Duration, error) {
	var (
		unsent int64
		lag    float64
		dueIn  *float64
	)
	// A transaction, to clear any stray tenant as the rounds do: with one
	// the counts would cover a single company.
	tx, err := r.cfg.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadOnly, BeginQuery: beginReadOnlySQL})
	if err != nil {
		return nil, fmt.Errorf("outbox: statistics: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only; nothing to undo
	if err := tx.QueryRow(ctx, statsSQL).Scan(&unsent, &lag, &dueIn); err != nil {
		return nil, fmt.Errorf("outbox: statistics: %w", err)
	}
	r.metrics.unsent.Set(float64(unsent))
	r.metrics.lag.Set(lag)
	if dueIn == nil {
		return nil, nil
	}
	d := time.Duration(*dueIn * float64(time.Second))
	return &d, nil
}
