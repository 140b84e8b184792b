package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/postgres"
)

// beginSQL opens the relay's transactions with the tenant explicitly
// cleared, in the BEGIN round trip: the relay's scope is "no tenant", and a
// tenant left on a pooled session by a bug elsewhere must not shrink it to
// one company's events.
//
// It also makes the round's statements plan for the table as it is now,
// and keeps them on the indexes. The outbox swings from empty to a large
// backlog and back within minutes, faster than statistics follow (and
// without them where autovacuum is off), and the plans the planner picks
// for a table it believes tiny are quadratic or worse at scale: a generic
// plan cached while the outbox was small (a nested loop over a sequential
// scan) took 2 s to mark a batch at 30,000 rows; the claim sorted the
// whole backlog, on disk, to take its first 256 rows. A fresh plan costs
// well under a millisecond a round, and without sorting the claim reads
// the unsent index in publish order and stops after one batch.
//
// The round commits without waiting for its WAL to reach disk
// (synchronous_commit off): a mark lost in a database crash only publishes
// those events again, which consumers already de-duplicate, and the round
// no longer waits out a flush before the next batch can leave.
const beginSQL = "begin isolation level read committed; select set_config('" + postgres.TenantSetting + "', '', true), " +
	"set_config('plan_cache_mode', 'force_custom_plan', true), set_config('enable_sort', 'off', true), " +
	"set_config('synchronous_commit', 'off', true)"

// claimSQL locks the next batch of due events in publish order. SKIP LOCKED
// lets another replica take the following batch instead of waiting for
// this one.
const claimSQL = `
select id, type, payload_type, company_id, source, occur_time, payload, trace, attempts
from outbox
where sent_at is null and next_attempt_at <= now()
order by seq
limit $1
for update skip locked`

// markSentSQL marks a round's confirmed events sent.
const markSentSQL = `update outbox set sent_at = now() where id = any($1::uuid[])`

// markFailedSQL counts a failed attempt for each event the broker did not
// confirm, which then waits out its backoff (measured from the end of the
// attempt, not the start of the round). The id = any condition gives the
// planner a direct path to the rows whatever it estimates of the join.
const markFailedSQL = `
update outbox o set
    attempts        = o.attempts + 1,
    next_attempt_at = clock_timestamp() + r.delay_us * interval '1 microsecond',
    last_error      = r.error
from unnest($1::uuid[], $2::bigint[], $3::text[]) as r(id, delay_us, error)
where o.id = any($1::uuid[]) and o.id = r.id`

// maxErrorLen bounds last_error: enough to diagnose, not a stored novel.
const maxErrorLen = 1000

// roundResult counts what one round did.
type roundResult struct {
	claimed, confirmed int
}

// pending is a locked outbox row.
type pending struct {
	msg      bus.Message
	id       uuid.UUID
	attempts int
}

// round locks one batch, publishes it and marks the outcome, all in one
// transaction. If anything fails after the publish, the transaction rolls
// back, the rows stay unsent and are published again: at least once.
func (r *Relay) round(ctx context.Context) (res roundResult, err error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.RoundTimeout)
	defer cancel()
	tx, err := r.cfg.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, BeginQuery: beginSQL})
	if err != nil {
		return res, fmt.Errorf("outbox: relay begin: %w", err)
	}
	defer func() {
		// After a commit this is a no-op; otherwise it releases the rows.
		if rbErr := tx.Rollback(context.WithoutCancel(ctx)); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) && err == nil {
			err = fmt.Errorf("outbox: relay rollback: %w", rbErr)
		}
	}()

	batch, err := claim(ctx, tx, r.cfg.BatchSize)
	if err != nil {
		return res, err
	}
	res.claimed = len(batch)
	if len(batch) == 0 {
		return res, nil
	}
	r.metrics.batchSize.Observe(float64(len(batch)))

	msgs := make([]bus.Message, len(batch))
	for i, p := range batch {
		msgs[i] = p.msg
	}
	results := r.cfg.Publisher.Publish(ctx, msgs)
	if len(results) != len(msgs) {
		// A broken publisher: trust none of its answers.
		err := fmt.Errorf("outbox: publisher answered %d results for %d events", len(results), len(msgs))
		results = make([]error, len(msgs))
		for i := range results {
			results[i] = err
		}
	}

	var (
		sent        []uuid.UUID
		failed      []uuid.UUID
		delays      []int64
		errs        []string
		firstFailed = -1
	)
	for i, p := range batch {
		if results[i] == nil {
			sent = append(sent, p.id)
			res.confirmed++
			continue
		}
		failed = append(failed, p.id)
		delays = append(delays, r.backoff(p.attempts).Microseconds())
		errs = append(errs, truncate(results[i].Error(), maxErrorLen))
		if firstFailed < 0 {
			firstFailed = i
		}
	}
	if firstFailed >= 0 {
		// One line per round, not per event: a broker outage would
		// otherwise log the whole batch every round.
		p := batch[firstFailed]
		r.log.WarnContext(ctx, "outbox relay: broker did not confirm events; they will be retried",
			slog.Int("failed", len(batch)-res.confirmed), slog.Int("batch", len(batch)),
			slog.String("first_event_id", p.msg.ID), slog.String("first_event_type", p.msg.Type),
			slog.Int("first_attempts", p.attempts+1), slog.Any("first_error", results[firstFailed]))
	}
	if len(sent) > 0 {
		if _, err := tx.Exec(ctx, markSentSQL, sent); err != nil {
			return res, fmt.Errorf("outbox: relay mark %d events sent: %w", len(sent), err)
		}
	}
	if len(failed) > 0 {
		if _, err := tx.Exec(ctx, markFailedSQL, failed, delays, errs); err != nil {
			return res, fmt.Errorf("outbox: relay mark %d events failed: %w", len(failed), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("outbox: relay commit: %w", err)
	}
	r.metrics.published.Add(float64(res.confirmed))
	r.metrics.failures.Add(float64(len(batch) - res.confirmed))
	return res, nil
}

// claim reads and locks the next batch.
func claim(ctx context.Context, tx pgx.Tx, limit int) ([]pending, error) {
	rows, err := tx.Query(ctx, claimSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: relay claim: %w", err)
	}
	batch, err := pgx.CollectRows(rows, scanPending)
	if err != nil {
		return nil, fmt.Errorf("outbox: relay claim: %w", err)
	}
	return batch, nil
}

func scanPending(row pgx.CollectableRow) (pending, error) {
	var (
		p       pending
		company pgtype.UUID
		at      time.Time
		trace   []byte
	)
	if err := row.Scan(&p.id, &p.msg.Type, &p.msg.PayloadType, &company, &p.msg.Source,
		&at, &p.msg.Payload, &trace, &p.attempts); err != nil {
		return pending{}, err
	}
	p.msg.ID = p.id.String()
	if company.Valid {
		p.msg.CompanyID = uuid.UUID(company.Bytes).String()
	}
	p.msg.OccurTime = at.UTC()
	if len(trace) > 0 {
		if err := json.Unmarshal(trace, &p.msg.Trace); err != nil {
			return pending{}, fmt.Errorf("event %s: trace context: %w", p.msg.ID, err)
		}
	}
	return p, nil
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
