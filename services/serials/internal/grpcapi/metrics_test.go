package grpcapi_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// TestFleetGauges: the gauges count every tenant's units by status and
// the share of units in service that are rented.
func TestFleetGauges(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	rented := f.receive(t, f.item, nextSerial(), f.a.WH1)
	f.receive(t, f.item, nextSerial(), f.a.WH1)
	if _, err := f.transition(f.a.Admin, rented.GetId(), rent); err != nil {
		t.Fatal(err)
	}
	b := f.e.NewTenant()
	f2 := &fixture{e: f.e, a: b}
	f2.item = f2.createItem(t, f.item)
	f2.receive(t, f2.item, nextSerial(), b.WH1)

	c := app.NewFleetCollector(f.e.Store, slog.Default())
	want := `
# HELP ariesone_serials_utilisation Units rented over units in service (neither sold, lost nor junked), every tenant.
# TYPE ariesone_serials_utilisation gauge
ariesone_serials_utilisation 0.3333333333333333
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "ariesone_serials_utilisation"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(c, "ariesone_serials_units"); n != 10 {
		t.Errorf("%d status series, want one per status (10)", n)
	}
}
