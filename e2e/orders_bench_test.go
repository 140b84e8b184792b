package e2e

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkOrderApproval measures ApproveOrder end to end, as billing
// sees it over REST: the gateway, orders reading the order, serials
// reserving a unit for the CPAP line (its own tenant transaction, stock
// counters, event and audit), and orders approving in one transaction
// with its event. Orders are drafted and submitted first; the approvals
// run one after another, and p50/p99 are printed, never asserted. It runs
// once whatever b.N is (make bench passes -benchtime 1x);
// BENCH_APPROVALS sets how many (default 100).
func BenchmarkOrderApproval(b *testing.B) {
	n := 100
	if v, err := strconv.Atoi(os.Getenv("BENCH_APPROVALS")); err == nil && v > 0 {
		n = v
	}
	m := startMesh(b, "RATE_LIMIT_WRITE=1000000/s:1000000", "RATE_LIMIT_EDGE=1000000/s:1000000", "LOG_LEVEL=warn")
	m.bootstrap("bench", "owner@bench.test", ownerPassword)
	token := login(b, m, "bench", "owner@bench.test", ownerPassword).str("accessToken")
	w := newOrderWorld(b, m, token, "BN")
	units := make([]any, n)
	for i := range units {
		units[i] = map[string]any{"itemId": w.cpap, "serialNumber": fmt.Sprintf("BNB%07d", i)}
	}
	m.call(http.MethodPost, "/api/v1/units:batchCreate", token, map[string]any{"warehouseId": w.warehouse, "units": units}).
		expect(b, http.StatusOK, "receive the units")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = m.call(http.MethodPost, "/api/v1/orders", token, w.cpapOrder()).expect(b, http.StatusOK, "draft").str("id")
		m.call(http.MethodPost, "/api/v1/orders/"+ids[i]+":submit", token, map[string]any{}).expect(b, http.StatusOK, "submit")
	}
	b.ResetTimer()
	lat := make([]time.Duration, 0, n)
	for _, id := range ids {
		t0 := time.Now()
		m.call(http.MethodPost, "/api/v1/orders/"+id+":approve", token, map[string]any{}).expect(b, http.StatusOK, "approve")
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := percentiles(lat)
	fmt.Printf("\nApproveOrder over REST, one at a time, %d orders of a CPAP (reserved in serials) and masks\n", n)
	fmt.Printf("p50 %s, p99 %s, max %s\n", p50.Round(time.Microsecond), p99.Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
}
