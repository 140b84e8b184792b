package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestSerialsWarehouseFlow is issue 6's flow over REST, as a warehouse
// team and a partner's client would drive it: an item, units received into
// a warehouse (one by one and as a shipment), a unit reserved and rented
// to a clinical patient, returned into maintenance, serviced and released
// back on hand, with the stock following each step, serial validation
// through the cache, another company seeing none of it, and every step in
// notify's audit trail.
func TestSerialsWarehouseFlow(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	m.bootstrap("globex", "owner@globex.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	globex := login(t, m, "globex", "owner@globex.test", ownerPassword).str("accessToken")
	branchID := m.call(http.MethodPost, "/api/v1/locations", owner, newLocation("ATL-01")).
		expect(t, http.StatusOK, "create branch").str("id")
	whLoc := newLocation("ATL-WH")
	whLoc["type"] = "LOCATION_TYPE_WAREHOUSE"
	warehouseID := m.call(http.MethodPost, "/api/v1/locations", owner, whLoc).expect(t, http.StatusOK, "create warehouse").str("id")
	users := map[string]string{}
	for _, role := range []string{"warehouse", "technician", "auditor"} {
		email := role + "@acme.test"
		m.call(http.MethodPost, "/api/v1/users", owner, map[string]any{
			"user":  map[string]any{"email": email, "givenName": "Test", "familyName": role},
			"roles": []string{"ROLE_" + strings.ToUpper(role)}, "password": userPassword,
		}).expect(t, http.StatusOK, "create "+role+" user")
		login := login(t, m, "acme", email, userPassword)
		users[role] = login.str("accessToken")
	}
	warehouse, technician, auditor := users["warehouse"], users["technician"], users["auditor"]
	patientID := m.call(http.MethodPost, "/api/v1/patients", owner, intakePatient(branchID)).
		expect(t, http.StatusOK, "register the patient").str("id")

	itemID := m.call(http.MethodPost, "/api/v1/items", warehouse, map[string]any{
		"code": "E0601-AS11", "name": "AirSense 11 CPAP", "hcpcs": "E0601", "manufacturer": "ResMed", "model": "AirSense 11",
		"serialized": true, "reorderPoint": 1, "cost": map[string]any{"amountCents": 65000, "currencyCode": "USD"},
		"serialRule": map[string]any{"pattern": "2[0-9]{10}"},
	}).expect(t, http.StatusOK, "create the item").str("id")

	// Receive: a serial off the item's rule and a branch that is not a
	// warehouse are the client's mistakes, named.
	bad := m.call(http.MethodPost, "/api/v1/units", warehouse, map[string]any{"itemId": itemID, "serialNumber": "X1", "warehouseId": branchID}).
		expect(t, http.StatusBadRequest, "receive off-rule into a branch")
	if !strings.Contains(string(bad.raw), "unit.serialNumber") {
		t.Errorf("the refusal does not name the serial: %s", bad.raw)
	}
	bad = m.call(http.MethodPost, "/api/v1/units", warehouse, map[string]any{"itemId": itemID, "serialNumber": "23150000001", "warehouseId": branchID}).
		expect(t, http.StatusBadRequest, "receive into a branch")
	if !strings.Contains(string(bad.raw), "unit.warehouseId") || !strings.Contains(string(bad.raw), "not a warehouse") {
		t.Errorf("the refusal does not name the warehouse: %s", bad.raw)
	}
	unitID := m.call(http.MethodPost, "/api/v1/units", warehouse, map[string]any{
		"itemId": itemID, "serialNumber": "23150000001", "warehouseId": warehouseID, "lot": "L2315"}).
		expect(t, http.StatusOK, "receive a unit").str("id")
	shipment := make([]any, 5)
	for i := range shipment {
		shipment[i] = map[string]any{"itemId": itemID, "serialNumber": fmt.Sprintf("2315000010%d", i), "lot": "L2315"}
	}
	m.call(http.MethodPost, "/api/v1/units:batchCreate", warehouse, map[string]any{"warehouseId": warehouseID, "units": shipment}).
		expect(t, http.StatusOK, "receive a shipment")
	onHand := func(want float64, what string) {
		t.Helper()
		r := m.call(http.MethodGet, "/api/v1/stock?warehouseId="+warehouseID, warehouse, nil).expect(t, http.StatusOK, "read stock")
		levels, _ := r.body["levels"].([]any)
		if len(levels) != 1 {
			t.Fatalf("%s: stock levels %s", what, r.raw)
		}
		if got := levels[0].(map[string]any)["onHand"]; got != want {
			t.Errorf("%s: on hand %v, want %v (%s)", what, got, want, r.raw)
		}
	}
	onHand(6, "after receiving")

	transition := func(token, kind string, extra map[string]any, want int) response {
		t.Helper()
		body := map[string]any{"kind": "UNIT_TRANSACTION_KIND_" + kind}
		for k, v := range extra {
			body[k] = v
		}
		return m.call(http.MethodPost, "/api/v1/units/"+unitID+":transition", token, body).expect(t, want, kind)
	}
	status := func(r response) string { return r.str("status") }
	if s := status(transition(warehouse, "RESERVE", nil, http.StatusOK)); s != "UNIT_STATUS_RESERVED" {
		t.Errorf("reserved unit is %s", s)
	}
	// Validation sees the reservation: a second reserve is refused.
	v := m.call(http.MethodGet, "/api/v1/serials/23150000001:validate?operation=UNIT_TRANSACTION_KIND_RESERVE&warehouseId="+warehouseID, warehouse, nil).
		expect(t, http.StatusOK, "validate the reserved serial")
	if v.body["valid"] == true || !strings.Contains(string(v.raw), "VALIDATION_REASON_STATUS_DOES_NOT_ALLOW") {
		t.Errorf("a reserved serial validates for reserve: %s", v.raw)
	}
	// The warehouse reads no patients, so it cannot rent to one; the owner
	// can, and a patient of another company is no patient at all.
	transition(warehouse, "RENT", map[string]any{"patientId": patientID}, http.StatusForbidden)
	transition(owner, "RENT", map[string]any{"patientId": "0195f3a2-0000-7000-8000-0000000000e9"}, http.StatusBadRequest)
	if r := transition(owner, "RENT", map[string]any{"patientId": patientID}, http.StatusOK); status(r) != "UNIT_STATUS_RENTED" || r.str("currentPatientId") != patientID {
		t.Errorf("rented unit: %s", r.raw)
	}
	// A second rent of the rented unit: the state machine refuses it.
	refused := transition(owner, "RENT", map[string]any{"patientId": patientID}, http.StatusBadRequest)
	if !strings.Contains(string(refused.raw), "UNIT_TRANSITION_NOT_ALLOWED") {
		t.Errorf("the refusal does not say why: %s", refused.raw)
	}
	if s := status(transition(warehouse, "RETURN", nil, http.StatusOK)); s != "UNIT_STATUS_MAINTENANCE" {
		t.Errorf("returned unit is %s, want maintenance", s)
	}
	onHand(5, "while the unit is in maintenance")

	today := m.call(http.MethodGet, "/api/v1/units/"+unitID, technician, nil).expect(t, http.StatusOK, "read the unit").body["updateTime"].(string)[:10]
	var y, mo, d int
	fmt.Sscanf(today, "%d-%d-%d", &y, &mo, &d)
	rec := m.call(http.MethodPost, "/api/v1/units/"+unitID+"/maintenanceRecords?release=true", technician, map[string]any{
		"problem": "Returned from rental", "workDone": "Cleaned, disinfected, pressure-tested", "technician": "J. Ortiz",
		"laborMinutes": 40, "performDate": date(y, mo, d), "nextDue": date(y+1, mo, 1),
	}).expect(t, http.StatusOK, "complete maintenance")
	if rec.body["released"] != true {
		t.Errorf("maintenance did not release the unit: %s", rec.raw)
	}
	after := m.call(http.MethodGet, "/api/v1/units/"+unitID, technician, nil).expect(t, http.StatusOK, "read the unit")
	if status(after) != "UNIT_STATUS_ON_HAND" || after.str("lastPatientId") != patientID {
		t.Errorf("after maintenance the unit is %s", after.raw)
	}
	onHand(6, "after maintenance")
	history := m.call(http.MethodGet, "/api/v1/units/"+unitID+"/transactions", auditor, nil).expect(t, http.StatusOK, "read the history")
	if txs, _ := history.body["transactions"].([]any); len(txs) != 5 {
		t.Errorf("history has %d transactions, want receive, reserve, rent, return, maintenance in: %s", len(txs), history.raw)
	}

	// A recall of the lot names all six units (none is with a patient now).
	recall := m.call(http.MethodGet, "/api/v1/recallHolders?scope.manufacturer=resmed&scope.lot=L2315", auditor, nil).
		expect(t, http.StatusOK, "list the lot's holders")
	if holders, _ := recall.body["holders"].([]any); len(holders) != 6 {
		t.Errorf("the lot's holders: %s", recall.raw)
	}

	// Another company sees none of it.
	m.call(http.MethodGet, "/api/v1/units/"+unitID, globex, nil).expect(t, http.StatusNotFound, "globex reads acme's unit")
	m.call(http.MethodGet, "/api/v1/items/"+itemID, globex, nil).expect(t, http.StatusNotFound, "globex reads acme's item")
	m.call(http.MethodPost, "/api/v1/units/"+unitID+":transition", globex, map[string]any{"kind": "UNIT_TRANSACTION_KIND_RESERVE"}).
		expect(t, http.StatusNotFound, "globex moves acme's unit")
	gv := m.call(http.MethodGet, "/api/v1/serials/23150000001:validate?operation=UNIT_TRANSACTION_KIND_RESERVE", globex, nil).
		expect(t, http.StatusOK, "globex validates acme's serial")
	if !strings.Contains(string(gv.raw), "VALIDATION_REASON_UNKNOWN_SERIAL") || gv.str("unitId") != "" {
		t.Errorf("globex learns of acme's serial: %s", gv.raw)
	}

	// Every step is in notify's audit trail, under the unit.
	actor := func(token string) string {
		return m.call(http.MethodGet, "/api/v1/auth/whoami", token, nil).expect(t, http.StatusOK, "whoami").str("subject")
	}
	waitForAudit(t, m, auditor, unitID, actor(warehouse), []string{"ReceiveUnit", "TransitionUnit"})
	waitForAudit(t, m, auditor, unitID, actor(technician), []string{"CreateMaintenanceRecord", "GetUnit"})
	waitForAudit(t, m, auditor, unitID, actor(owner), []string{"TransitionUnit"})
}
