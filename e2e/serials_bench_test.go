package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkValidateSerial measures the documented validation flow over gRPC at
// 16 in flight, in one run beside pgbench select-only: warm, the same
// serial again and again (answered by the in-process cache, then the
// rules); cold, a serial no unit has on each call (the cache never keeps a
// miss, so each call is the database path: a tenant transaction and an
// index probe). Every call passes the full interceptor chain and is
// audited into notify. It prints throughput, p50/p99 and the ratios to
// pgbench -S; it runs once whatever b.N is, and asserts nothing.
func BenchmarkValidateSerial(b *testing.B) {
	m := startMesh(b, "RATE_LIMIT_READ=1000000/s:1000000", "RATE_LIMIT_EDGE=1000000/s:1000000", "LOG_LEVEL=warn")
	m.bootstrap("bench", "owner@bench.test", ownerPassword)
	token := login(b, m, "bench", "owner@bench.test", ownerPassword).str("accessToken")
	whID := receiveWarmUnit(b, m, token)

	d := loadDuration()
	pg := pgbenchSelectOnly(b, d)
	call := "ariesone.serials.v1.UnitService/ValidateSerial"
	warm := ghzLoad(b, "ValidateSerial warm (cache)", m.serials, call,
		`{"serial_number":"WARM-1","operation":"UNIT_TRANSACTION_KIND_RENT","warehouse_id":"`+whID+`"}`, token, d)
	cold := ghzLoad(b, "ValidateSerial cold (database)", m.serials, call,
		`{"serial_number":"COLD-{{.RequestNumber}}","operation":"UNIT_TRANSACTION_KIND_RENT"}`, token, d)

	fmt.Printf("\nValidateSerial, %d in flight, %s each\n", loadInFlight, d)
	fmt.Printf("%-32s %12s %10s %10s %8s\n", "load", "req/s", "p50", "p99", "errors")
	for _, r := range []result{pg, warm, cold} {
		fmt.Printf("%-32s %12.0f %10s %10s %8d\n", r.name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors)
	}
	fmt.Printf("ratio warm/pgbench-S = %.3f (aim >= 0.5)\n", warm.rps/pg.rps)
	fmt.Printf("ratio cold/pgbench-S = %.3f\n", cold.rps/pg.rps)
	fmt.Printf("ratio warm/cold      = %.2f\n", warm.rps/cold.rps)
}

// receiveWarmUnit receives a CPAP with serial WARM-1 into a new warehouse
// and returns the warehouse's id: the unit the warm ValidateSerial loads
// validate again and again.
func receiveWarmUnit(b *testing.B, m *mesh, token string) string {
	b.Helper()
	wh := newLocation("BENCH-WH")
	wh["type"] = "LOCATION_TYPE_WAREHOUSE"
	whID := m.call(http.MethodPost, "/api/v1/locations", token, wh).expect(b, http.StatusOK, "create warehouse").str("id")
	item := m.call(http.MethodPost, "/api/v1/items", token, map[string]any{"code": "E0601", "name": "CPAP", "hcpcs": "E0601", "serialized": true}).
		expect(b, http.StatusOK, "create item").str("id")
	m.call(http.MethodPost, "/api/v1/units", token, map[string]any{"itemId": item, "serialNumber": "WARM-1", "warehouseId": whID}).
		expect(b, http.StatusOK, "receive the unit")
	return whID
}
