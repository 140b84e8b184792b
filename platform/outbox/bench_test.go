package outbox_test

import (
	"fmt"
	"testing"

	"github.com/ariesone/ariesone/platform/bus"
)

// BenchmarkAppend measures a unit of work as a use case runs it: one
// domain insert and n events appended, committed. Compare the events=0
// case with the others for the outbox's share, and with pgbench for the
// database's baseline.
func BenchmarkAppend(b *testing.B) {
	f := newFixture(b)
	ctx := tenantCtx(companyA)
	for _, n := range []int{0, 1, 10, 100} {
		b.Run(fmt.Sprint("events=", n), func(b *testing.B) {
			msgs := make([]bus.Message, n)
			for b.Loop() {
				for i := range msgs {
					msgs[i] = newEvent(b, companyA, "bench")
				}
				if err := noteWithEvents(ctx, f.app, msgs...); err != nil {
					b.Fatal(err)
				}
			}
			if n > 0 {
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
			}
		})
	}
}
