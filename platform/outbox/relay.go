package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/bus"
)

// Defaults of RelayConfig.
const (
	DefaultBatchSize       = 256
	DefaultPollInterval    = time.Second
	DefaultRetryBase       = time.Second
	DefaultRetryMax        = 5 * time.Minute
	DefaultRetention       = 7 * 24 * time.Hour
	DefaultPruneInterval   = time.Hour
	DefaultPruneChunk      = 1000
	DefaultRoundTimeout    = 30 * time.Second
	DefaultShutdownTimeout = 5 * time.Second
)

// minWait keeps the relay from spinning when rows are due but locked by
// another replica (which skips them back to us only once it commits).
const minWait = 50 * time.Millisecond

// RelayConfig says where a relay reads events and where it sends them.
// Zero values take the defaults above.
type RelayConfig struct {
	// Pool is the service's runtime pool, whose search_path is Schema. The
	// relay's transactions set no tenant, which is what lets them see
	// every tenant's events (see the outbox migration).
	Pool *pgxpool.Pool
	// Schema is the service's schema; it names the channel the relay
	// listens on.
	Schema string
	// Publisher takes events to the broker and reports its confirms.
	Publisher bus.Publisher
	// BatchSize is the most events locked and published in one round: the
	// bounded window of events in flight to the broker.
	BatchSize int
	// PollInterval is how often the relay looks for events when no
	// notification wakes it: the fallback if a notification is lost, for
	// instance while the listening connection is being re-established.
	PollInterval time.Duration
	// RetryBase and RetryMax bound the exponential backoff after a failed
	// publish: the n-th failure waits about RetryBase·2ⁿ⁻¹, at most
	// RetryMax, with jitter so that events refused together are not
	// retried together.
	RetryBase, RetryMax time.Duration
	// Retention is how long sent events stay in the table (for inspection
	// and replay) before pruning deletes them.
	Retention time.Duration
	// PruneInterval is how often pruning runs; PruneChunk bounds the rows
	// one delete statement removes, so pruning never holds many locks or
	// a long transaction.
	PruneInterval time.Duration
	PruneChunk    int
	// RoundTimeout bounds one round: lock, publish, mark, commit.
	RoundTimeout time.Duration
	// ShutdownTimeout bounds the last round run when Run's context ends.
	ShutdownTimeout time.Duration
	// Logger receives failures; nil discards them.
	Logger *slog.Logger
	// Registerer receives the relay's metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

// Relay publishes a service's committed events. Run it once per replica;
// replicas share the work.
type Relay struct {
	cfg     RelayConfig
	channel string
	log     *slog.Logger
	metrics *metrics
	// wake holds at most one pending wake-up: notifications arriving
	// while a round runs collapse into one more round.
	wake chan struct{}
	// statsAt is when the gauges were last refreshed; retryAt is when the
	// earliest unsent event fell due then (zero when none was waiting).
	// Only Run's loop uses them.
	statsAt, retryAt time.Time
}

// NewRelay checks cfg, fills in defaults and registers the metrics.
func NewRelay(cfg RelayConfig) (*Relay, error) {
	switch {
	case cfg.Pool == nil:
		return nil, errors.New("outbox: relay needs a pool")
	case cfg.Publisher == nil:
		return nil, errors.New("outbox: relay needs a publisher")
	case cfg.Schema == "":
		return nil, errors.New("outbox: relay needs the schema name")
	}
	defaultInt(&cfg.BatchSize, DefaultBatchSize)
	defaultInt(&cfg.PruneChunk, DefaultPruneChunk)
	defaultDuration(&cfg.PollInterval, DefaultPollInterval)
	defaultDuration(&cfg.RetryBase, DefaultRetryBase)
	defaultDuration(&cfg.RetryMax, DefaultRetryMax)
	defaultDuration(&cfg.Retention, DefaultRetention)
	defaultDuration(&cfg.PruneInterval, DefaultPruneInterval)
	defaultDuration(&cfg.RoundTimeout, DefaultRoundTimeout)
	defaultDuration(&cfg.ShutdownTimeout, DefaultShutdownTimeout)
	if cfg.RetryMax < cfg.RetryBase {
		return nil, fmt.Errorf("outbox: relay retry max %s is below retry base %s", cfg.RetryMax, cfg.RetryBase)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(cfg.Registerer, cfg.Schema)
	if err != nil {
		return nil, err
	}
	return &Relay{
		cfg:     cfg,
		channel: Channel(cfg.Schema),
		log:     logger.With(slog.String("schema", cfg.Schema)),
		metrics: m,
		wake:    make(chan struct{}, 1),
	}, nil
}

func defaultInt(v *int, d int) {
	if *v <= 0 {
		*v = d
	}
}

func defaultDuration(v *time.Duration, d time.Duration) {
	if *v <= 0 {
		*v = d
	}
}

// Run publishes events until ctx ends, then runs one last round (bounded by
// ShutdownTimeout) so events committed just before shutdown leave with
// this replica instead of waiting for the next one, and returns nil. A
// round in flight when ctx ends finishes first: its events were handed to
// the broker, and committing their marks saves publishing them again.
// Database or broker failures are logged and retried, never returned.
func (r *Relay) Run(ctx context.Context) error {
	listenCtx, stopListening := context.WithCancel(ctx)
	defer stopListening()
	listening := make(chan struct{})
	var wg sync.WaitGroup
	// Listen before the first round: an event committed after that round
	// looked is then sure to send a notification the relay hears.
	wg.Go(func() { r.listen(listenCtx, listening) })
	select {
	case <-listening:
	case <-ctx.Done():
	}
	wg.Go(func() { r.pruneEvery(listenCtx) })

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			stopListening()
			wg.Wait()
			r.flush(ctx)
			return nil
		case <-r.wake:
		case <-timer.C:
		}
		timer.Reset(r.drain(ctx))
	}
}

// Wake makes a running relay look for events now, as a notification would.
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// flush is the last round at shutdown, on a context of its own: Run's has
// ended.
func (r *Relay) flush(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ShutdownTimeout)
	defer cancel()
	if _, err := r.PublishPending(ctx); err != nil {
		r.log.WarnContext(ctx, "outbox relay: last round at shutdown failed; another replica or the next start publishes the rest",
			slog.Any("error", err))
	}
}

// drain runs rounds while they come back full and the broker confirms, then
// returns how long to wait before looking again: the poll interval, or less
// when a retry falls due sooner.
func (r *Relay) drain(ctx context.Context) time.Duration {
	// Rounds run on a context the end of Run does not cancel: a round
	// stopped between the broker's confirms and the commit of the marks
	// would have the batch published twice.
	roundCtx := context.WithoutCancel(ctx)
	failed := false
	for ctx.Err() == nil {
		res, err := r.round(roundCtx)
		if err != nil {
			r.log.WarnContext(ctx, "outbox relay: round failed", slog.Any("error", err))
			return r.cfg.PollInterval
		}
		failed = failed || res.confirmed < res.claimed
		// A full batch means more may be waiting. A batch the broker
		// refused entirely says it is unwell: do not sweep the whole
		// backlog through it, wait for the retries instead.
		if res.claimed < r.cfg.BatchSize || res.confirmed == 0 {
			break
		}
	}
	return r.nextWait(ctx, failed)
}

// statsInterval is how often, at most, the relay counts its unsent events
// while every round succeeds. Under a steady trickle every round is short,
// and counting after each one would add a transaction to each event's way
// out.
const statsInterval = 250 * time.Millisecond

// nextWait refreshes the gauges and the time of the next due retry (now
// when a round just failed or the retry known last fell due, else at most
// every statsInterval) and returns how long to wait for it, at most the
// poll interval.
func (r *Relay) nextWait(ctx context.Context, failed bool) time.Duration {
	now := time.Now()
	retryPassed := !r.retryAt.IsZero() && !r.retryAt.After(now)
	if failed || retryPassed || now.Sub(r.statsAt) >= statsInterval {
		due, err := r.refreshGauges(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.log.WarnContext(ctx, "outbox relay: read outbox statistics", slog.Any("error", err))
			}
			return r.cfg.PollInterval
		}
		r.statsAt, r.retryAt = now, time.Time{}
		if due != nil {
			r.retryAt = now.Add(*due)
		}
	}
	wait := r.cfg.PollInterval
	if !r.retryAt.IsZero() {
		if until := r.retryAt.Sub(now); until < wait {
			wait = max(until, minWait)
		}
	}
	return wait
}

// PublishPending publishes every event due now, round after round, and
// returns how many the broker confirmed. It stops at the first round that
// fails or comes back short, or when the broker confirms none of a round.
// Run calls it at shutdown; tests and tools may call it directly, also
// while relays run (the rounds lock what they take).
func (r *Relay) PublishPending(ctx context.Context) (int, error) {
	total := 0
	for {
		res, err := r.round(ctx)
		total += res.confirmed
		if err != nil {
			return total, err
		}
		if res.claimed < r.cfg.BatchSize || res.confirmed == 0 {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("outbox: publish pending: %w", err)
		}
	}
}
