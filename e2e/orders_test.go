package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// orderWorld is what an equipment order stands on, set up over REST: a
// branch and a warehouse, a payer and its plan, a patient covered by it
// with a signed written order for a CPAP and its mask, the items with
// three CPAP units on hand, and the default price list.
type orderWorld struct {
	branch, warehouse, payer, patient, writtenOrder string
	prescriber                                      string
	cpap, mask, priceList                           string
	cpapSerials                                     []string
	today                                           map[string]any
}

// today is the calendar date now, as the services judge it (UTC).
func today() (map[string]any, time.Time) {
	now := time.Now().UTC()
	return date(now.Year(), int(now.Month()), now.Day()), now
}

// dateOf renders t's day.
func dateOf(t time.Time) map[string]any { return date(t.Year(), int(t.Month()), t.Day()) }

// newOrderWorld sets up an orderWorld in the company of token (which may
// do everything: an owner's), naming its codes with prefix.
func newOrderWorld(t testing.TB, m *mesh, token, prefix string) orderWorld {
	t.Helper()
	w := orderWorld{}
	var now time.Time
	w.today, now = today()
	w.branch = m.call(http.MethodPost, "/api/v1/locations", token, newLocation(prefix+"-BR")).expect(t, http.StatusOK, "create branch").str("id")
	wh := newLocation(prefix + "-WH")
	wh["type"] = "LOCATION_TYPE_WAREHOUSE"
	w.warehouse = m.call(http.MethodPost, "/api/v1/locations", token, wh).expect(t, http.StatusOK, "create warehouse").str("id")
	w.payer = m.call(http.MethodPost, "/api/v1/payers", token, map[string]any{
		"name": "Medicare Part B", "payerCode": prefix + "MCR", "type": "PAYER_TYPE_MEDICARE",
	}).expect(t, http.StatusOK, "create payer").str("id")
	plan := m.call(http.MethodPost, "/api/v1/payers/"+w.payer+"/plans", token, map[string]any{"name": "Part B"}).
		expect(t, http.StatusOK, "create plan").str("id")
	w.patient = m.call(http.MethodPost, "/api/v1/patients", token, intakePatient(w.branch)).expect(t, http.StatusOK, "register patient").str("id")
	m.call(http.MethodPost, "/api/v1/patients/"+w.patient+"/coverages", token, map[string]any{
		"planId": plan, "memberId": flowMemberID1, "rank": 1, "relationship": "RELATIONSHIP_SELF", "effectiveDate": date(2026, 1, 1),
	}).expect(t, http.StatusOK, "add coverage")
	w.prescriber = m.call(http.MethodPost, "/api/v1/prescribers", token, map[string]any{
		"npi": "1234567893", "firstName": "Adaeze", "lastName": "Nwosu", "credentials": "MD", "pecosEnrolled": true,
	}).expect(t, http.StatusOK, "register prescriber").str("id")
	w.writtenOrder = signedWrittenOrder(t, m, token, w.patient, w.prescriber, now)
	w.cpap = m.call(http.MethodPost, "/api/v1/items", token, map[string]any{
		"code": prefix + "-AS11", "name": "AirSense 11 CPAP", "hcpcs": "E0601", "manufacturer": "ResMed", "model": "AirSense 11",
		"serialized": true,
	}).expect(t, http.StatusOK, "create the CPAP item").str("id")
	w.mask = m.call(http.MethodPost, "/api/v1/items", token, map[string]any{
		"code": prefix + "-F20", "name": "AirFit F20 mask", "hcpcs": "A7030", "serialized": false,
	}).expect(t, http.StatusOK, "create the mask item").str("id")
	for i := range 3 {
		serial := fmt.Sprintf("%s%08d", prefix, i+1)
		m.call(http.MethodPost, "/api/v1/units", token, map[string]any{
			"itemId": w.cpap, "serialNumber": serial, "warehouseId": w.warehouse, "lot": fmt.Sprintf("L%s%d", prefix, i+1),
		}).expect(t, http.StatusOK, "receive a CPAP")
		w.cpapSerials = append(w.cpapSerials, serial)
	}
	w.priceList = m.call(http.MethodPost, "/api/v1/price-lists", token, map[string]any{"name": "Standard"}).
		expect(t, http.StatusOK, "create the default price list").str("id")
	usd := func(cents int) map[string]any { return map[string]any{"amountCents": cents, "currencyCode": "USD"} }
	m.call(http.MethodPost, "/api/v1/price-lists/"+w.priceList+"/prices", token, map[string]any{
		"itemId": w.cpap, "hcpcs": "E0601", "purchaseBillable": usd(150000), "purchaseAllowable": usd(120000),
		"rentalBillable": usd(12000), "rentalAllowable": usd(9500), "effectiveFrom": date(2026, 1, 1),
	}).expect(t, http.StatusOK, "price the CPAP")
	m.call(http.MethodPost, "/api/v1/price-lists/"+w.priceList+"/prices", token, map[string]any{
		"itemId": w.mask, "hcpcs": "A7030", "purchaseBillable": usd(18000), "purchaseAllowable": usd(15500),
		"effectiveFrom": date(2026, 1, 1),
	}).expect(t, http.StatusOK, "price the mask")
	return w
}

// signedWrittenOrder writes and signs a lifetime order for a CPAP and its
// mask for patient by prescriber, dated ten days before now.
func signedWrittenOrder(t testing.TB, m *mesh, token, patient, prescriber string, now time.Time) string {
	t.Helper()
	id := m.call(http.MethodPost, "/api/v1/written-orders", token, map[string]any{
		"patientId": patient, "prescriberId": prescriber, "orderDate": dateOf(now.AddDate(0, 0, -10)), "lengthOfNeedMonths": 99,
		"items": []any{
			map[string]any{"hcpcs": "E0601", "description": "CPAP device", "quantity": 1},
			map[string]any{"hcpcs": "A7030", "description": "Full face mask", "quantity": 2},
		},
		"diagnoses": []any{"G47.33"},
	}).expect(t, http.StatusOK, "write the order").str("id")
	m.call(http.MethodPost, "/api/v1/written-orders/"+id+":sign", token, map[string]any{"signatureDate": dateOf(now.AddDate(0, 0, -9))}).
		expect(t, http.StatusOK, "sign the written order")
	return id
}

// cpapOrder is a CPAP on capped rental and two masks sold.
func (w orderWorld) cpapOrder() map[string]any {
	return map[string]any{
		"patientId": w.patient, "branchId": w.branch, "warehouseId": w.warehouse, "writtenOrderId": w.writtenOrder,
		"orderDate": w.today, "diagnoses": []any{"G47.33"},
		"lines": []any{
			map[string]any{"itemId": w.cpap, "hcpcs": "E0601", "modifiers": []any{"RR", "KH"}, "quantity": 1,
				"type": "LINE_TYPE_CAPPED_RENTAL", "diagnosisPointers": []any{1}},
			map[string]any{"itemId": w.mask, "hcpcs": "A7030", "quantity": 2, "type": "LINE_TYPE_ONE_TIME_SALE",
				"diagnosisPointers": []any{1}},
		},
	}
}

// lines are an order response's lines.
func lines(r response) []map[string]any {
	raw, _ := r.body["lines"].([]any)
	out := make([]map[string]any, len(raw))
	for i, l := range raw {
		out[i], _ = l.(map[string]any)
	}
	return out
}

// proofOf is a proof of delivery of every line of the approved order r,
// handed over as reserved unless serials overrides a line's serial.
func proofOf(r response, day map[string]any, serials map[int]string) map[string]any {
	var delivered []any
	for i, l := range lines(r) {
		serial, _ := l["serialNumber"].(string)
		if s, ok := serials[i]; ok {
			serial = s
		}
		delivered = append(delivered, map[string]any{"lineId": l["id"], "quantity": l["quantity"], "serialNumber": serial})
	}
	return map[string]any{
		"receiverName": "Margaret Okafor", "relationship": "self", "signatureDate": day,
		"address": map[string]any{"line1": "412 Ponce de Leon Ave NE", "city": "Atlanta", "state": "GA", "postalCode": "30308"},
		"lines":   delivered,
	}
}

// waitUnit polls a unit until ok accepts it.
func waitUnit(t *testing.T, m *mesh, token, unitID, what string, ok func(response) bool) response {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := m.call(http.MethodGet, "/api/v1/units/"+unitID, token, nil).expect(t, http.StatusOK, "read the unit")
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: unit after 20s: %s", what, r.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// auditedMethods lists the methods of the OK calls naming resource in
// notify's audit trail.
func auditedMethods(t *testing.T, m *mesh, token, resource string) []string {
	t.Helper()
	r := m.call(http.MethodGet, "/api/v1/audit-records?pageSize=1000&resourceId="+resource, token, nil).
		expect(t, http.StatusOK, "list the audit records")
	records, _ := r.body["auditRecords"].([]any)
	var seen []string
	for _, x := range records {
		rec, _ := x.(map[string]any)
		method, _ := rec["method"].(string)
		if code, _ := rec["code"].(string); code == "OK" {
			seen = append(seen, method[strings.LastIndex(method, "/")+1:])
		}
	}
	return seen
}

// waitAudited polls the audit trail until every method is there for
// resource.
func waitAudited(t *testing.T, m *mesh, token, resource string, methods ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		seen := auditedMethods(t, m, token, resource)
		missing := slices.DeleteFunc(slices.Clone(methods), func(x string) bool { return slices.Contains(seen, x) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the audit trail of %s lacks %v after 30s (has %v)", resource, missing, seen)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestOrderFlow is issue 13's path over REST only, as a supplier's staff
// and partners drive it: intake drafts an order for a CPAP on capped
// rental and its masks from a signed written order, billing approves it
// (serials reserves a unit), a technician records the proof of delivery
// and serials rents the unit to the patient under the order line; a second
// order is delivered and picked up, and its unit lands in maintenance with
// the pickup's reason in its history. The failure paths follow: readiness
// gaps refused then overridden, an approval while serials is down, the
// delivered event redelivered, a unit recalled between approval and
// delivery, and another company seeing none of it over REST and gRPC.
func TestOrderFlow(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	m.bootstrap("globex", "owner@globex.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	globex := login(t, m, "globex", "owner@globex.test", ownerPassword).str("accessToken")
	users := map[string]string{}
	for _, role := range []string{"intake", "billing", "technician", "warehouse"} {
		email := role + "@acme.test"
		m.call(http.MethodPost, "/api/v1/users", owner, map[string]any{
			"user":  map[string]any{"email": email, "givenName": "Test", "familyName": role},
			"roles": []string{"ROLE_" + strings.ToUpper(role)}, "password": userPassword,
		}).expect(t, http.StatusOK, "create "+role+" user")
		users[role] = login(t, m, "acme", email, userPassword).str("accessToken")
	}
	intake, billing, technician, warehouse := users["intake"], users["billing"], users["technician"], users["warehouse"]
	w := newOrderWorld(t, m, owner, "AC")

	// Intake drafts; the lines are priced from the list in force.
	draft := m.call(http.MethodPost, "/api/v1/orders?requestId="+uuid.NewString(), intake, w.cpapOrder()).
		expect(t, http.StatusOK, "draft the order")
	orderID := draft.str("id")
	if l := lines(draft); len(l) != 2 || l[0]["billable"].(map[string]any)["amountCents"] != "12000" ||
		l[1]["billable"].(map[string]any)["amountCents"] != "18000" || draft.str("priceListId") != w.priceList {
		t.Fatalf("the draft is not priced from the list: %s", draft.raw)
	}
	m.call(http.MethodPost, "/api/v1/orders/"+orderID+":approve", billing, map[string]any{}).
		expect(t, http.StatusBadRequest, "approve a draft")
	m.call(http.MethodPost, "/api/v1/orders/"+orderID+":submit", intake, map[string]any{}).expect(t, http.StatusOK, "submit")
	m.call(http.MethodPost, "/api/v1/orders/"+orderID+":approve", intake, map[string]any{}).
		expect(t, http.StatusForbidden, "intake approves")
	approved := m.call(http.MethodPost, "/api/v1/orders/"+orderID+":approve", billing, map[string]any{}).
		expect(t, http.StatusOK, "billing approves")
	cpapLine := lines(approved)[0]
	unitID, _ := cpapLine["unitId"].(string)
	reserved := m.call(http.MethodGet, "/api/v1/units/"+unitID, warehouse, nil).expect(t, http.StatusOK, "read the reserved unit")
	if reserved.str("status") != "UNIT_STATUS_RESERVED" || reserved.str("orderLineId") != cpapLine["id"] {
		t.Fatalf("the approved line's unit is not reserved for it: %s", reserved.raw)
	}

	// The technician delivers with proof; serials rents the unit to the
	// patient under the order line.
	delivery := m.call(http.MethodPost, "/api/v1/orders/"+orderID+"/deliveries?requestId="+uuid.NewString(), technician,
		proofOf(approved, w.today, nil)).expect(t, http.StatusOK, "record the delivery")
	rented := waitUnit(t, m, warehouse, unitID, "rented after delivery", func(r response) bool { return r.str("status") == "UNIT_STATUS_RENTED" })
	if rented.str("currentPatientId") != w.patient || rented.str("orderLineId") != cpapLine["id"] {
		t.Errorf("the delivered unit: %s", rented.raw)
	}
	held := m.call(http.MethodGet, "/api/v1/units?patientId="+w.patient, warehouse, nil).expect(t, http.StatusOK, "list the patient's units")
	if units, _ := held.body["units"].([]any); len(units) != 1 || units[0].(map[string]any)["id"] != unitID {
		t.Errorf("what the patient holds: %s", held.raw)
	}
	waitAudited(t, m, owner, orderID, "CreateOrder", "SubmitOrder", "ApproveOrder", "RecordDelivery")
	history := m.call(http.MethodGet, "/api/v1/orders?patientId="+w.patient, intake, nil).expect(t, http.StatusOK, "the patient's order history")
	if orders, _ := history.body["orders"].([]any); len(orders) != 1 || orders[0].(map[string]any)["status"] != "ORDER_STATUS_DELIVERED" {
		t.Errorf("the patient's order history: %s", history.raw)
	}

	// A second order: delivered, then picked up at the end of need.
	second := m.call(http.MethodPost, "/api/v1/orders", intake, w.cpapOrder()).expect(t, http.StatusOK, "draft the second order").str("id")
	m.call(http.MethodPost, "/api/v1/orders/"+second+":submit", intake, map[string]any{}).expect(t, http.StatusOK, "submit the second")
	approved2 := m.call(http.MethodPost, "/api/v1/orders/"+second+":approve", billing, map[string]any{}).expect(t, http.StatusOK, "approve the second")
	line2 := lines(approved2)[0]
	unit2, _ := line2["unitId"].(string)
	m.call(http.MethodPost, "/api/v1/orders/"+second+"/deliveries", technician, proofOf(approved2, w.today, nil)).
		expect(t, http.StatusOK, "deliver the second")
	waitUnit(t, m, warehouse, unit2, "second rented", func(r response) bool { return r.str("status") == "UNIT_STATUS_RENTED" })
	m.call(http.MethodPost, "/api/v1/orders/"+second+":close", intake, map[string]any{}).expect(t, http.StatusBadRequest, "close with the rental out")
	m.call(http.MethodPost, "/api/v1/orders/"+second+"/pickups", technician, map[string]any{
		"pickupDate": w.today, "reason": "PICKUP_REASON_END_OF_NEED",
		"lines": []any{map[string]any{"lineId": line2["id"], "serialNumber": line2["serialNumber"]}},
	}).expect(t, http.StatusOK, "pick up the second")
	waitUnit(t, m, warehouse, unit2, "in maintenance after pickup", func(r response) bool { return r.str("status") == "UNIT_STATUS_MAINTENANCE" })
	txs := m.call(http.MethodGet, "/api/v1/units/"+unit2+"/transactions", warehouse, nil).expect(t, http.StatusOK, "the unit's history")
	if !strings.Contains(string(txs.raw), "end of need") || !strings.Contains(string(txs.raw), "UNIT_TRANSACTION_KIND_RETURN") {
		t.Errorf("the unit's history does not tell the pickup: %s", txs.raw)
	}
	closed := m.call(http.MethodPost, "/api/v1/orders/"+second+":close", intake, map[string]any{}).expect(t, http.StatusOK, "close the second")
	if closed.str("status") != "ORDER_STATUS_CLOSED" || lines(closed)[0]["billingEndDate"] == nil {
		t.Errorf("the closed order: %s", closed.raw)
	}

	t.Run("readiness gaps are refused, then overridden with a reason", func(t *testing.T) {
		uncovered := intakePatient(w.branch)
		uncovered["mbi"], uncovered["ssn"], uncovered["medicaidId"] = "", "", ""
		other := m.call(http.MethodPost, "/api/v1/patients?confirmDuplicate=true", intake, uncovered).
			expect(t, http.StatusOK, "register an uncovered patient").str("id")
		_, now := today()
		o := w.cpapOrder()
		o["patientId"], o["writtenOrderId"] = other, signedWrittenOrder(t, m, owner, other, w.prescriber, now)
		id := m.call(http.MethodPost, "/api/v1/orders", intake, o).expect(t, http.StatusOK, "draft for the uncovered patient").str("id")
		refused := m.call(http.MethodPost, "/api/v1/orders/"+id+":submit", intake, map[string]any{}).
			expect(t, http.StatusBadRequest, "submit with gaps")
		if refused.str("reason") != "READINESS_GAPS" || !strings.Contains(string(refused.raw), "NO_PRIMARY_COVERAGE") {
			t.Fatalf("the refusal does not list the gaps: %s", refused.raw)
		}
		m.call(http.MethodPost, "/api/v1/orders/"+id+":submit", intake, map[string]any{"overrideReason": "coverage verified by phone"}).
			expect(t, http.StatusForbidden, "intake overrides")
		ok := m.call(http.MethodPost, "/api/v1/orders/"+id+":submit", billing, map[string]any{"overrideReason": "coverage verified by phone"}).
			expect(t, http.StatusOK, "billing overrides")
		if ok.str("readinessOverrideReason") != "coverage verified by phone" {
			t.Errorf("the order does not keep the reason: %s", ok.raw)
		}
		waitAudited(t, m, owner, id, "SubmitOrder")
		events := m.call(http.MethodGet, "/api/v1/events?types=orders.order.submitted.v1&pageSize=1000", owner, nil).
			expect(t, http.StatusOK, "list the submissions")
		if !strings.Contains(string(events.raw), "coverage verified by phone") || !strings.Contains(string(events.raw), "NO_PRIMARY_COVERAGE") {
			t.Errorf("the trail does not keep the override: %s", events.raw)
		}
	})

	t.Run("an approval while serials is down leaves nothing reserved and a retry approves once", func(t *testing.T) {
		id := m.call(http.MethodPost, "/api/v1/orders", intake, w.cpapOrder()).expect(t, http.StatusOK, "draft").str("id")
		m.call(http.MethodPost, "/api/v1/orders/"+id+":submit", intake, map[string]any{}).expect(t, http.StatusOK, "submit")
		m.kill("serials")
		m.call(http.MethodPost, "/api/v1/orders/"+id+":approve", billing, map[string]any{}).
			expect(t, http.StatusServiceUnavailable, "approve while serials is down")
		m.restart("serials")
		o := m.call(http.MethodGet, "/api/v1/orders/"+id, billing, nil).expect(t, http.StatusOK, "read the order")
		if o.str("status") != "ORDER_STATUS_SUBMITTED" || lines(o)[0]["unitId"] != nil {
			t.Fatalf("after the failed approval: %s", o.raw)
		}
		reservedUnits := func() int {
			r := m.waitCall(http.MethodGet, "/api/v1/units?status=UNIT_STATUS_RESERVED&itemId="+w.cpap, warehouse)
			units, _ := r.body["units"].([]any)
			return len(units)
		}
		if n := reservedUnits(); n != 0 {
			t.Fatalf("%d units reserved after the failed approval", n)
		}
		for range 2 {
			m.call(http.MethodPost, "/api/v1/orders/"+id+":approve", billing, map[string]any{}) // the retry, and a second
		}
		o = m.call(http.MethodGet, "/api/v1/orders/"+id, billing, nil).expect(t, http.StatusOK, "read the order")
		if o.str("status") != "ORDER_STATUS_APPROVED" || reservedUnits() != 1 {
			t.Errorf("after the retry: %d reserved, %s", reservedUnits(), o.raw)
		}
		m.call(http.MethodPost, "/api/v1/orders/"+id+":cancel", intake, map[string]any{"reason": "test over"}).expect(t, http.StatusOK, "cancel")
		waitUnit(t, m, warehouse, lines(o)[0]["unitId"].(string), "released on cancel", func(r response) bool {
			return r.str("status") == "UNIT_STATUS_ON_HAND"
		})
	})

	t.Run("the delivered event delivered twice moves the unit once", func(t *testing.T) {
		db := pgtest.OpenPool(t, postgres.Config{URL: m.adminURL})
		tag, err := db.Exec(context.Background(),
			`update orders.outbox set sent_at = null where id = (
				select id from orders.outbox where type = 'orders.order.delivered.v1' order by seq limit 1)`)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("re-queue the first delivery's event: %v, %d rows", err, tag.RowsAffected())
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			var pending int
			if err := db.QueryRow(context.Background(), `select count(*) from orders.outbox where sent_at is null`).Scan(&pending); err != nil {
				t.Fatal(err)
			}
			if pending == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the re-queued event was not published again in 20s")
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Second) // serials' consumer reads it
		txs := m.call(http.MethodGet, "/api/v1/units/"+unitID+"/transactions", warehouse, nil).expect(t, http.StatusOK, "the unit's history")
		if n := strings.Count(string(txs.raw), "UNIT_TRANSACTION_KIND_RENT\""); n != 1 {
			t.Errorf("%d rents of the unit after the redelivery: %s", n, txs.raw)
		}
		o := m.call(http.MethodGet, "/api/v1/orders/"+orderID, intake, nil).expect(t, http.StatusOK, "read the order")
		if lines(o)[0]["fulfillmentProblem"] != nil {
			t.Errorf("the redelivery flagged the line: %s", o.raw)
		}
	})

	t.Run("a unit recalled between approval and delivery flags the line and tells the branch", func(t *testing.T) {
		id := m.call(http.MethodPost, "/api/v1/orders", intake, w.cpapOrder()).expect(t, http.StatusOK, "draft").str("id")
		m.call(http.MethodPost, "/api/v1/orders/"+id+":submit", intake, map[string]any{}).expect(t, http.StatusOK, "submit")
		o := m.call(http.MethodPost, "/api/v1/orders/"+id+":approve", billing, map[string]any{}).expect(t, http.StatusOK, "approve")
		unit := m.call(http.MethodGet, "/api/v1/units/"+lines(o)[0]["unitId"].(string), warehouse, nil).expect(t, http.StatusOK, "read the unit")
		m.call(http.MethodPost, "/api/v1/units:recall", warehouse, map[string]any{"scope": map[string]any{"lot": unit.str("lot")}, "recalled": true}).
			expect(t, http.StatusOK, "recall the unit's lot")
		m.call(http.MethodPost, "/api/v1/orders/"+id+"/deliveries", technician, proofOf(o, w.today, nil)).
			expect(t, http.StatusOK, "deliver the recalled unit")
		deadline := time.Now().Add(20 * time.Second)
		for {
			got := m.call(http.MethodGet, "/api/v1/orders/"+id, intake, nil).expect(t, http.StatusOK, "read the order")
			if lines(got)[0]["fulfillmentProblem"] == "UNIT_RECALLED" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the line is not flagged after 20s: %s", got.raw)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if s := m.call(http.MethodGet, "/api/v1/units/"+unit.str("id"), warehouse, nil).expect(t, http.StatusOK, "read").str("status"); s != "UNIT_STATUS_RESERVED" {
			t.Errorf("the recalled unit moved: %s", s)
		}
		deadline = time.Now().Add(20 * time.Second)
		for {
			n := m.call(http.MethodGet, "/api/v1/notifications?pageSize=100", warehouse, nil).expect(t, http.StatusOK, "the warehouse's notifications")
			if strings.Contains(string(n.raw), "orders.order.line_flagged.v1") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no notification of the flagged line after 20s: %s", n.raw)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	t.Run("another company sees none of it", func(t *testing.T) {
		deliveryID := delivery.str("id")
		for _, path := range []string{"/api/v1/orders/" + orderID, "/api/v1/price-lists/" + w.priceList,
			"/api/v1/orders/" + orderID + "/deliveries/" + deliveryID, "/api/v1/orders/" + orderID + "/deliveries"} {
			m.call(http.MethodGet, path, globex, nil).expect(t, http.StatusNotFound, "globex reads "+path)
		}
		m.call(http.MethodPost, "/api/v1/orders/"+orderID+":cancel", globex, map[string]any{"reason": "x"}).
			expect(t, http.StatusNotFound, "globex cancels acme's order")
		conn, err := grpc.NewClient(m.orders, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+globex)
		_, err = ordersv1.NewOrderServiceClient(conn).GetOrder(ctx, &ordersv1.GetOrderRequest{Id: orderID})
		if status.Code(err) != codes.NotFound {
			t.Errorf("gRPC GetOrder of acme's order by globex: %v", err)
		}
		_, err = ordersv1.NewPriceListServiceClient(conn).GetPriceList(ctx, &ordersv1.GetPriceListRequest{Id: w.priceList})
		if status.Code(err) != codes.NotFound {
			t.Errorf("gRPC GetPriceList of acme's list by globex: %v", err)
		}
		_, err = ordersv1.NewOrderServiceClient(conn).GetDelivery(ctx, &ordersv1.GetDeliveryRequest{OrderId: orderID, Id: deliveryID})
		if status.Code(err) != codes.NotFound {
			t.Errorf("gRPC GetDelivery of acme's delivery by globex: %v", err)
		}
	})

	t.Run("rentals bill month by month under Medicare's rules, and a billing partner exports them once", func(t *testing.T) {
		m.bootstrap("initech", "owner@initech.test", ownerPassword)
		billingScenario(t, m, login(t, m, "initech", "owner@initech.test", ownerPassword).str("accessToken"))
	})

	t.Run("resupply: due list, confirmation, a shipment refused early and then shipped", func(t *testing.T) {
		m.bootstrap("hooli", "owner@hooli.test", ownerPassword)
		resupplyScenario(t, m, login(t, m, "hooli", "owner@hooli.test", ownerPassword).str("accessToken"))
	})

	t.Run("billing runs on two orders processes at once bill each month once", func(t *testing.T) {
		m.bootstrap("umbrella", "owner@umbrella.test", ownerPassword)
		concurrentBillingScenario(t, m, login(t, m, "umbrella", "owner@umbrella.test", ownerPassword).str("accessToken"))
	})
}
