package bus

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/telemetry"
)

// metrics counts what the bus does, for dashboards and alerts: a rising
// publish failure or requeue rate, reconnects, queues backing up, and
// stream consumers that are not caught up (and so fail closed).
// Without a Registerer the collectors still exist but nobody scrapes them,
// which keeps the code free of nil checks.
type metrics struct {
	published      *prometheus.CounterVec // by exchange
	publishResult  *prometheus.CounterVec // by exchange, result
	consumed       *prometheus.CounterVec // by queue
	acked          *prometheus.CounterVec // by queue
	requeued       *prometheus.CounterVec // by queue
	reconnects     *prometheus.CounterVec // by exchange
	connected      *prometheus.GaugeVec   // by exchange
	queueDepth     *prometheus.GaugeVec   // by queue
	streamCaughtUp *prometheus.GaugeVec   // by stream
}

// Publish results counted in ariesone_bus_publish_results_total.
const (
	resultConfirmed  = "confirmed"
	resultNacked     = "nacked"
	resultReturned   = "returned"
	resultUnanswered = "unanswered" // timeout or connection lost
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "published_total",
			Help: "Messages sent to the broker, before its confirm.",
		}, []string{"exchange"}),
		publishResult: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "publish_results_total",
			Help: "Publish outcomes: confirmed, nacked, returned (unroutable), unanswered (timeout or connection lost).",
		}, []string{"exchange", "result"}),
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "consumed_total",
			Help: "Deliveries received by consumers.",
		}, []string{"queue"}),
		acked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "acked_total",
			Help: "Deliveries applied and acknowledged.",
		}, []string{"queue"}),
		requeued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "requeued_total",
			Help: "Deliveries that failed and went back to their queue (dead-lettered after the delivery limit).",
		}, []string{"queue"}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "reconnects_total",
			Help: "Connections to the broker re-established after a loss.",
		}, []string{"exchange"}),
		connected: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "connected",
			Help: "1 while connected to the broker, 0 otherwise.",
		}, []string{"exchange"}),
		queueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "queue_depth",
			Help: "Messages ready in a consumed queue, sampled by its consumer.",
		}, []string{"queue"}),
		streamCaughtUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "ariesone", Subsystem: "bus", Name: "stream_caught_up",
			Help: "1 while a stream consumer has read all the stream held when it attached, 0 while it is behind or detached (its state is not to be trusted).",
		}, []string{"stream"}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	m.published = telemetry.Register(reg, m.published, &errs)
	m.publishResult = telemetry.Register(reg, m.publishResult, &errs)
	m.consumed = telemetry.Register(reg, m.consumed, &errs)
	m.acked = telemetry.Register(reg, m.acked, &errs)
	m.requeued = telemetry.Register(reg, m.requeued, &errs)
	m.reconnects = telemetry.Register(reg, m.reconnects, &errs)
	m.connected = telemetry.Register(reg, m.connected, &errs)
	m.queueDepth = telemetry.Register(reg, m.queueDepth, &errs)
	m.streamCaughtUp = telemetry.Register(reg, m.streamCaughtUp, &errs)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bus: register metrics: %w", err)
	}
	return m, nil
}
