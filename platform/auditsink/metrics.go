package auditsink

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
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
	for _, c := range []prometheus.Collector{m.records, m.queued} {
		if err := reg.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				return nil, err
			}
		}
	}
	return m, nil
}
