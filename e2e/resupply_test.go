package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// resupplyScenario drives the refill rule over REST as a branch's team
// would: a patient's CPAP mask, supplied on a recurring line of a
// delivered order, runs out on April 30; the schedule joins the branch's
// due list on March 31, not March 30; a shipment before any confirmation,
// and one 11 days before the supply runs out, are refused naming the rule;
// the patient confirms by phone; the shipment 10 days before goes, the
// mask is then supplied through July 30, and the shipment's claim line is
// there for the billing partner.
func resupplyScenario(t *testing.T, m *mesh, owner string) {
	m.setClock(t, time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC))
	t.Cleanup(func() { m.setClock(t, time.Now().UTC()) })
	w := newOrderWorld(t, m, owner, "RS")
	written := m.call(http.MethodPost, "/api/v1/written-orders", owner, map[string]any{
		"patientId": w.patient, "prescriberId": w.prescriber, "orderDate": date(2026, 2, 20), "lengthOfNeedMonths": 99,
		"items":     []any{map[string]any{"hcpcs": "A7030", "description": "Full face mask", "quantity": 1}},
		"diagnoses": []any{"G47.33"},
	}).expect(t, http.StatusOK, "write the supplies order").str("id")
	m.call(http.MethodPost, "/api/v1/written-orders/"+written+":sign", owner, map[string]any{"signatureDate": date(2026, 2, 21)}).
		expect(t, http.StatusOK, "sign it")
	order := m.call(http.MethodPost, "/api/v1/orders", owner, map[string]any{
		"patientId": w.patient, "branchId": w.branch, "warehouseId": w.warehouse, "writtenOrderId": written,
		"orderDate": date(2026, 3, 1), "diagnoses": []any{"G47.33"},
		"lines": []any{map[string]any{"itemId": w.mask, "hcpcs": "A7030", "modifiers": []any{"KX"}, "quantity": 1,
			"type": "LINE_TYPE_RECURRING_SALE", "diagnosisPointers": []any{1}}},
	}).expect(t, http.StatusOK, "draft the supplies order").str("id")
	m.call(http.MethodPost, "/api/v1/orders/"+order+":submit", owner, map[string]any{}).expect(t, http.StatusOK, "submit")
	approved := m.call(http.MethodPost, "/api/v1/orders/"+order+":approve", owner, map[string]any{}).expect(t, http.StatusOK, "approve")
	m.call(http.MethodPost, "/api/v1/orders/"+order+"/deliveries", owner, proofOf(approved, date(2026, 3, 1), nil)).
		expect(t, http.StatusOK, "deliver the first mask")
	sc := m.call(http.MethodPost, "/api/v1/resupply-schedules", owner, map[string]any{
		"patientId": w.patient, "branchId": w.branch, "payerId": w.payer, "orderId": order,
		"items": []any{map[string]any{"hcpcs": "A7030", "suppliedThrough": date(2026, 4, 30)}},
	}).expect(t, http.StatusOK, "start the schedule")
	id := sc.str("id")
	dueOn := func(d map[string]any) string {
		r := m.call(http.MethodGet, "/api/v1/resupply-schedules:due?branchId="+w.branch+
			fmt.Sprintf("&asOf.year=%v&asOf.month=%v&asOf.day=%v", d["year"], d["month"], d["day"]), owner, nil).expect(t, http.StatusOK, "the due list")
		return string(r.raw)
	}
	if got := dueOn(date(2026, 3, 30)); strings.Contains(got, id) {
		t.Errorf("due on March 30: %s", got)
	}
	if got := dueOn(date(2026, 3, 31)); !strings.Contains(got, id) {
		t.Errorf("not due on March 31: %s", got)
	}

	shipment := func(d map[string]any) map[string]any {
		return map[string]any{"shipDate": d, "items": []any{map[string]any{"hcpcs": "A7030", "quantity": 1}}}
	}
	m.setClock(t, time.Date(2026, time.April, 19, 0, 0, 0, 0, time.UTC))
	refused := m.call(http.MethodPost, "/api/v1/resupply-schedules/"+id+"/shipments", owner, shipment(date(2026, 4, 19))).
		expect(t, http.StatusBadRequest, "ship before any confirmation")
	if refused.str("reason") != "RESUPPLY_NOT_CONFIRMED" {
		t.Fatalf("an unconfirmed shipment: %s", refused.raw)
	}
	m.call(http.MethodPost, "/api/v1/resupply-schedules/"+id+"/confirmations", owner, map[string]any{
		"channel": "phone", "confirmDate": date(2026, 4, 19),
		"items": []any{map[string]any{"hcpcs": "A7030", "quantity": 1, "remainingDays": 11}},
	}).expect(t, http.StatusOK, "the patient confirms")
	early := m.call(http.MethodPost, "/api/v1/resupply-schedules/"+id+"/shipments", owner, shipment(date(2026, 4, 19))).
		expect(t, http.StatusBadRequest, "ship 11 days before the supply runs out")
	if early.str("reason") != "RESUPPLY_TOO_EARLY" || !strings.Contains(string(early.raw), "2026-04-20") {
		t.Fatalf("an early shipment: %s", early.raw)
	}
	m.setClock(t, time.Date(2026, time.April, 20, 0, 0, 0, 0, time.UTC))
	shipped := m.call(http.MethodPost, "/api/v1/resupply-schedules/"+id+"/shipments", owner, shipment(date(2026, 4, 20))).
		expect(t, http.StatusOK, "ship 10 days before")
	if shipped.str("confirmationId") == "" {
		t.Errorf("the shipment names no confirmation: %s", shipped.raw)
	}
	after := m.call(http.MethodGet, "/api/v1/resupply-schedules/"+id, owner, nil).expect(t, http.StatusOK, "read the schedule")
	items, _ := after.body["items"].([]any)
	if through := items[0].(map[string]any)["suppliedThrough"].(map[string]any); through["month"] != float64(7) || through["day"] != float64(30) {
		t.Errorf("the mask after the shipment: %s", after.raw)
	}
	claims := claimLinesOf(t, m, owner, "")
	if len(claims) != 1 || claims[0]["shipmentId"] != shipped.str("id") || claims[0]["hcpcs"] != "A7030" ||
		claims[0]["charge"].(map[string]any)["amountCents"] != "18000" {
		t.Errorf("the shipment's claim lines: %v", claims)
	}
}
