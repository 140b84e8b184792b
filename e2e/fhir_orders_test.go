package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Code systems and identifier systems the facade publishes; partners match
// on them, so the test spells them out rather than borrowing the facade's
// constants.
const (
	fhirSystemHCPCS   = "https://bluebutton.cms.gov/resources/codesystem/hcpcs"
	fhirSystemMBI     = "http://hl7.org/fhir/sid/us-mbi"
	fhirSystemPayerID = "https://ariesone.example/fhir/sid/payer-id"
	fhirSystemOrderID = "https://ariesone.example/fhir/sid/order-id"
	fhirSystemLineID  = "https://ariesone.example/fhir/sid/order-line-id"
	fhirSystemProofID = "https://ariesone.example/fhir/sid/delivery-id"
)

// pagingFamily is the family name the paged search matches: no other
// patient of the test bears it or a name it starts, so one search by it
// finds exactly the patients registered for paging.
const pagingFamily = "Quillfeather"

// pagingMBIPrefix starts the paging patients' MBIs; masking hides it.
const pagingMBIPrefix = "7KM4TE"

// TestFHIRReadsAfterTheOrdersFlow reads through /fhir/r4, as partner systems
// holding API keys, what the orders flow leaves behind for one patient:
// the Patient, their Coverage, a DeviceRequest per order line, the
// delivered unit as a Device and a SupplyDelivery per delivered line, each
// found by a search on the patient and read again by the id the search
// gave. It proves the facade is a faithful window onto the services rather
// than a second source of truth: the codes, statuses, serial and
// references are those the REST flow produced; a key without patients.phi
// sees the MBI and member id exactly as masked over REST while a billing
// key sees them in clear; another company's key gets 404 for every id and
// empty Bundles for every search by the patient; a 250-patient search
// walks in five pages of 50 by posting the criteria again to each next
// link; and every one of those calls is in notify's audit trail under the
// request id the gateway answered with, the key as its actor.
func TestFHIRReadsAfterTheOrdersFlow(t *testing.T) {
	// The paging patients are registered in a burst from one address;
	// the default write and per-address budgets are sized for offices.
	m := startMesh(t, "RATE_LIMIT_WRITE=100000/s:100000", "RATE_LIMIT_EDGE=100000/s:100000")
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	m.bootstrap("globex", "owner@globex.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	globexOwner := login(t, m, "globex", "owner@globex.test", ownerPassword).str("accessToken")

	w := newOrderWorld(t, m, owner, "FH")
	d := deliverCPAPOrder(t, m, owner, w)
	patient := w.patient

	billing := newFHIRPartner(t, m, owner, "Acme billing service", "ROLE_BILLING", "ROLE_PARTNER")
	bridge := newFHIRPartner(t, m, owner, "Acme EHR bridge", "ROLE_AUDITOR")
	outsider := newFHIRPartner(t, m, globexOwner, "Globex billing service", "ROLE_BILLING", "ROLE_PARTNER")

	// The billing key holds patients.phi: identifiers in clear.
	p := billing.read("/Patient/"+patient, "Patient", "GetPatient")
	if p["id"] != patient || fhirIdentifier(p, fhirSystemMBI, "") != flowMBI {
		t.Errorf("Patient as billing: want id %s and MBI %s in clear; got %v", patient, flowMBI, p)
	}
	if mbi := m.call(http.MethodGet, "/api/v1/patients/"+patient, billing.token, nil).expect(t, http.StatusOK, "REST read as billing").str("mbi"); mbi != flowMBI {
		t.Errorf("REST shows billing MBI %q, want %q", mbi, flowMBI)
	}

	coverages := billing.search("/Coverage?patient="+patient, nil, "ListCoverages")
	if len(coverages) != 1 {
		t.Fatalf("Coverage?patient: %d entries, want the 1 coverage: %v", len(coverages), coverages)
	}
	cov := coverages[0]
	coverageID, _ := cov["id"].(string)
	checkCoverage(t, cov, patient, w.payer, flowMemberID1)
	if again := billing.read("/Coverage/"+coverageID, "Coverage", "GetCoverage"); again["id"] != coverageID {
		t.Errorf("Coverage/%s read back as %v", coverageID, again["id"])
	} else {
		checkCoverage(t, again, patient, w.payer, flowMemberID1)
	}

	requests := billing.search("/DeviceRequest?patient="+patient, nil, "ListOrders")
	if len(requests) != 2 {
		t.Fatalf("DeviceRequest?patient: %d entries, want one per order line (2): %v", len(requests), requests)
	}
	byCode := map[string]map[string]any{}
	for _, r := range requests {
		byCode[fhirCode(r["codeCodeableConcept"], fhirSystemHCPCS)] = r
	}
	cpapRequest, maskRequest := byCode["E0601"], byCode["A7030"]
	if cpapRequest == nil || maskRequest == nil {
		t.Fatalf("DeviceRequest codes: want E0601 and A7030 in %s; got %v", fhirSystemHCPCS, requests)
	}
	// The CPAP is a capped rental still with the patient, so its request
	// is being fulfilled; the masks were sold and handed over.
	checkDeviceRequest(t, cpapRequest, d, 0, "active", patient, w.prescriber, coverageID)
	checkDeviceRequest(t, maskRequest, d, 1, "completed", patient, w.prescriber, coverageID)
	for _, r := range []map[string]any{cpapRequest, maskRequest} {
		id, _ := r["id"].(string)
		again := billing.read("/DeviceRequest/"+id, "DeviceRequest", "GetOrder")
		if again["id"] != id || again["status"] != r["status"] || fhirCode(again["codeCodeableConcept"], fhirSystemHCPCS) != fhirCode(r["codeCodeableConcept"], fhirSystemHCPCS) {
			t.Errorf("DeviceRequest/%s read back differs from its search entry:\n%v\n%v", id, again, r)
		}
	}

	devices := billing.search("/Device?patient=Patient/"+patient, nil, "ListUnits", "GetItem")
	if len(devices) != 1 {
		t.Fatalf("Device?patient: %d entries, want the 1 rented unit: %v", len(devices), devices)
	}
	checkDevice(t, devices[0], d, patient)
	checkDevice(t, billing.read("/Device/"+d.unitID, "Device", "GetUnit", "GetItem"), d, patient)

	deliveries := billing.search("/SupplyDelivery?patient="+patient, nil, "ListOrders", "ListDeliveries")
	if len(deliveries) != 2 {
		t.Fatalf("SupplyDelivery?patient: %d entries, want one per delivered line (2): %v", len(deliveries), deliveries)
	}
	for _, sd := range deliveries {
		id, _ := sd["id"].(string)
		checkSupplyDelivery(t, sd, d, patient)
		if again := billing.read("/SupplyDelivery/"+id, "SupplyDelivery", "GetOrder", "ListDeliveries"); again["id"] != id {
			t.Errorf("SupplyDelivery/%s read back as %v", id, again["id"])
		} else {
			checkSupplyDelivery(t, again, d, patient)
		}
	}
	if deliveries[0]["id"] != cpapRequest["id"] && deliveries[1]["id"] != cpapRequest["id"] {
		t.Errorf("no SupplyDelivery shares the CPAP DeviceRequest's id %v: %v", cpapRequest["id"], deliveries)
	}

	// The bridge's key has no patients.phi: the facade must show exactly
	// what the service masks for it over REST, not the clear value and not
	// a masking of its own.
	maskedMBI := m.call(http.MethodGet, "/api/v1/patients/"+patient, bridge.token, nil).expect(t, http.StatusOK, "REST read as the bridge").str("mbi")
	restCoverages := m.call(http.MethodGet, "/api/v1/patients/"+patient+"/coverages", bridge.token, nil).
		expect(t, http.StatusOK, "REST coverages as the bridge")
	listed, _ := restCoverages.body["coverages"].([]any)
	if len(listed) != 1 {
		t.Fatalf("REST coverages as the bridge: %s", restCoverages.raw)
	}
	maskedMember, _ := listed[0].(map[string]any)["memberId"].(string)
	if maskedMBI == "" || strings.Contains(maskedMBI, flowMBI) || maskedMember == "" || strings.Contains(maskedMember, flowMemberID1) {
		t.Fatalf("REST shows the bridge MBI %q and member id %q; want both masked", maskedMBI, maskedMember)
	}
	bp := bridge.read("/Patient/"+patient, "Patient", "GetPatient")
	if got := fhirIdentifier(bp, fhirSystemMBI, ""); got != maskedMBI {
		t.Errorf("Patient as the bridge: MBI %q, want %q as REST masks it", got, maskedMBI)
	}
	bc := bridge.read("/Coverage/"+coverageID, "Coverage", "GetCoverage")
	checkCoverage(t, bc, patient, w.payer, maskedMember)
	bcs := bridge.search("/Coverage?beneficiary=Patient/"+patient, nil, "ListCoverages")
	if len(bcs) != 1 || bcs[0]["id"] != coverageID {
		t.Fatalf("Coverage?beneficiary as the bridge: want %s; got %v", coverageID, bcs)
	}
	checkCoverage(t, bcs[0], patient, w.payer, maskedMember)
	for _, res := range []map[string]any{bp, bc, bcs[0]} {
		if raw, _ := json.Marshal(res); strings.Contains(string(raw), flowMBI) || strings.Contains(string(raw), flowSSN) ||
			strings.Contains(string(raw), flowMemberID1) {
			t.Errorf("PHI in the clear for a key without patients.phi: %s", raw)
		}
	}

	// Company B holds a key that could read all of this in its own
	// company. Acme's ids must not exist for it, and a search by acme's
	// patient matches nothing, which FHIR answers with an empty searchset:
	// an error is for a search that could not be run.
	for _, read := range []struct{ path, method string }{
		{"/Patient/" + patient, "GetPatient"},
		{"/Coverage/" + coverageID, "GetCoverage"},
		{"/DeviceRequest/" + cpapRequest["id"].(string), "GetOrder"},
		{"/DeviceRequest/" + maskRequest["id"].(string), "GetOrder"},
		{"/Device/" + d.unitID, "GetUnit"},
		{"/SupplyDelivery/" + cpapRequest["id"].(string), "GetOrder"},
	} {
		status, o := outsider.do(http.MethodGet, read.path, nil, read.method)
		if status != http.StatusNotFound || o["resourceType"] != "OperationOutcome" || fhirIssueCode(o) != "not-found" {
			t.Errorf("globex reads %s: %d %v; want 404 OperationOutcome not-found", read.path, status, o)
		}
	}
	for _, search := range []struct {
		path    string
		form    url.Values
		methods []string
	}{
		{"/Coverage?patient=" + patient, nil, []string{"ListCoverages"}},
		{"/DeviceRequest?patient=" + patient, nil, []string{"ListOrders"}},
		{"/Device?patient=" + patient, nil, []string{"ListUnits"}},
		{"/SupplyDelivery?patient=" + patient, nil, []string{"ListOrders"}},
		{"/Patient/_search", url.Values{"identifier": {fhirSystemMBI + "|" + flowMBI}}, []string{"SearchPatients"}},
	} {
		method := http.MethodGet
		if search.form != nil {
			method = http.MethodPost
		}
		status, b := outsider.do(method, search.path, search.form, search.methods...)
		if _, hasEntries := b["entry"]; status != http.StatusOK || b["resourceType"] != "Bundle" || b["type"] != "searchset" || hasEntries {
			t.Errorf("globex searches %s %v: %d %v; want 200 and an empty searchset Bundle", search.path, search.form, status, b)
		}
	}

	// Paging: 250 patients found by one search, walked 50 at a time.
	created := registerPagingPatients(t, m, owner, w.branch, 250)
	pages := bridge.walkPatientSearch(url.Values{"name": {pagingFamily}}, 50)
	var counts []int
	seen := map[string]bool{}
	for _, page := range pages {
		counts = append(counts, len(page))
		for _, r := range page {
			id, _ := r["id"].(string)
			if seen[id] {
				t.Errorf("patient %s on two pages", id)
			}
			seen[id] = true
			if names, _ := r["name"].([]any); len(names) != 1 || names[0].(map[string]any)["family"] != pagingFamily {
				t.Errorf("paged search matched %s named %v", id, r["name"])
			}
			if mbi := fhirIdentifier(r, fhirSystemMBI, ""); mbi == "" || strings.HasPrefix(mbi, pagingMBIPrefix) {
				t.Errorf("paged search shows the bridge %s's MBI as %q; want it masked", id, mbi)
			}
		}
	}
	if !slices.Equal(counts, []int{50, 50, 50, 50, 50}) {
		t.Errorf("pages of the 250-patient search hold %v, want five of 50", counts)
	}
	for _, id := range created {
		if !seen[id] {
			t.Errorf("registered patient %s is on no page", id)
		}
	}
	if len(seen) != len(created) {
		t.Errorf("the pages hold %d distinct patients, want the %d registered", len(seen), len(created))
	}

	billing.waitAudited(owner)
	bridge.waitAudited(owner)
	outsider.waitAudited(globexOwner)
}

// deliveredOrder is what the orders flow left: the order, its proof of
// delivery, and per line (CPAP first, then the masks) its id; the CPAP's
// unit and serial.
type deliveredOrder struct {
	orderID, deliveryID string
	lineIDs             []string
	unitID, serial      string
}

// deliverCPAPOrder drives w's CPAP order through create, submit, approve
// and delivery over REST as the owner, and waits until serials has rented
// the unit to the patient: the Device search finds units by their renter,
// which serials records from the delivered event, not synchronously.
func deliverCPAPOrder(t *testing.T, m *mesh, owner string, w orderWorld) deliveredOrder {
	t.Helper()
	orderID := m.call(http.MethodPost, "/api/v1/orders?requestId="+uuid.NewString(), owner, w.cpapOrder()).
		expect(t, http.StatusOK, "draft the order").str("id")
	m.call(http.MethodPost, "/api/v1/orders/"+orderID+":submit", owner, map[string]any{}).expect(t, http.StatusOK, "submit")
	approved := m.call(http.MethodPost, "/api/v1/orders/"+orderID+":approve", owner, map[string]any{}).expect(t, http.StatusOK, "approve")
	delivery := m.call(http.MethodPost, "/api/v1/orders/"+orderID+"/deliveries?requestId="+uuid.NewString(), owner,
		proofOf(approved, w.today, nil)).expect(t, http.StatusOK, "record the delivery")
	d := deliveredOrder{orderID: orderID, deliveryID: delivery.str("id")}
	for _, l := range lines(approved) {
		id, _ := l["id"].(string)
		d.lineIDs = append(d.lineIDs, id)
	}
	cpap := lines(approved)[0]
	d.unitID, _ = cpap["unitId"].(string)
	d.serial, _ = cpap["serialNumber"].(string)
	if len(d.lineIDs) != 2 || d.unitID == "" || d.serial == "" || !slices.Contains(w.cpapSerials, d.serial) {
		t.Fatalf("the approved order does not reserve one of the CPAPs received: %s", approved.raw)
	}
	waitUnit(t, m, owner, d.unitID, "rented after delivery", func(r response) bool {
		return r.str("status") == "UNIT_STATUS_RENTED" && r.str("currentPatientId") == w.patient
	})
	return d
}

// fhirPartner is a partner system calling the facade with the token its API
// key was exchanged for. It keeps every call's request id and the gRPC
// methods the facade must have called for it, for the audit check.
type fhirPartner struct {
	t            *testing.T
	m            *mesh
	name         string
	keyID, token string
	calls        []fhirAuditedCall
}

// fhirAuditedCall is one FHIR request and what it must have left in the
// audit trail: a record per method, under its request id, with one of
// codes as its outcome.
type fhirAuditedCall struct {
	what, requestID string
	methods, codes  []string
}

// newFHIRPartner creates an API key with roles in the company of owner and
// exchanges it for a bearer token.
func newFHIRPartner(t *testing.T, m *mesh, owner, name string, roles ...string) *fhirPartner {
	t.Helper()
	created := m.call(http.MethodPost, "/api/v1/api-keys", owner, map[string]any{
		"apiKey": map[string]any{"clientName": name, "roles": roles},
	}).expect(t, http.StatusOK, "create the key of "+name)
	key, _ := created.body["apiKey"].(map[string]any)
	keyID, _ := key["id"].(string)
	if keyID == "" || created.str("secret") == "" {
		t.Fatalf("the key of %s: %s", name, created.raw)
	}
	token := m.call(http.MethodPost, "/api/v1/auth/token", "", map[string]string{"apiKey": created.str("secret")}).
		expect(t, http.StatusOK, "exchange the key of "+name).str("accessToken")
	return &fhirPartner{t: t, m: m, name: name, keyID: keyID, token: token}
}

// do sends a FHIR request (path under /fhir/r4; form, when set, as a form
// body) and records it with the gRPC methods it must have caused. The body
// is decoded whatever the status: FHIR errors are resources too.
func (p *fhirPartner) do(method, path string, form url.Values, methods ...string) (int, map[string]any) {
	p.t.Helper()
	var body any
	if form != nil {
		body = form.Encode()
	}
	resp := p.m.callWith(method, "/fhir/r4"+path, body, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+p.token)
		r.Header.Set("Accept", "application/fhir+json")
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	})
	what := fmt.Sprintf("%s %s %s", method, path, form.Encode())
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		p.t.Fatalf("%s as %s: Content-Type %q; body %s", what, p.name, ct, resp.raw)
	}
	var out map[string]any
	if err := json.Unmarshal(resp.raw, &out); err != nil {
		p.t.Fatalf("%s as %s: not JSON: %v\n%s", what, p.name, err, resp.raw)
	}
	requestID := resp.header.Get("X-Request-Id")
	if requestID == "" {
		p.t.Fatalf("%s as %s: no X-Request-Id", what, p.name)
	}
	// The outcomes the services may have recorded for the answer given. A
	// search that found nothing may rest on a service's NOT_FOUND for the
	// patient it names: empty is the same answer either way.
	var codes []string
	switch _, found := out["entry"]; {
	case resp.status == http.StatusOK && out["resourceType"] == "Bundle" && !found:
		codes = []string{"OK", "NOT_FOUND"}
	case resp.status == http.StatusOK:
		codes = []string{"OK"}
	case resp.status == http.StatusNotFound:
		codes = []string{"NOT_FOUND"}
	}
	p.calls = append(p.calls, fhirAuditedCall{what: what, requestID: requestID, codes: codes, methods: methods})
	return resp.status, out
}

// read GETs one resource and fails unless it is a 200 of type typ.
func (p *fhirPartner) read(path, typ string, methods ...string) map[string]any {
	p.t.Helper()
	status, r := p.do(http.MethodGet, path, nil, methods...)
	if status != http.StatusOK || r["resourceType"] != typ {
		p.t.Fatalf("GET %s as %s: %d %v; want 200 %s", path, p.name, status, r, typ)
	}
	return r
}

// search runs a search (GET with the criteria in path, or POST of form to
// path) and returns the resources of its only page.
func (p *fhirPartner) search(path string, form url.Values, methods ...string) []map[string]any {
	p.t.Helper()
	method := http.MethodGet
	if form != nil {
		method = http.MethodPost
	}
	status, b := p.do(method, path, form, methods...)
	if status != http.StatusOK {
		p.t.Fatalf("%s %s %v as %s: %d %v; want 200", method, path, form, p.name, status, b)
	}
	if next := fhirNextLink(b); next != "" {
		p.t.Fatalf("%s %s as %s: a next link %s, want one page", method, path, p.name, next)
	}
	return fhirEntries(p.t, path, b)
}

// walkPatientSearch posts criteria to Patient/_search with _count and then,
// as the facade documents for searches whose criteria identify people,
// posts the same criteria again to each next link, which carries only the
// page size and token. It returns the resources of every page.
func (p *fhirPartner) walkPatientSearch(criteria url.Values, count int) [][]map[string]any {
	p.t.Helper()
	path := fmt.Sprintf("/Patient/_search?_count=%d", count)
	linkPrefix := p.m.rest + "/fhir/r4"
	var pages [][]map[string]any
	for range 10 {
		status, b := p.do(http.MethodPost, path, criteria, "SearchPatients")
		if status != http.StatusOK {
			p.t.Fatalf("POST %s %v as %s: %d %v", path, criteria, p.name, status, b)
		}
		pages = append(pages, fhirEntries(p.t, path, b))
		next := fhirNextLink(b)
		if next == "" {
			return pages
		}
		rest, ok := strings.CutPrefix(next, linkPrefix)
		if !ok || !strings.HasPrefix(rest, "/Patient/_search?") {
			p.t.Fatalf("page %d's next link %q: want a POST target under %s", len(pages), next, linkPrefix)
		}
		u, err := url.Parse(next)
		if err != nil {
			p.t.Fatalf("page %d's next link %q: %v", len(pages), next, err)
		}
		// Only the page size and the token: criteria that identify people
		// stay out of URLs, and a criterion in the link as well as in the
		// body would be a repeated parameter.
		if q := u.Query(); len(q) != 2 || q.Get("_count") != fmt.Sprint(count) || q.Get("_page_token") == "" {
			p.t.Fatalf("page %d's next link %q: want only _count=%d and a page token", len(pages), next, count)
		}
		path = rest
	}
	p.t.Fatalf("the search by %v has more than 10 pages of %d", criteria, count)
	return nil
}

// waitAudited polls notify's audit trail, as the company's owner, until
// every call p made is there: under the call's request id, one record per
// method the facade called, with an outcome matching the answer, the key as
// actor. Most records are written after the answer, so they may lag.
func (p *fhirPartner) waitAudited(owner string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := p.m.call(http.MethodGet, "/api/v1/audit-records?pageSize=1000&actorId="+p.keyID, owner, nil).
			expect(p.t, http.StatusOK, "list "+p.name+"'s audit records")
		records, _ := r.body["auditRecords"].([]any)
		// request id → method → outcome codes, of records by this key.
		trail := map[string]map[string][]string{}
		for _, x := range records {
			rec, _ := x.(map[string]any)
			if rec["actorId"] != p.keyID || rec["actorKind"] != "api_key" {
				p.t.Fatalf("listing by actor %s returned a record of %v (%v)", p.keyID, rec["actorId"], rec["actorKind"])
			}
			requestID, _ := rec["requestId"].(string)
			method, _ := rec["method"].(string)
			code, _ := rec["code"].(string)
			if trail[requestID] == nil {
				trail[requestID] = map[string][]string{}
			}
			short := method[strings.LastIndex(method, "/")+1:]
			trail[requestID][short] = append(trail[requestID][short], code)
		}
		var missing []string
		for _, c := range p.calls {
			for _, method := range c.methods {
				if !slices.ContainsFunc(trail[c.requestID][method], func(code string) bool { return slices.Contains(c.codes, code) }) {
					missing = append(missing, fmt.Sprintf("%s (%s): %s %v, has %v", c.what, c.requestID, method, c.codes, trail[c.requestID][method]))
				}
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("after 30s the audit trail of %s (%d records) lacks %d of the calls its FHIR requests made:\n%s",
				p.name, len(records), len(missing), strings.Join(missing, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// registerPagingPatients registers n patients of family pagingFamily at
// branch, 8 at a time, and returns their ids. Birth dates differ, so the
// duplicate rule (same names and birth date) does not refuse them, and so
// do their MBIs.
func registerPagingPatients(t *testing.T, m *mesh, token, branch string, n int) []string {
	t.Helper()
	var (
		mu       sync.Mutex
		ids      []string
		failures []string
		wg       sync.WaitGroup
	)
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				p := intakePatient(branch)
				born := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
				p["lastName"], p["birthDate"] = pagingFamily, dateOf(born)
				// An MBI's 7th, 10th and 11th characters are digits.
				p["mbi"], p["ssn"], p["medicaidId"] = fmt.Sprintf("%s%dMK%02d", pagingMBIPrefix, i/100, i%100), "", ""
				r := m.call(http.MethodPost, "/api/v1/patients?requestId="+uuid.NewString(), token, p)
				mu.Lock()
				if r.status == http.StatusOK && r.str("id") != "" {
					ids = append(ids, r.str("id"))
				} else {
					failures = append(failures, fmt.Sprintf("patient %d: %d %s", i, r.status, r.raw))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if len(failures) > 0 || len(ids) != n {
		t.Fatalf("registered %d of %d paging patients:\n%s", len(ids), n, strings.Join(failures, "\n"))
	}
	return ids
}

// checkCoverage checks a Coverage mapped from the world's coverage:
// the patient covers themself under the payer, primary, with member.
func checkCoverage(t *testing.T, c map[string]any, patient, payer, member string) {
	t.Helper()
	if c["status"] != "active" || fhirRef(c["beneficiary"]) != "Patient/"+patient || fhirRef(c["subscriber"]) != "Patient/"+patient ||
		c["order"] != float64(1) || fhirCode(c["relationship"], "http://terminology.hl7.org/CodeSystem/subscriber-relationship") != "self" {
		t.Errorf("Coverage %v: want active, primary, beneficiary and subscriber Patient/%s (self): %v", c["id"], patient, c)
	}
	payors, _ := c["payor"].([]any)
	if len(payors) != 1 {
		t.Errorf("Coverage %v: payor %v, want the one payer", c["id"], c["payor"])
	} else {
		pr, _ := payors[0].(map[string]any)
		ident, _ := pr["identifier"].(map[string]any)
		if pr["type"] != "Organization" || ident["system"] != fhirSystemPayerID || ident["value"] != payer {
			t.Errorf("Coverage %v: payor %v, want an Organization identified by payer id %s", c["id"], pr, payer)
		}
	}
	if c["subscriberId"] != member || fhirIdentifier(c, "", "MB") != member {
		t.Errorf("Coverage %v: subscriberId %v and member identifier %q, want %q", c["id"], c["subscriberId"], fhirIdentifier(c, "", "MB"), member)
	}
}

// checkDeviceRequest checks the DeviceRequest of line i of d's order.
func checkDeviceRequest(t *testing.T, r map[string]any, d deliveredOrder, i int, status, patient, prescriber, coverageID string) {
	t.Helper()
	group, _ := r["groupIdentifier"].(map[string]any)
	if r["status"] != status || r["intent"] != "order" || fhirRef(r["subject"]) != "Patient/"+patient ||
		fhirRef(r["requester"]) != "Practitioner/"+prescriber || fhirIdentifier(r, fhirSystemLineID, "") != d.lineIDs[i] ||
		group["system"] != fhirSystemOrderID || group["value"] != d.orderID {
		t.Errorf("DeviceRequest of line %d: want status %s, subject Patient/%s, requester Practitioner/%s, line %s of order %s; got %v",
			i, status, patient, prescriber, d.lineIDs[i], d.orderID, r)
	}
	insurance, _ := r["insurance"].([]any)
	if len(insurance) != 1 || fhirRef(insurance[0]) != "Coverage/"+coverageID {
		t.Errorf("DeviceRequest of line %d: insurance %v, want Coverage/%s as the Coverage search gave it", i, r["insurance"], coverageID)
	}
	reasons, _ := r["reasonCode"].([]any)
	if len(reasons) != 1 || fhirCode(reasons[0], "http://hl7.org/fhir/sid/icd-10-cm") != "G47.33" {
		t.Errorf("DeviceRequest of line %d: reasonCode %v, want G47.33", i, r["reasonCode"])
	}
}

// checkDevice checks the Device of d's CPAP, rented to patient.
func checkDevice(t *testing.T, dev map[string]any, d deliveredOrder, patient string) {
	t.Helper()
	if dev["id"] != d.unitID || dev["serialNumber"] != d.serial || dev["status"] != "active" ||
		fhirRef(dev["patient"]) != "Patient/"+patient || fhirCode(dev["type"], fhirSystemHCPCS) != "E0601" {
		t.Errorf("Device: want unit %s serial %s, E0601, with Patient/%s; got %v", d.unitID, d.serial, patient, dev)
	}
	props, _ := dev["property"].([]any)
	if raw, _ := json.Marshal(props); len(props) != 1 || !strings.Contains(string(raw), `"code":"rented"`) {
		t.Errorf("Device property %s, want unit-status rented", raw)
	}
}

// checkSupplyDelivery checks a SupplyDelivery of d's proof: the CPAP's
// names the delivered unit, the masks' their HCPCS code and quantity.
func checkSupplyDelivery(t *testing.T, sd map[string]any, d deliveredOrder, patient string) {
	t.Helper()
	line := fhirIdentifier(sd, fhirSystemLineID, "")
	if sd["status"] != "completed" || fhirRef(sd["patient"]) != "Patient/"+patient ||
		fhirIdentifier(sd, fhirSystemOrderID, "") != d.orderID || fhirIdentifier(sd, fhirSystemProofID, "") != d.deliveryID {
		t.Errorf("SupplyDelivery: want completed, Patient/%s, order %s, proof %s; got %v", patient, d.orderID, d.deliveryID, sd)
	}
	item, _ := sd["suppliedItem"].(map[string]any)
	quantity, _ := item["quantity"].(map[string]any)
	switch line {
	case d.lineIDs[0]:
		if fhirRef(item["itemReference"]) != "Device/"+d.unitID || quantity["value"] != float64(1) {
			t.Errorf("SupplyDelivery of the CPAP: suppliedItem %v, want Device/%s, quantity 1", item, d.unitID)
		}
	case d.lineIDs[1]:
		if fhirCode(item["itemCodeableConcept"], fhirSystemHCPCS) != "A7030" || quantity["value"] != float64(2) {
			t.Errorf("SupplyDelivery of the masks: suppliedItem %v, want A7030, quantity 2", item)
		}
	default:
		t.Errorf("SupplyDelivery of line %q, not a line of order %s: %v", line, d.orderID, sd)
	}
}

// fhirEntries returns the resources of a searchset Bundle.
func fhirEntries(t *testing.T, what string, b map[string]any) []map[string]any {
	t.Helper()
	if b["resourceType"] != "Bundle" || b["type"] != "searchset" {
		t.Fatalf("%s: not a searchset Bundle: %v", what, b)
	}
	raw, _ := b["entry"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, e := range raw {
		entry, _ := e.(map[string]any)
		res, _ := entry["resource"].(map[string]any)
		typ, _ := res["resourceType"].(string)
		id, _ := res["id"].(string)
		if id == "" || !strings.HasSuffix(fmt.Sprint(entry["fullUrl"]), "/fhir/r4/"+typ+"/"+id) {
			t.Fatalf("%s: entry fullUrl %v does not name its resource %s/%s", what, entry["fullUrl"], typ, id)
		}
		out = append(out, res)
	}
	return out
}

// fhirNextLink is a Bundle's next link, "" when it has none.
func fhirNextLink(b map[string]any) string {
	links, _ := b["link"].([]any)
	for _, l := range links {
		link, _ := l.(map[string]any)
		if link["relation"] == "next" {
			u, _ := link["url"].(string)
			return u
		}
	}
	return ""
}

// fhirIdentifier is the value of r's identifier of system, or when system
// is empty, of the identifier type typeCode.
func fhirIdentifier(r map[string]any, system, typeCode string) string {
	idents, _ := r["identifier"].([]any)
	for _, i := range idents {
		ident, _ := i.(map[string]any)
		value, _ := ident["value"].(string)
		if system != "" && ident["system"] == system {
			return value
		}
		if system == "" && fhirCode(ident["type"], "") == typeCode {
			return value
		}
	}
	return ""
}

// fhirCode is the code of a CodeableConcept's coding in system (any
// system when empty).
func fhirCode(concept any, system string) string {
	c, _ := concept.(map[string]any)
	codings, _ := c["coding"].([]any)
	for _, x := range codings {
		coding, _ := x.(map[string]any)
		if system == "" || coding["system"] == system {
			code, _ := coding["code"].(string)
			return code
		}
	}
	return ""
}

// fhirRef is a Reference's literal reference.
func fhirRef(ref any) string {
	r, _ := ref.(map[string]any)
	s, _ := r["reference"].(string)
	return s
}

// fhirIssueCode is the code of an OperationOutcome's first issue.
func fhirIssueCode(o map[string]any) string {
	issues, _ := o["issue"].([]any)
	if len(issues) == 0 {
		return ""
	}
	code, _ := issues[0].(map[string]any)["code"].(string)
	return code
}
