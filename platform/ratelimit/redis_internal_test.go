package ratelimit

import (
	"math"
	"testing"
	"time"
)

func TestGCRALimitKeepsRateAndBurst(t *testing.T) {
	for _, l := range []Limit{
		{Rate: 100, Burst: 200},
		{Rate: 1, Burst: 1},
		{Rate: 0.5, Burst: 3},
		{Rate: 2.5, Burst: 5},
		{Rate: 10.0 / 60, Burst: 10},
		{Rate: MinRate, Burst: 1},
		{Rate: MaxRate, Burst: MaxBurst},
	} {
		g := gcraLimit(l)
		if g.Burst != l.Burst {
			t.Errorf("gcraLimit(%v).Burst = %d, want %d", l, g.Burst, l.Burst)
		}
		// redis_rate spaces requests by Period/Rate; that must be 1/l.Rate.
		interval := g.Period.Seconds() / float64(g.Rate)
		want := 1 / l.Rate
		if math.Abs(interval-want) > want*1e-6+float64(time.Nanosecond)/float64(time.Second) {
			t.Errorf("gcraLimit(%v) = %+v spaces requests %vs apart, want %vs", l, g, interval, want)
		}
	}
}
