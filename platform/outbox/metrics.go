package outbox

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/telemetry"
)

// metrics shows whether events leave the service and how late: a growing
// lag or unsent count means the broker or the relay is in trouble, long
// before a consumer notices missing events. Without a Registerer the
// collectors still count, unscraped, which keeps the code free of nil
// checks.
type metrics struct {
	published          prometheus.Counter
	failures           prometheus.Counter
	batchSize          prometheus.Histogram
	lag                prometheus.Gauge
	unsent             prometheus.Gauge
	pruned             prometheus.Counter
	listenerReconnects prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, schema string) (*metrics, error) {
	labels := prometheus.Labels{"schema": schema}
	m := &metrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "outbox", Name: "published_total",
			Help: "Events the broker confirmed and the relay marked sent.", ConstLabels: labels,
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "outbox", Name: "publish_failures_total",
			Help: "Publish attempts the broker did not confirm; each event is retried with backoff.", ConstLabels: labels,
		}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "ariesone", Subsystem: "outbox", Name: "batch_size",
			Help:    "Events locked and published per relay round.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12), ConstLabels: labels,
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "ariesone", Subsystem: "outbox", Name: "lag_seconds",
			Help: "Age of the oldest unsent event, 0 when none; sampled when the relay goes idle.", ConstLabels: labels,
		}),
		unsent: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "ariesone", Subsystem: "outbox", Name: "unsent_events",
			Help: "Events appended and not yet confirmed by the broker; sampled when the relay goes idle.", ConstLabels: labels,
		}),
		pruned: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "outbox", Name: "pruned_total",
			Help: "Sent events deleted after their retention.", ConstLabels: labels,
		}),
		listenerReconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "outbox", Name: "listener_reconnects_total",
			Help: "Times the relay's LISTEN connection failed and was re-established (polling covers the gap).", ConstLabels: labels,
		}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	m.published = telemetry.Register(reg, m.published, &errs)
	m.failures = telemetry.Register(reg, m.failures, &errs)
	m.batchSize = telemetry.Register(reg, m.batchSize, &errs)
	m.lag = telemetry.Register(reg, m.lag, &errs)
	m.unsent = telemetry.Register(reg, m.unsent, &errs)
	m.pruned = telemetry.Register(reg, m.pruned, &errs)
	m.listenerReconnects = telemetry.Register(reg, m.listenerReconnects, &errs)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("outbox: register metrics: %w", err)
	}
	return m, nil
}
