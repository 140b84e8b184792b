package telemetry

import (
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a fresh Prometheus registry for one service, holding
// the Go runtime, process and build-info collectors and
// ariesone_service_info{service_name="<service>"} 1, which tells dashboards
// which service a target runs when scrape labels do not (every service on
// one host under `make up`, for instance). The label is service_name rather
// than service because Kubernetes service discovery already attaches a
// "service" target label, and a clash would rename ours.
//
// The service's own collectors (RPC, outbox, cache, business gauges) are
// registered on the returned registry by the code that owns them; nothing is
// registered on prometheus.DefaultRegisterer, so tests can build as many
// registries as they like.
func NewRegistry(service string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace:   "ariesone",
		Name:        "service_info",
		Help:        "Always 1; its service_name label names the AriesOne service exposing these metrics.",
		ConstLabels: prometheus.Labels{"service_name": service},
	})
	info.Set(1)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		info,
	)
	return reg
}

// MetricsHandler serves reg in the Prometheus text format, or OpenMetrics
// when the scraper asks for it (which carries exemplars, linking a latency
// bucket to a trace). A collector that fails is skipped rather than failing
// the whole scrape, and scrapes and their errors are themselves counted in
// reg (promhttp_metric_handler_*). Calling it more than once with the same
// registry is safe.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorHandling:     promhttp.ContinueOnError,
		Registry:          reg,
		EnableOpenMetrics: true,
	}))
}

// Register adds c to reg, or returns the collector already registered under
// the same name and labels, so two components of one process that export the
// same series (two buses, two relays of one schema) share it instead of
// failing. Other registration errors are appended to errs.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C, errs *[]error) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var dup prometheus.AlreadyRegisteredError
	if errors.As(err, &dup) {
		if existing, ok := dup.ExistingCollector.(C); ok {
			return existing
		}
	}
	*errs = append(*errs, err)
	return c
}
