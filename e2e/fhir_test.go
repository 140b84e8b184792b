package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// fhirCall sends a FHIR request to the gateway's /fhir/r4 with a bearer
// token; form, when set, is posted as a form body. The answer's body is
// decoded whatever its status, since FHIR errors are resources too.
func fhirCall(t *testing.T, m *mesh, method, path, token string, form url.Values) (int, map[string]any) {
	t.Helper()
	var body any
	if form != nil {
		body = form.Encode()
	}
	resp := m.callWith(method, "/fhir/r4"+path, body, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Accept", "application/fhir+json")
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	})
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Fatalf("%s %s: Content-Type %q; body %s", method, path, ct, resp.raw)
	}
	var out map[string]any
	if err := json.Unmarshal(resp.raw, &out); err != nil {
		t.Fatalf("%s %s: not JSON: %v\n%s", method, path, err, resp.raw)
	}
	return resp.status, out
}

// TestFHIRPatientAsPartner reads a patient registered over REST through the
// FHIR facade, as a partner system with a key exchanged for a bearer token:
// the identifiers as the service masks them for a role without patients.phi,
// a search by MBI in a form body, and another tenant's id as 404.
func TestFHIRPatientAsPartner(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	m.bootstrap("globex", "owner@globex.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	branchID := m.call(http.MethodPost, "/api/v1/locations", owner, newLocation("ATL-01")).
		expect(t, http.StatusOK, "create branch").str("id")
	created := m.call(http.MethodPost, "/api/v1/patients?requestId="+uuid.NewString(), owner, intakePatient(branchID)).
		expect(t, http.StatusOK, "create patient")
	patientID := created.str("id")

	// A partner that reads patients but not their PHI.
	key := m.call(http.MethodPost, "/api/v1/api-keys", owner, map[string]any{
		"apiKey": map[string]any{"clientName": "Acme EHR bridge", "roles": []string{"ROLE_AUDITOR"}},
	}).expect(t, http.StatusOK, "create the partner's key").str("secret")
	partner := m.call(http.MethodPost, "/api/v1/auth/token", "", map[string]string{"apiKey": key}).
		expect(t, http.StatusOK, "exchange the partner's key").str("accessToken")
	asREST := m.call(http.MethodGet, "/api/v1/patients/"+patientID, partner, nil).expect(t, http.StatusOK, "REST read")
	masked := asREST.str("mbi")
	if masked == "" || strings.Contains(masked, flowMBI) {
		t.Fatalf("REST shows the partner MBI %q; want it masked", masked)
	}

	status, p := fhirCall(t, m, http.MethodGet, "/Patient/"+patientID, partner, nil)
	if status != http.StatusOK || p["resourceType"] != "Patient" || p["id"] != patientID || p["birthDate"] != "1948-03-14" || p["gender"] != "female" {
		t.Fatalf("read: %d %v", status, p)
	}
	idents := map[string]string{}
	for _, i := range p["identifier"].([]any) {
		im := i.(map[string]any)
		system, _ := im["system"].(string)
		idents[system], _ = im["value"].(string)
	}
	if idents["http://hl7.org/fhir/sid/us-mbi"] != masked {
		t.Errorf("FHIR MBI %q, REST %q: the facade must pass the service's masking through", idents["http://hl7.org/fhir/sid/us-mbi"], masked)
	}
	if idents["https://ariesone.example/fhir/sid/account-number"] != created.str("accountNumber") {
		t.Errorf("account number identifier %q, want %q", idents["https://ariesone.example/fhir/sid/account-number"], created.str("accountNumber"))
	}
	if raw, _ := json.Marshal(p); strings.Contains(string(raw), flowSSN) || strings.Contains(string(raw), flowMBI) {
		t.Errorf("PHI in the clear: %s", raw)
	}

	for _, ident := range []string{"http://hl7.org/fhir/sid/us-mbi|" + flowMBI, created.str("accountNumber")} {
		status, b := fhirCall(t, m, http.MethodPost, "/Patient/_search", partner, url.Values{"identifier": {ident}})
		entries, _ := b["entry"].([]any)
		if status != http.StatusOK || b["type"] != "searchset" || len(entries) != 1 ||
			entries[0].(map[string]any)["resource"].(map[string]any)["id"] != patientID {
			t.Errorf("search %s: %d %v", ident, status, b)
		}
	}

	globex := login(t, m, "globex", "owner@globex.test", ownerPassword).str("accessToken")
	status, o := fhirCall(t, m, http.MethodGet, "/Patient/"+patientID, globex, nil)
	if status != http.StatusNotFound || o["resourceType"] != "OperationOutcome" {
		t.Errorf("another tenant's patient: %d %v", status, o)
	}
}
