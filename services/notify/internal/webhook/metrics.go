package webhook

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics count what the dispatcher does, for dashboards and alerts: a
// rising failure rate across receivers points at AriesOne's egress, one
// subscription disabled after another at a partner outage.
type metrics struct {
	attempts *prometheus.CounterVec // by outcome
	disabled prometheus.Counter
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "webhook", Name: "attempts_total",
			Help: "Webhook delivery attempts by outcome: succeeded, http_error, timeout, connection_error, blocked (a non-public address refused).",
		}, []string{"outcome"}),
		disabled: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "webhook", Name: "subscriptions_disabled_total",
			Help: "Webhook subscriptions disabled after a run of consecutive failed attempts.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "ariesone", Subsystem: "webhook", Name: "attempts_in_flight",
			Help: "Webhook delivery attempts under way on this replica.",
		}),
	}
	for _, o := range []string{outcomeSucceeded, outcomeHTTPError, outcomeTimeout, outcomeConnectionError, outcomeBlocked} {
		m.attempts.WithLabelValues(o)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.attempts, m.disabled, m.inFlight} {
		if err := reg.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if errors.As(err, &already) {
				return nil, fmt.Errorf("webhook: metrics already registered; build one dispatcher per registry: %w", err)
			}
			return nil, fmt.Errorf("webhook: registering metrics: %w", err)
		}
	}
	return m, nil
}
