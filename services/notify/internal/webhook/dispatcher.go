package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
	"github.com/ariesone/ariesone/services/notify/internal/store"
)

// Queue is the dispatcher's view of the deliveries; the store's
// WebhookStore implements it.
type Queue interface {
	ListenForWebhookDeliveries(ctx context.Context, wake func()) error
	PendingWebhookTenants(ctx context.Context, max int) ([]store.WebhookPendingTenant, error)
	ClaimWebhookDeliveries(ctx context.Context, companyID string, now, leaseUntil time.Time, limit int) ([]store.WebhookDispatch, error)
	RecordWebhookAttempt(ctx context.Context, companyID, deliveryID string, a domain.WebhookAttempt,
		policy domain.WebhookRetryPolicy, rule domain.WebhookDisableRule, jitter float64) (store.WebhookAttemptRecorded, error)
}

var _ Queue = (*store.WebhookStore)(nil)

// SecretOpener opens sealed signing secrets; the service's key ring
// implements it.
type SecretOpener interface {
	DecryptString(ciphertext []byte, associatedData ...string) (string, error)
}

// DispatcherConfig is what a Dispatcher is built from. Queue, Keyring and
// Logger are required.
type DispatcherConfig struct {
	Queue    Queue
	Keyring  SecretOpener
	Settings Settings
	Logger   *slog.Logger
	// Registerer receives the dispatcher's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Now is the clock; nil means the system clock.
	Now func() time.Time
	// Jitter draws from [0, 1) for the retry schedule; nil means
	// math/rand/v2.
	Jitter func() float64
}

// recordTimeout bounds recording one attempt, which runs even while the
// dispatcher shuts down (the receiver has the request; its outcome must
// not be lost).
const recordTimeout = 10 * time.Second

// listenRetry is the longest wait before listening again after the
// listening connection failed; until then polling alone finds new work.
const listenRetry = 30 * time.Second

// Dispatcher sends due deliveries. Run it on every replica: replicas share
// the work through row locks and leases, never sending one attempt twice
// while its claimant is alive.
type Dispatcher struct {
	queue    Queue
	keyring  SecretOpener
	sender   *Sender
	settings Settings
	policy   domain.WebhookRetryPolicy
	rule     domain.WebhookDisableRule
	logger   *slog.Logger
	metrics  *metrics
	now      func() time.Time
	jitter   func() float64

	// wake is signalled when there may be new work: an enqueue (through
	// LISTEN/NOTIFY) or a finished attempt (a free slot).
	wake chan struct{}
	// slots holds a token per attempt in flight; its capacity is the
	// concurrency bound.
	slots    chan struct{}
	inFlight sync.WaitGroup
}

// NewDispatcher builds a dispatcher and registers its metrics.
func NewDispatcher(cfg DispatcherConfig) (*Dispatcher, error) {
	if cfg.Queue == nil || cfg.Keyring == nil || cfg.Logger == nil {
		return nil, errors.New("webhook: dispatcher needs a queue, a key ring and a logger")
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	s := cfg.Settings.withDefaults()
	d := &Dispatcher{
		queue:    cfg.Queue,
		keyring:  cfg.Keyring,
		sender:   NewSender(s.Timeout, s.AllowInsecureTargets),
		settings: s,
		policy:   s.RetryPolicy(),
		rule:     s.DisableRule(),
		logger:   cfg.Logger,
		metrics:  m,
		now:      cfg.Now,
		jitter:   cfg.Jitter,
		wake:     make(chan struct{}, 1),
		slots:    make(chan struct{}, s.Concurrency),
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.jitter == nil {
		d.jitter = rand.Float64
	}
	d.sender.now = d.now
	return d, nil
}

// Wake makes the dispatcher look for due deliveries now rather than at its
// next poll. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends, then waits for the attempts in flight to
// finish and be recorded (each is bounded by the attempt timeout) and
// returns nil. Errors of the database are logged and retried at the next
// poll rather than returned: a dispatcher that stopped would silently stop
// every partner's deliveries.
func (d *Dispatcher) Run(ctx context.Context) error {
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		d.listen(ctx)
	}()
	defer func() {
		<-listening
		d.inFlight.Wait()
	}()

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next, err := d.dispatchDue(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := d.settings.PollInterval
		if err != nil {
			d.logger.ErrorContext(ctx, "webhook dispatch failed; retrying at the next poll", "error", err)
		} else if until := next.Sub(d.now()); until < wait {
			wait = max(until, 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
			// Since Go 1.23 a stopped timer delivers nothing stale, and
			// Reset above needs no draining.
			timer.Stop()
		case <-timer.C:
		}
	}
}

// listen wakes the dispatcher whenever an enqueue commits, reconnecting
// with a growing pause when the listening connection fails; polling covers
// the gaps.
func (d *Dispatcher) listen(ctx context.Context) {
	pause := time.Second
	for {
		err := d.queue.ListenForWebhookDeliveries(ctx, d.Wake)
		if ctx.Err() != nil {
			return
		}
		d.logger.WarnContext(ctx, "webhook listener lost; polling until it is back", "error", err, "retry_in", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, listenRetry)
		// Anything enqueued while nobody listened is found now.
		d.Wake()
	}
}

// dispatchDue claims the deliveries due now, tenant by tenant, as far as
// free slots allow, and starts their attempts. It returns when the next
// look is worth making: now when a tenant had more due than was claimed,
// the earliest future due time otherwise, at most one poll interval away.
func (d *Dispatcher) dispatchDue(ctx context.Context) (time.Time, error) {
	now := d.now()
	next := now.Add(d.settings.PollInterval)
	free := cap(d.slots) - len(d.slots)
	if free == 0 {
		// A finishing attempt wakes the loop.
		return next, nil
	}
	tenants, err := d.queue.PendingWebhookTenants(ctx, d.settings.MaxTenants)
	if err != nil {
		return next, err
	}
	for _, t := range tenants {
		if t.NextDue.After(now) {
			// Sorted by due time: every later tenant is due later still.
			if t.NextDue.Before(next) {
				next = t.NextDue
			}
			break
		}
		if free == 0 {
			return now, nil
		}
		limit := min(d.settings.BatchSize, free)
		claimed, err := d.queue.ClaimWebhookDeliveries(ctx, t.CompanyID, now, now.Add(d.settings.lease()), limit)
		if err != nil {
			return next, err
		}
		for _, c := range claimed {
			d.slots <- struct{}{}
			free--
			d.inFlight.Add(1)
			go d.attempt(ctx, c)
		}
		if len(claimed) == limit {
			// There may be more for this tenant: look again once this
			// round is through.
			next = now
		}
	}
	return next, nil
}

// attempt sends one claimed delivery and records the outcome. The send and
// the record outlive ctx (shutdown), bounded by their own timeouts, so an
// attempt that reached the receiver is never left unrecorded.
func (d *Dispatcher) attempt(ctx context.Context, c store.WebhookDispatch) {
	d.metrics.inFlight.Inc()
	defer func() {
		d.metrics.inFlight.Dec()
		<-d.slots
		d.inFlight.Done()
		d.Wake()
	}()
	del := c.Delivery
	log := d.logger.With("company_id", del.CompanyID, "subscription_id", del.SubscriptionID,
		"delivery_id", del.ID, "event_id", del.EventID)
	secret, err := d.keyring.DecryptString(c.SealedSecret, del.SubscriptionID, app.WebhookSecretColumn)
	if err == nil && !domain.IsWebhookSecret(secret) {
		err = errors.New("the sealed secret is not a webhook secret")
	}
	if err != nil {
		// AriesOne's fault, not the receiver's: no attempt is counted
		// against the subscription. The lease runs out and the delivery is
		// tried again, by which time a rolled-out key ring may open it.
		log.ErrorContext(ctx, "cannot open the webhook signing secret; delivery postponed until its lease ends", "error", err)
		return
	}
	a, outcome := d.sender.send(context.WithoutCancel(ctx), c.URL, secret, del)
	d.metrics.attempts.WithLabelValues(outcome).Inc()

	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	rec, err := d.queue.RecordWebhookAttempt(recordCtx, del.CompanyID, del.ID, a, d.policy, d.rule, d.jitter())
	if err != nil {
		log.ErrorContext(ctx, "recording a webhook attempt failed; the delivery is retried when its lease ends",
			"error", err, "outcome", outcome)
		return
	}
	if !rec.Found {
		log.InfoContext(ctx, "webhook delivery gone (subscription deleted) while it was attempted", "outcome", outcome)
		return
	}
	log.DebugContext(ctx, "webhook attempt", "attempt", rec.Attempt.Number, "outcome", outcome,
		"http_status", a.HTTPStatus, "error", a.Error, "duration", a.Duration, "state", string(rec.Delivery.State))
	if rec.Disabled {
		d.metrics.disabled.Inc()
		log.WarnContext(ctx, fmt.Sprintf("webhook subscription disabled after %d consecutive failed attempts", d.rule.After),
			"pending_deliveries_failed", rec.FailedPending)
	}
}
