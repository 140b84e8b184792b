package trailmetrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/services/notify/internal/trailmetrics"
)

func TestLagIsTheOldestRecordsAgeUntilTheQueueEmpties(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := trailmetrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	m.Appended(500, now.Add(-1500*time.Millisecond), now)
	m.Appended(20, now.Add(-250*time.Millisecond), now)
	if got := value(t, reg, "audit_trail_records_appended_total"); got != 520 {
		t.Errorf("appended = %v, want 520", got)
	}
	if got := value(t, reg, "audit_trail_lag_seconds"); got != 0.25 {
		t.Errorf("lag = %v, want 0.25", got)
	}

	depths := make(chan int, 2)
	depths <- 7
	depths <- 0
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Watch(ctx, func(context.Context) (int, error) {
			select {
			case n := <-depths:
				return n, nil
			default:
				cancel()
				return 0, context.Canceled
			}
		}, time.Millisecond)
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := value(t, reg, "notify_events_queue_messages"); got != 0 {
		t.Errorf("queue = %v, want the last sample, 0", got)
	}
	if got := value(t, reg, "audit_trail_lag_seconds"); got != 0 {
		t.Errorf("lag = %v after the queue emptied, want 0", got)
	}
}

// value reads the one sample of metric family name from reg.
func value(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			m := f.GetMetric()[0]
			return m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no single sample of %s", name)
	return 0
}
