package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// intakeBundle is a referral source's transaction: the patient, the
// prescriber and the coverage as its EHR knows them (by MBI, NPI and member
// id), and a DeviceRequest for a CPAP on capped rental that references
// them by fullUrl.
func intakeBundle(placerNumber, npi string, authored time.Time) map[string]any {
	return map[string]any{
		"resourceType": "Bundle", "type": "transaction",
		"entry": []any{
			map[string]any{
				"fullUrl": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0001",
				"resource": map[string]any{"resourceType": "Patient",
					"identifier": []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-mbi", "value": flowMBI}},
					"name":       []any{map[string]any{"family": "Okafor", "given": []any{"Margaret"}}},
					"birthDate":  "1948-03-14"},
				"request": map[string]any{"method": "POST", "url": "Patient",
					"ifNoneExist": "identifier=http://hl7.org/fhir/sid/us-mbi|" + flowMBI},
			},
			map[string]any{
				"fullUrl": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0002",
				"resource": map[string]any{"resourceType": "Practitioner",
					"identifier": []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-npi", "value": npi}}},
				"request": map[string]any{"method": "POST", "url": "Practitioner",
					"ifNoneExist": "identifier=http://hl7.org/fhir/sid/us-npi|" + npi},
			},
			map[string]any{
				"fullUrl": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0003",
				"resource": map[string]any{"resourceType": "Coverage", "status": "active",
					"subscriberId": flowMemberID1,
					"beneficiary":  map[string]any{"reference": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0001"},
					"payor":        []any{map[string]any{"display": "Medicare Part B"}}},
				"request": map[string]any{"method": "POST", "url": "Coverage"},
			},
			map[string]any{
				"fullUrl": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0004",
				"resource": map[string]any{"resourceType": "DeviceRequest",
					"identifier": []any{map[string]any{"system": "urn:oid:2.16.840.1.113883.3.72.5.9", "value": placerNumber}},
					"status":     "active", "intent": "order",
					"codeCodeableConcept": map[string]any{"coding": []any{map[string]any{
						"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "E0601", "display": "CPAP device"}}},
					"parameter": []any{
						map[string]any{
							"code":                 map[string]any{"coding": []any{map[string]any{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "hcpcs-modifier"}}},
							"valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "RR"}}},
						},
						map[string]any{
							"code":                 map[string]any{"coding": []any{map[string]any{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "line-type"}}},
							"valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": "https://ariesone.example/fhir/CodeSystem/line-type", "code": "capped-rental"}}},
						},
					},
					"subject":    map[string]any{"reference": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0001"},
					"requester":  map[string]any{"reference": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0002"},
					"insurance":  []any{map[string]any{"reference": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0003"}},
					"authoredOn": authored.Format(time.DateOnly),
					"reasonCode": []any{map[string]any{"coding": []any{map[string]any{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}}}},
				},
				"request": map[string]any{"method": "POST", "url": "DeviceRequest",
					"ifNoneExist": "identifier=urn:oid:2.16.840.1.113883.3.72.5.9|" + placerNumber},
			},
		},
	}
}

// postFHIR posts a resource to the facade as application/fhir+json.
func postFHIR(t *testing.T, m *mesh, path, token string, resource any, header map[string]string) (response, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(resource)
	if err != nil {
		t.Fatal(err)
	}
	resp := m.callWith(http.MethodPost, "/fhir/r4"+path, string(raw), func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/fhir+json")
		r.Header.Set("Accept", "application/fhir+json")
		for k, v := range header {
			r.Header.Set(k, v)
		}
	})
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Fatalf("POST %s: Content-Type %q; body %s", path, ct, resp.raw)
	}
	var out map[string]any
	if err := json.Unmarshal(resp.raw, &out); err != nil {
		t.Fatalf("POST %s: not JSON: %v\n%s", path, err, resp.raw)
	}
	return resp, out
}

// orderOfDeviceRequest is the order id inside a DeviceRequest id (the
// order's UUID as 32 hex digits, then the line's).
func orderOfDeviceRequest(t *testing.T, id string) string {
	t.Helper()
	if len(id) != 64 {
		t.Fatalf("DeviceRequest id %q is not a composite id", id)
	}
	h := id[:32]
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// TestFHIROrderIntake takes a DME order in as FHIR, the way a hospital's
// EHR sends it: a transaction Bundle drafts an order the REST API shows,
// matched to the supplier's patient, prescriber and signed written order;
// the same Bundle again drafts nothing new; a Bundle naming a prescriber
// the supplier does not know is refused, naming the identifier, with
// nothing written; and a DeviceRequest posted alone with If-None-Exist is
// 201 then 200.
func TestFHIROrderIntake(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	w := newOrderWorld(t, m, owner, "FI")
	key := m.call(http.MethodPost, "/api/v1/api-keys", owner, map[string]any{
		"apiKey": map[string]any{"clientName": "St. Mary's EHR referrals", "roles": []string{"ROLE_INTAKE"}},
	}).expect(t, http.StatusOK, "create the referral source's key").str("secret")
	ehr := m.call(http.MethodPost, "/api/v1/auth/token", "", map[string]string{"apiKey": key}).
		expect(t, http.StatusOK, "exchange the key").str("accessToken")
	_, now := today()
	orders := func() []any {
		t.Helper()
		list := m.call(http.MethodGet, "/api/v1/orders?patientId="+w.patient, owner, nil).expect(t, http.StatusOK, "list orders")
		out, _ := list.body["orders"].([]any)
		return out
	}
	placer := "ORD-" + uuid.NewString()[:8]
	bundle := intakeBundle(placer, "1234567893", now)

	var location string
	t.Run("a transaction drafts an order", func(t *testing.T) {
		resp, out := postFHIR(t, m, "", ehr, bundle, nil)
		if resp.status != http.StatusOK || out["type"] != "transaction-response" {
			t.Fatalf("transaction: %d %s", resp.status, resp.raw)
		}
		entries := out["entry"].([]any)
		if len(entries) != 4 {
			t.Fatalf("%d reply entries, want 4", len(entries))
		}
		wantMatched := []string{"Patient/" + w.patient, "Practitioner/" + w.prescriber}
		for i, want := range wantMatched {
			r := entries[i].(map[string]any)["response"].(map[string]any)
			if r["status"] != "200 OK" || r["location"] != want {
				t.Errorf("entry %d response %v, want 200 at %s", i, r, want)
			}
		}
		created := entries[3].(map[string]any)
		r := created["response"].(map[string]any)
		location, _ = r["location"].(string)
		if r["status"] != "201 Created" || !strings.HasPrefix(location, "DeviceRequest/") {
			t.Fatalf("DeviceRequest response %v", r)
		}
		dr := created["resource"].(map[string]any)
		if dr["status"] != "draft" || dr["subject"].(map[string]any)["reference"] != "Patient/"+w.patient {
			t.Errorf("created DeviceRequest %v", dr)
		}

		order := m.call(http.MethodGet, "/api/v1/orders/"+orderOfDeviceRequest(t, strings.TrimPrefix(location, "DeviceRequest/")), owner, nil).
			expect(t, http.StatusOK, "the REST API shows the drafted order")
		if order.str("status") != "ORDER_STATUS_DRAFT" || order.str("patientId") != w.patient ||
			order.str("writtenOrderId") != w.writtenOrder || order.str("warehouseId") != w.warehouse || order.str("branchId") != w.branch {
			t.Errorf("order %s", order.raw)
		}
		ls := lines(order)
		if len(ls) != 1 || ls[0]["hcpcs"] != "E0601" || ls[0]["itemId"] != w.cpap || ls[0]["type"] != "LINE_TYPE_CAPPED_RENTAL" {
			t.Errorf("lines %v", ls)
		}
		if n := len(orders()); n != 1 {
			t.Errorf("%d orders after the intake, want 1", n)
		}
	})

	t.Run("the same Bundle again drafts nothing new", func(t *testing.T) {
		resp, out := postFHIR(t, m, "", ehr, bundle, nil)
		if resp.status != http.StatusOK {
			t.Fatalf("retry: %d %s", resp.status, resp.raw)
		}
		r := out["entry"].([]any)[3].(map[string]any)["response"].(map[string]any)
		if r["status"] != "200 OK" || r["location"] != location {
			t.Errorf("retry response %v, want 200 at %s", r, location)
		}
		if n := len(orders()); n != 1 {
			t.Errorf("%d orders after the retry, want 1", n)
		}
	})

	t.Run("an unknown prescriber NPI is refused, naming it", func(t *testing.T) {
		resp, out := postFHIR(t, m, "", ehr, intakeBundle("ORD-"+uuid.NewString()[:8], "1999999992", now), nil)
		if resp.status != http.StatusUnprocessableEntity || out["resourceType"] != "OperationOutcome" {
			t.Fatalf("unknown NPI: %d %s", resp.status, resp.raw)
		}
		issue := out["issue"].([]any)[0].(map[string]any)
		expr, _ := issue["expression"].([]any)
		if len(expr) != 1 || expr[0] != "Bundle.entry[1].resource.identifier" || !strings.Contains(issue["diagnostics"].(string), "1999999992") {
			t.Errorf("issue %v", issue)
		}
		if n := len(orders()); n != 1 {
			t.Errorf("%d orders after the refusal, want 1", n)
		}
	})

	t.Run("a DeviceRequest alone: conditional create is 201, then 200", func(t *testing.T) {
		dr := bundle["entry"].([]any)[3].(map[string]any)["resource"].(map[string]any)
		alone := map[string]any{}
		for k, v := range dr {
			alone[k] = v
		}
		other := "ORD-" + uuid.NewString()[:8]
		alone["identifier"] = []any{map[string]any{"system": "urn:oid:2.16.840.1.113883.3.72.5.9", "value": other}}
		alone["subject"] = map[string]any{"reference": "Patient/" + w.patient}
		alone["requester"] = map[string]any{"identifier": map[string]any{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}}
		delete(alone, "insurance")
		cond := map[string]string{"If-None-Exist": "identifier=urn:oid:2.16.840.1.113883.3.72.5.9|" + other}
		first, body := postFHIR(t, m, "/DeviceRequest", ehr, alone, cond)
		if first.status != http.StatusCreated || !strings.HasSuffix(first.header.Get("Location"), "/fhir/r4/DeviceRequest/"+body["id"].(string)) {
			t.Fatalf("create: %d Location %q %s", first.status, first.header.Get("Location"), first.raw)
		}
		again, _ := postFHIR(t, m, "/DeviceRequest", ehr, alone, cond)
		if again.status != http.StatusOK || again.header.Get("Location") != first.header.Get("Location") {
			t.Errorf("conditional retry: %d Location %q", again.status, again.header.Get("Location"))
		}
		if n := len(orders()); n != 2 {
			t.Errorf("%d orders, want 2", n)
		}
	})

	t.Run("a referral for the CPAP and its masks is one order of two lines", func(t *testing.T) {
		two := intakeBundle("ORD-"+uuid.NewString()[:8], "1234567893", now)
		entries := two["entry"].([]any)
		cpap := entries[3].(map[string]any)
		mask := map[string]any{}
		for k, v := range cpap["resource"].(map[string]any) {
			mask[k] = v
		}
		mask["identifier"] = []any{map[string]any{"system": "urn:oid:2.16.840.1.113883.3.72.5.9", "value": "ORD-" + uuid.NewString()[:8]}}
		mask["codeCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "A7030"}}}
		mask["parameter"] = []any{
			map[string]any{
				"code":                 map[string]any{"coding": []any{map[string]any{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "hcpcs-modifier"}}},
				"valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "NU"}}},
			},
			map[string]any{
				"code":          map[string]any{"coding": []any{map[string]any{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "quantity"}}},
				"valueQuantity": map[string]any{"value": 2},
			},
		}
		two["entry"] = append(entries, map[string]any{"fullUrl": "urn:uuid:6f1c3c9e-0d5e-4d44-9a57-1f3f5e1a0005", "resource": mask,
			"request": map[string]any{"method": "POST", "url": "DeviceRequest"}})
		resp, out := postFHIR(t, m, "", ehr, two, nil)
		if resp.status != http.StatusOK {
			t.Fatalf("transaction: %d %s", resp.status, resp.raw)
		}
		replies := out["entry"].([]any)
		loc := func(i int) string {
			r := replies[i].(map[string]any)["response"].(map[string]any)
			if r["status"] != "201 Created" {
				t.Errorf("entry %d: %v", i, r)
			}
			l, _ := r["location"].(string)
			return strings.TrimPrefix(l, "DeviceRequest/")
		}
		orderID := orderOfDeviceRequest(t, loc(3))
		if orderOfDeviceRequest(t, loc(4)) != orderID {
			t.Errorf("the two DeviceRequests drafted two orders")
		}
		order := m.call(http.MethodGet, "/api/v1/orders/"+orderID, owner, nil).expect(t, http.StatusOK, "the REST API shows the order")
		ls := lines(order)
		if len(ls) != 2 || ls[0]["hcpcs"] != "E0601" || ls[1]["hcpcs"] != "A7030" || ls[1]["itemId"] != w.mask ||
			ls[1]["type"] != "LINE_TYPE_ONE_TIME_SALE" || order.str("writtenOrderId") != w.writtenOrder {
			t.Errorf("order %s", order.raw)
		}
	})

	t.Run("REST marks a retried create too", func(t *testing.T) {
		path := "/api/v1/locations?requestId=" + uuid.NewString()
		first := m.call(http.MethodPost, path, owner, newLocation("FI-BR2")).expect(t, http.StatusOK, "create a branch")
		again := m.call(http.MethodPost, path, owner, newLocation("FI-BR2")).expect(t, http.StatusOK, "the same create again")
		if first.header.Get("Idempotent-Replayed") != "" || again.header.Get("Idempotent-Replayed") != "true" || again.str("id") != first.str("id") {
			t.Errorf("Idempotent-Replayed: first %q, again %q; ids %s %s", first.header.Get("Idempotent-Replayed"),
				again.header.Get("Idempotent-Replayed"), first.str("id"), again.str("id"))
		}
	})
}
