package outbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
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
				err := f.app.InTx(ctx, func(ctx context.Context) error {
					tx, _ := postgres.TxFromContext(ctx)
					if _, err := tx.Exec(ctx, "insert into notes (id, company_id, body) values ($1, $2, 'bench')",
						uuid.New(), companyA); err != nil {
						return err
					}
					return outbox.AppendFromContext(ctx, msgs...)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if n > 0 {
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
			}
		})
	}
}
