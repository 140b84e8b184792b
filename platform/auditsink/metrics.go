package auditsink

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/telemetry"
)

type metrics struct {
	records *prometheus.CounterVec
	queued  prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "audit_records_total",
			Help: "Audit records by path: written in the call's transaction, batched to the outbox, or logged because the queue was full.",
		}, []string{"path"}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "audit_records_queued",
			Help: "Audit records waiting in memory for their batch (lost if the process is killed).",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	m.records = telemetry.Register(reg, m.records, &errs)
	m.queued = telemetry.Register(reg, m.queued, &errs)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("auditsink: register metrics: %w", err)
	}
	return m, nil
}
