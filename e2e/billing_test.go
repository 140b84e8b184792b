package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
)

// setClock moves the clock of every orders replica (CLOCK_ADJUSTABLE on
// its operations port) to 15:00 UTC of day.
func (m *mesh) setClock(t testing.TB, day time.Time) {
	t.Helper()
	at := time.Date(day.Year(), day.Month(), day.Day(), 15, 0, 0, 0, time.UTC)
	body, _ := json.Marshal(map[string]any{"now": at})
	for name, ops := range m.ops {
		if !strings.HasPrefix(name, "orders") {
			continue
		}
		req, err := http.NewRequest(http.MethodPut, ops+"/debug/clock", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("set %s's clock: %v", name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("set %s's clock to %v: status %d", name, at, resp.StatusCode)
		}
	}
}

// anniversary is the first day of billing month n of a rental delivered on
// dos: the same day of month, clamped to the month's end (January 31,
// February 28, March 31).
func anniversary(dos time.Time, n int) time.Time {
	first := time.Date(dos.Year(), dos.Month()+time.Month(n-1), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(dos.Day(), last), 0, 0, 0, 0, time.UTC)
}

// rentalOrder drafts, submits, approves and delivers on day an order of
// one rental line of item (hcpcs, typ), as owner, and returns the approved
// order's line.
func rentalOrder(t *testing.T, m *mesh, owner string, w orderWorld, writtenOrder, item, hcpcs, typ string, day map[string]any) (string, map[string]any) {
	t.Helper()
	o := map[string]any{
		"patientId": w.patient, "branchId": w.branch, "warehouseId": w.warehouse, "writtenOrderId": writtenOrder,
		"orderDate": day, "diagnoses": []any{"G47.33"},
		"lines": []any{map[string]any{"itemId": item, "hcpcs": hcpcs, "modifiers": []any{"KX"}, "quantity": 1, "type": typ,
			"diagnosisPointers": []any{1}}},
	}
	id := m.call(http.MethodPost, "/api/v1/orders", owner, o).expect(t, http.StatusOK, "draft "+typ).str("id")
	m.call(http.MethodPost, "/api/v1/orders/"+id+":submit", owner, map[string]any{}).expect(t, http.StatusOK, "submit "+typ)
	approved := m.call(http.MethodPost, "/api/v1/orders/"+id+":approve", owner, map[string]any{}).expect(t, http.StatusOK, "approve "+typ)
	m.call(http.MethodPost, "/api/v1/orders/"+id+"/deliveries", owner, proofOf(approved, day, nil)).
		expect(t, http.StatusOK, "deliver "+typ)
	return id, lines(approved)[0]
}

// claimLinesOf lists, page by page, the claim lines token sees under query.
func claimLinesOf(t *testing.T, m *mesh, token, query string) []map[string]any {
	t.Helper()
	var out []map[string]any
	next := ""
	for {
		r := m.call(http.MethodGet, "/api/v1/claim-lines?pageSize=20"+query+"&pageToken="+next, token, nil).
			expect(t, http.StatusOK, "list claim lines")
		raw, _ := r.body["claimLines"].([]any)
		for _, c := range raw {
			out = append(out, c.(map[string]any))
		}
		if next = r.str("nextPageToken"); next == "" {
			return out
		}
	}
}

// billingScenario drives rental billing over REST like a supplier and its
// billing partner would, orders' clock moved month by month: a CPAP on
// capped rental delivered on January 31 bills 13 months with RR and
// KH/KI/KJ and then passes to the patient (serials sells the unit); an
// oxygen concentrator bills 36 months and then none; a CPAP picked up in
// its fifth month bills 5. A billing partner's key lists the lines and
// exports them; a second export is refused unless forced.
func billingScenario(t *testing.T, m *mesh, owner string) {
	dos := time.Date(2026, time.January, 31, 0, 0, 0, 0, time.UTC)
	m.setClock(t, dos)
	t.Cleanup(func() { m.setClock(t, time.Now().UTC()) })
	w := newOrderWorld(t, m, owner, "BL")
	concentrator := m.call(http.MethodPost, "/api/v1/items", owner, map[string]any{
		"code": "BL-1025", "name": "EverFlo concentrator", "hcpcs": "E1390", "manufacturer": "Philips", "model": "EverFlo",
		"serialized": true,
	}).expect(t, http.StatusOK, "create the concentrator item").str("id")
	m.call(http.MethodPost, "/api/v1/units", owner, map[string]any{
		"itemId": concentrator, "serialNumber": "BLO2000001", "warehouseId": w.warehouse, "lot": "LO2",
	}).expect(t, http.StatusOK, "receive a concentrator")
	usd := func(cents int) map[string]any { return map[string]any{"amountCents": cents, "currencyCode": "USD"} }
	m.call(http.MethodPost, "/api/v1/price-lists/"+w.priceList+"/prices", owner, map[string]any{
		"itemId": concentrator, "hcpcs": "E1390", "purchaseBillable": usd(300000), "purchaseAllowable": usd(250000),
		"rentalBillable": usd(22000), "rentalAllowable": usd(17500), "effectiveFrom": date(2026, 1, 1),
	}).expect(t, http.StatusOK, "price the concentrator")
	written := m.call(http.MethodPost, "/api/v1/written-orders", owner, map[string]any{
		"patientId": w.patient, "prescriberId": w.prescriber, "orderDate": date(2026, 1, 20), "lengthOfNeedMonths": 99,
		"items": []any{
			map[string]any{"hcpcs": "E0601", "description": "CPAP device", "quantity": 1},
			map[string]any{"hcpcs": "E1390", "description": "Oxygen concentrator", "quantity": 1},
		},
		"diagnoses": []any{"G47.33"},
	}).expect(t, http.StatusOK, "write the order").str("id")
	m.call(http.MethodPost, "/api/v1/written-orders/"+written+":sign", owner, map[string]any{"signatureDate": date(2026, 1, 21)}).
		expect(t, http.StatusOK, "sign the written order")

	day := dateOf(dos)
	_, capped := rentalOrder(t, m, owner, w, written, w.cpap, "E0601", "LINE_TYPE_CAPPED_RENTAL", day)
	_, oxygen := rentalOrder(t, m, owner, w, written, concentrator, "E1390", "LINE_TYPE_OXYGEN_RENTAL", day)
	returnedOrder, returned := rentalOrder(t, m, owner, w, written, w.cpap, "E0601", "LINE_TYPE_CAPPED_RENTAL", day)

	for n := 1; n <= 40; n++ {
		start := anniversary(dos, n)
		if n == 5 {
			pickup := start.AddDate(0, 0, 3)
			m.setClock(t, pickup)
			m.call(http.MethodPost, "/api/v1/orders/"+returnedOrder+"/pickups", owner, map[string]any{
				"pickupDate": dateOf(pickup), "reason": "PICKUP_REASON_END_OF_NEED",
				"lines": []any{map[string]any{"lineId": returned["id"], "serialNumber": returned["serialNumber"]}},
			}).expect(t, http.StatusOK, "pick up in month 5")
		}
		m.setClock(t, start)
		run := m.call(http.MethodPost, "/api/v1/claim-lines:runBilling", owner, map[string]any{}).
			expect(t, http.StatusOK, fmt.Sprintf("run billing in month %d", n))
		want := 0
		for _, last := range []int{13, 36, 5} {
			if n <= last {
				want++
			}
		}
		if got, _ := run.body["claimLinesCreated"].(float64); int(got) != want {
			t.Fatalf("month %d (%s): %s; want %d claim lines created", n, start.Format(time.DateOnly), run.raw, want)
		}
		again := m.call(http.MethodPost, "/api/v1/claim-lines:runBilling", owner, map[string]any{}).
			expect(t, http.StatusOK, "run billing again")
		if got, _ := again.body["claimLinesCreated"].(float64); got != 0 {
			t.Fatalf("month %d: a second run created %s", n, again.raw)
		}
	}

	all := claimLinesOf(t, m, owner, "")
	byLine := map[any][]map[string]any{}
	for _, c := range all {
		byLine[c["orderLineId"]] = append(byLine[c["orderLineId"]], c)
	}
	if len(all) != 54 || len(byLine[capped["id"]]) != 13 || len(byLine[oxygen["id"]]) != 36 || len(byLine[returned["id"]]) != 5 {
		t.Fatalf("claim lines: %d in all, capped %d, oxygen %d, picked up %d; want 54, 13, 36, 5",
			len(all), len(byLine[capped["id"]]), len(byLine[oxygen["id"]]), len(byLine[returned["id"]]))
	}
	wantCapped := []string{
		"1 2026-01-31 [RR KH KX]", "2 2026-02-28 [RR KI KX]", "3 2026-03-31 [RR KI KX]", "4 2026-04-30 [RR KJ KX]",
		"13 2027-01-31 [RR KJ KX]",
	}
	var gotCapped []string
	for _, i := range []int{0, 1, 2, 3, 12} {
		c := byLine[capped["id"]][i]
		from := c["periodFrom"].(map[string]any)
		gotCapped = append(gotCapped, fmt.Sprintf("%v %04.0f-%02.0f-%02.0f %v", c["billingMonth"], from["year"], from["month"], from["day"], c["modifiers"]))
	}
	if fmt.Sprint(gotCapped) != fmt.Sprint(wantCapped) {
		t.Errorf("capped months %v, want %v", gotCapped, wantCapped)
	}
	first := byLine[capped["id"]][0]
	if first["patientId"] != w.patient || first["payerId"] != w.payer || first["orderingNpi"] != "1234567893" ||
		first["placeOfService"] != "12" || first["serialNumber"] != capped["serialNumber"] || first["hcpcs"] != "E0601" {
		t.Errorf("the first claim line: %v", first)
	}

	// Title passed after month 13: serials sold the unit to the patient.
	sold := waitUnit(t, m, owner, capped["unitId"].(string), "sold after month 13", func(r response) bool {
		return r.str("status") == "UNIT_STATUS_SOLD"
	})
	if sold.str("currentPatientId") != w.patient {
		t.Errorf("the sold unit: %s", sold.raw)
	}

	// A billing partner, with a key of its own, takes the lines.
	key := m.call(http.MethodPost, "/api/v1/api-keys", owner, map[string]any{
		"apiKey": map[string]any{"clientName": "Acme Billing Co", "roles": []string{"ROLE_BILLING"}},
	}).expect(t, http.StatusOK, "create the billing partner's key").str("secret")
	partner := m.call(http.MethodPost, "/api/v1/auth/token", "", map[string]string{"apiKey": key}).
		expect(t, http.StatusOK, "exchange the billing partner's key").str("accessToken")
	open := claimLinesOf(t, m, partner, "&status=CLAIM_LINE_STATUS_OPEN&payerId="+w.payer)
	if len(open) != 54 {
		t.Fatalf("the partner sees %d open lines, want 54", len(open))
	}
	var batch []any
	for _, c := range open[:10] {
		batch = append(batch, c["id"])
	}
	exported := m.call(http.MethodPost, "/api/v1/claim-lines:export", partner, map[string]any{"ids": batch}).
		expect(t, http.StatusOK, "export ten lines")
	if got, _ := exported.body["claimLines"].([]any); len(got) != 10 {
		t.Fatalf("export: %s", exported.raw)
	}
	refused := m.call(http.MethodPost, "/api/v1/claim-lines:export", partner, map[string]any{"ids": []any{open[10]["id"], open[3]["id"]}}).
		expect(t, http.StatusBadRequest, "export a line again")
	if refused.str("reason") != "CLAIM_LINE_ALREADY_EXPORTED" || !bytes.Contains(refused.raw, []byte(open[3]["id"].(string))) {
		t.Fatalf("the refusal does not name the line exported before: %s", refused.raw)
	}
	if left := claimLinesOf(t, m, partner, "&status=CLAIM_LINE_STATUS_OPEN"); len(left) != 44 {
		t.Fatalf("after a refused export %d lines are open, want 44 (nothing marked)", len(left))
	}
	forced := m.call(http.MethodPost, "/api/v1/claim-lines:export", partner,
		map[string]any{"ids": []any{open[3]["id"]}, "force": true}).expect(t, http.StatusOK, "export again with force")
	if c := forced.body["claimLines"].([]any)[0].(map[string]any); c["exportCount"] != float64(2) || c["status"] != "CLAIM_LINE_STATUS_EXPORTED" {
		t.Errorf("the forced export: %v", c)
	}
}

// deliverMonthlyRentals drafts, approves and delivers on dos the given
// number of orders, each of perOrder nebulizer lines on monthly rental
// (item code prefix-NEB, $25 a month), under one written order signed the
// week before, and returns the orders' ids.
func deliverMonthlyRentals(t *testing.T, m *mesh, owner string, w orderWorld, prefix string, dos time.Time, orders, perOrder int) []string {
	t.Helper()
	nebulizer := m.call(http.MethodPost, "/api/v1/items", owner, map[string]any{
		"code": prefix + "-NEB", "name": "Compressor nebulizer", "hcpcs": "E0570", "serialized": false,
	}).expect(t, http.StatusOK, "create the nebulizer item").str("id")
	usd := func(cents int) map[string]any { return map[string]any{"amountCents": cents, "currencyCode": "USD"} }
	m.call(http.MethodPost, "/api/v1/price-lists/"+w.priceList+"/prices", owner, map[string]any{
		"itemId": nebulizer, "hcpcs": "E0570", "purchaseBillable": usd(20000), "purchaseAllowable": usd(15000),
		"rentalBillable": usd(2500), "rentalAllowable": usd(1900), "effectiveFrom": date(2026, 1, 1),
	}).expect(t, http.StatusOK, "price the nebulizer")
	written := m.call(http.MethodPost, "/api/v1/written-orders", owner, map[string]any{
		"patientId": w.patient, "prescriberId": w.prescriber, "orderDate": dateOf(dos.AddDate(0, 0, -9)), "lengthOfNeedMonths": 99,
		"items":     []any{map[string]any{"hcpcs": "E0570", "description": "Nebulizer", "quantity": perOrder}},
		"diagnoses": []any{"G47.33"},
	}).expect(t, http.StatusOK, "write the nebulizer order").str("id")
	m.call(http.MethodPost, "/api/v1/written-orders/"+written+":sign", owner, map[string]any{"signatureDate": dateOf(dos.AddDate(0, 0, -8))}).
		expect(t, http.StatusOK, "sign it")
	var ls []any
	for range perOrder {
		ls = append(ls, map[string]any{"itemId": nebulizer, "hcpcs": "E0570", "quantity": 1, "type": "LINE_TYPE_MONTHLY_RENTAL",
			"diagnosisPointers": []any{1}})
	}
	var ids []string
	for range orders {
		id := m.call(http.MethodPost, "/api/v1/orders", owner, map[string]any{
			"patientId": w.patient, "branchId": w.branch, "warehouseId": w.warehouse, "writtenOrderId": written,
			"orderDate": dateOf(dos), "diagnoses": []any{"G47.33"}, "lines": ls,
		}).expect(t, http.StatusOK, "draft the rentals").str("id")
		m.call(http.MethodPost, "/api/v1/orders/"+id+":submit", owner, map[string]any{}).expect(t, http.StatusOK, "submit")
		approved := m.call(http.MethodPost, "/api/v1/orders/"+id+":approve", owner, map[string]any{}).expect(t, http.StatusOK, "approve")
		m.call(http.MethodPost, "/api/v1/orders/"+id+"/deliveries", owner, proofOf(approved, dateOf(dos), nil)).
			expect(t, http.StatusOK, "deliver")
		ids = append(ids, id)
	}
	return ids
}

// concurrentBillingScenario bills a hundred rentals (five orders of twenty
// nebulizer lines on monthly rental) with runs started at once on two
// orders processes, three through the gateway to the first and three over
// gRPC to the second, then once more on each: every month of every line is
// billed exactly once, counted in SQL.
func concurrentBillingScenario(t *testing.T, m *mesh, owner string) {
	replica := m.addReplica("orders")
	dos := time.Date(2026, time.March, 10, 0, 0, 0, 0, time.UTC)
	m.setClock(t, dos)
	w := newOrderWorld(t, m, owner, "CB")
	const orders, perOrder, months = 5, 20, 6
	deliverMonthlyRentals(t, m, owner, w, "CB", dos, orders, perOrder)

	m.setClock(t, dos.AddDate(0, months-1, 0)) // month 6 starts
	conn, err := grpc.NewClient(replica, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	claims := ordersv1.NewClaimServiceClient(conn)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+owner)
	var wg sync.WaitGroup
	created := make(chan int, 6)
	for range 3 {
		wg.Go(func() {
			r := m.call(http.MethodPost, "/api/v1/claim-lines:runBilling", owner, map[string]any{})
			n, _ := r.body["claimLinesCreated"].(float64)
			if r.status != http.StatusOK {
				t.Errorf("run on the first process: %d %s", r.status, r.raw)
			}
			created <- int(n)
		})
		wg.Go(func() {
			run, err := claims.RunBilling(ctx, &ordersv1.RunBillingRequest{})
			if err != nil {
				t.Errorf("run on the second process: %v", err)
			}
			created <- int(run.GetClaimLinesCreated())
		})
	}
	wg.Wait()
	close(created)
	total := 0
	for n := range created {
		total += n
	}
	if again, err := claims.RunBilling(ctx, &ordersv1.RunBillingRequest{}); err != nil || again.GetClaimLinesCreated() != 0 {
		t.Fatalf("a run after them on the second process: %v, %v; want nothing created", again, err)
	}
	conn2, err := pgx.Connect(context.Background(), m.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(context.Background())
	var lines, distinct int
	if err := conn2.QueryRow(context.Background(), `select count(*), count(distinct (order_line_id, billing_month))
		from orders.claim_lines where hcpcs = 'E0570'`).Scan(&lines, &distinct); err != nil {
		t.Fatal(err)
	}
	want := orders * perOrder * months
	if lines != want || distinct != want || total != want {
		t.Fatalf("claim lines in SQL %d (%d distinct line and month), reported created %d; want %d each", lines, distinct, total, want)
	}
	t.Logf("six concurrent runs on two processes created %d claim lines, each once", total)
}
