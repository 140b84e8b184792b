// Package trailmetrics exports how far notify's audit trail is behind the
// calls it records: operators watch it to see whether the trail keeps up
// with the mesh or a backlog is growing.
//
//   - audit_trail_records_appended_total counts records as batches are
//     applied (a batch rolled back and retried is counted again); its rate
//     is the trail's ingest.
//   - audit_trail_lag_seconds is the age of the oldest record of the batch
//     applied last, when it was applied: how long a call waits to reach
//     the trail. It reads 0 once the consumer's queue is empty.
//   - notify_events_queue_messages is how many events wait in the
//     consumer's queue, sampled every second.
package trailmetrics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/telemetry"
)

// Metrics is the trail's lag, fed by the event consumer and a queue probe.
type Metrics struct {
	appended prometheus.Counter
	lag      prometheus.Gauge
	queued   prometheus.Gauge
}

// New registers the metrics with reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "audit_trail_records_appended_total",
			Help: "Audit records appended to the trail (a batch retried after a rollback counts again).",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "audit_trail_lag_seconds",
			Help: "Age of the oldest record of the last batch appended, when appended; 0 once the queue is empty.",
		}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "notify_events_queue_messages",
			Help: "Events waiting in notify's consumer queue, sampled every second.",
		}),
	}
	var errs []error
	m.appended = telemetry.Register(reg, m.appended, &errs)
	m.lag = telemetry.Register(reg, m.lag, &errs)
	m.queued = telemetry.Register(reg, m.queued, &errs)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("trailmetrics: %w", err)
	}
	return m, nil
}

// Appended records n records appended at now, the oldest called at oldest.
func (m *Metrics) Appended(n int, oldest, now time.Time) {
	m.appended.Add(float64(n))
	m.lag.Set(max(now.Sub(oldest).Seconds(), 0))
}

// Watch samples depth every interval until ctx ends, and zeroes the lag
// whenever the queue is empty. A failed sample is skipped: the broker being
// away is reported by the health checks.
func (m *Metrics) Watch(ctx context.Context, depth func(context.Context) (int, error), interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		sample, cancel := context.WithTimeout(ctx, interval)
		n, err := depth(sample)
		cancel()
		if err != nil {
			continue
		}
		m.queued.Set(float64(n))
		if n == 0 {
			m.lag.Set(0)
		}
	}
}
