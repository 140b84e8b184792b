package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// FleetCounter counts every tenant's units by status.
type FleetCounter interface {
	FleetStatusCounts(ctx context.Context) (map[domain.UnitStatus]int64, error)
}

// FleetCollector exports the business gauges of the fleet on each scrape:
// units by status, and utilisation (rented over units in service). They
// are counts across tenants, never a tenant's own figures (those are
// SummarizeUnits).
type FleetCollector struct {
	counter     FleetCounter
	logger      *slog.Logger
	units       *prometheus.Desc
	utilisation *prometheus.Desc
}

// NewFleetCollector reads counts from counter on each scrape.
func NewFleetCollector(counter FleetCounter, logger *slog.Logger) *FleetCollector {
	return &FleetCollector{
		counter: counter, logger: logger,
		units: prometheus.NewDesc("ariesone_serials_units", "Serial-numbered units by status, every tenant.",
			[]string{"status"}, nil),
		utilisation: prometheus.NewDesc("ariesone_serials_utilisation",
			"Units rented over units in service (neither sold, lost nor junked), every tenant.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *FleetCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.units
	ch <- c.utilisation
}

// Collect implements prometheus.Collector; a failed count is logged and
// the gauges are left out of that scrape rather than reported as zero.
func (c *FleetCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.counter.FleetStatusCounts(ctx)
	if err != nil {
		c.logger.Warn("fleet gauges: counting units failed", slog.Any("error", err))
		return
	}
	var active, rented int64
	for _, s := range domain.UnitStatuses {
		ch <- prometheus.MustNewConstMetric(c.units, prometheus.GaugeValue, float64(counts[s]), string(s))
		switch s {
		case domain.StatusSold, domain.StatusLost, domain.StatusJunked:
		default:
			active += counts[s]
		}
	}
	rented = counts[domain.StatusRented]
	ratio := 0.0
	if active > 0 {
		ratio = float64(rented) / float64(active)
	}
	ch <- prometheus.MustNewConstMetric(c.utilisation, prometheus.GaugeValue, ratio)
}
