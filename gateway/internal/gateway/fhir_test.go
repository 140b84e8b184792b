package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/gateway/internal/fhir"
	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/errs"
)

const (
	prescriberID = "0190a6a2-0000-7000-8000-0000000000d1"
	// nextToken is the page token the fake listings hand out after page 1.
	nextToken = "tok-2"
)

// ListPatients serves the FHIR facade's criteria-free Patient search: one
// patient per page, a second page after the first.
func (f *fakeClinical) ListPatients(_ context.Context, req *clinicalv1.ListPatientsRequest) (*clinicalv1.ListPatientsResponse, error) {
	f.mu.Lock()
	f.list = proto.CloneOf(req)
	f.mu.Unlock()
	resp := &clinicalv1.ListPatientsResponse{Patients: []*clinicalv1.Patient{{Id: patientID, FirstName: "Ann", LastName: "Lee"}}}
	if req.GetPageToken() == "" {
		resp.NextPageToken = nextToken
	}
	return resp, nil
}

// lastList returns the last listing that reached ListPatients.
func (f *fakeClinical) lastList() *clinicalv1.ListPatientsRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.list
}

// fakePrescribers stands in for clinical's PrescriberService.
type fakePrescribers struct {
	clinicalv1.UnimplementedPrescriberServiceServer

	mu   sync.Mutex
	list *clinicalv1.ListPrescribersRequest
}

func (f *fakePrescribers) GetPrescriber(_ context.Context, req *clinicalv1.GetPrescriberRequest) (*clinicalv1.Prescriber, error) {
	if req.GetId() != prescriberID {
		return nil, errs.NotFound("prescriber", req.GetId())
	}
	return &clinicalv1.Prescriber{Id: prescriberID, Npi: "1234567893", FirstName: "Grace", LastName: "Hopper", Active: true, Etag: `"2"`}, nil
}

func (f *fakePrescribers) ListPrescribers(_ context.Context, req *clinicalv1.ListPrescribersRequest) (*clinicalv1.ListPrescribersResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list = proto.CloneOf(req)
	return &clinicalv1.ListPrescribersResponse{}, nil
}

func (f *fakePrescribers) lastList() *clinicalv1.ListPrescribersRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.list
}

// fhirBody checks a FHIR answer's media type and decodes its body.
func (r response) fhirBody(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != fhir.ContentType {
		t.Errorf("Content-Type = %q, want %q", ct, fhir.ContentType)
	}
	return r.json(t)
}

// outcome checks that r is an OperationOutcome with status and first issue
// code, and returns its first issue's diagnostics.
func (r response) outcome(t *testing.T, status int, code string) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d\n%s", r.status, status, r.body)
	}
	var o restful.OperationOutcome
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("body is not an OperationOutcome: %v\n%s", err, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != fhir.ContentType {
		t.Errorf("Content-Type = %q, want %q", ct, fhir.ContentType)
	}
	if o.ResourceType != "OperationOutcome" || len(o.Issue) == 0 || o.Issue[0].Severity != "error" || o.Issue[0].Code != code {
		t.Errorf("outcome = %+v, want a first error issue %q", o, code)
		return ""
	}
	return o.Issue[0].Diagnostics
}

// links returns a Bundle's links by relation.
func links(t *testing.T, bundle map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	ls, _ := bundle["link"].([]any)
	for _, l := range ls {
		m := l.(map[string]any)
		out[m["relation"].(string)] = m["url"].(string)
	}
	return out
}

// pathOf returns the path and query of an absolute link, to request it.
func pathOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	return u.RequestURI()
}

func form(token string, values url.Values) request {
	return request{method: "POST", path: fhir.Path + "/Patient/_search", token: token, body: values.Encode(),
		headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
}

// TestFHIR drives the facade through the whole gateway (edge chain, API-key
// exchange, the services' real interceptors) against fake services.
func TestFHIR(t *testing.T) {
	clinical := &fakeClinical{}
	prescribers := &fakePrescribers{}
	h := newHarness(t, harnessOptions{clinical: clinical, prescribers: prescribers})
	intake := h.token(auth.RoleIntake)

	t.Run("read Patient", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/Patient/" + patientID, token: intake})
		if resp.status != http.StatusOK {
			t.Fatalf("status = %d\n%s", resp.status, resp.body)
		}
		if got := resp.header.Get("ETag"); got != `W/"5"` {
			t.Errorf("ETag = %q, want W/\"5\"", got)
		}
		body := resp.fhirBody(t)
		if body["resourceType"] != "Patient" || body["id"] != patientID || body["birthDate"] != "1950-03-04" {
			t.Errorf("body = %s", resp.body)
		}
		if org, _ := body["managingOrganization"].(map[string]any); org["reference"] != "Organization/"+companyID {
			t.Errorf("managingOrganization = %v", body["managingOrganization"])
		}
		if !strings.Contains(string(resp.body), `"value":"****TE5MK73"`) {
			t.Errorf("the MBI is not passed through as the service masked it: %s", resp.body)
		}
	})

	t.Run("conditional read", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/Patient/" + patientID, token: intake,
			headers: map[string]string{"If-None-Match": `W/"5"`}})
		if resp.status != http.StatusNotModified || len(resp.body) != 0 {
			t.Errorf("status = %d, body %q; want 304 and none", resp.status, resp.body)
		}
	})

	t.Run("errors are OperationOutcomes with the REST status", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/Patient/" + missingID, token: intake})
		resp.outcome(t, http.StatusNotFound, restful.IssueNotFound)

		resp = h.do(request{method: "GET", path: fhir.Path + "/Patient/" + patientID, token: h.token(auth.RoleWarehouse)})
		resp.outcome(t, http.StatusForbidden, restful.IssueForbidden)

		resp = h.do(request{method: "GET", path: fhir.Path + "/Patient/" + patientID})
		resp.outcome(t, http.StatusUnauthorized, restful.IssueLogin)
		if resp.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without a WWW-Authenticate challenge")
		}

		resp = h.do(request{method: "GET", path: fhir.Path + "/Location/" + explodingID, token: intake})
		if diag := resp.outcome(t, http.StatusInternalServerError, restful.IssueException); strings.Contains(diag, "10.1.2.3") || strings.Contains(string(resp.body), "10.1.2.3") {
			t.Errorf("internal detail leaked: %s", resp.body)
		}
	})

	t.Run("API key exchanged at the edge", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/Location/" + locationID, headers: map[string]string{"X-API-Key": partnerKey}})
		if resp.status != http.StatusOK || resp.fhirBody(t)["id"] != locationID {
			t.Fatalf("status = %d\n%s", resp.status, resp.body)
		}
		resp = h.do(request{method: "GET", path: fhir.Path + "/Location/" + locationID, headers: map[string]string{"X-API-Key": "ak_test_wrong"}})
		resp.outcome(t, http.StatusUnauthorized, restful.IssueLogin)
	})

	t.Run("content negotiation", func(t *testing.T) {
		for _, accept := range []string{"application/fhir+json", "application/json", "*/*", "application/fhir+json; fhirVersion=4.0"} {
			resp := h.do(request{method: "GET", path: fhir.Path + "/Location/" + locationID, token: intake, headers: map[string]string{"Accept": accept}})
			if resp.status != http.StatusOK {
				t.Errorf("Accept %q: status = %d", accept, resp.status)
			}
			resp.fhirBody(t)
		}
		resp := h.do(request{method: "GET", path: fhir.Path + "/Location/" + locationID, token: intake, headers: map[string]string{"Accept": "application/fhir+xml"}})
		resp.outcome(t, http.StatusNotAcceptable, restful.IssueNotSupported)
		resp = h.do(request{method: "GET", path: fhir.Path + "/Location/" + locationID + "?_format=xml", token: intake})
		resp.outcome(t, http.StatusNotAcceptable, restful.IssueNotSupported)
	})

	t.Run("routes: unknown types, interactions and methods", func(t *testing.T) {
		h.do(request{method: "GET", path: fhir.Path + "/Observation/1", token: intake}).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		h.do(request{method: "GET", path: fhir.Path + "/Observation", token: intake}).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		h.do(request{method: "GET", path: fhir.Path + "/Patient/" + patientID + "/_history", token: intake}).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		resp := h.do(request{method: "DELETE", path: fhir.Path + "/Patient/" + patientID, token: intake})
		resp.outcome(t, http.StatusMethodNotAllowed, restful.IssueNotSupported)
		if resp.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("Allow = %q", resp.header.Get("Allow"))
		}
		resp = h.do(request{method: "GET", path: fhir.Path + "/Patient/_search", token: intake})
		resp.outcome(t, http.StatusMethodNotAllowed, restful.IssueNotSupported)
		if resp.header.Get("Allow") != "POST" {
			t.Errorf("Allow = %q", resp.header.Get("Allow"))
		}
		h.do(request{method: "GET", path: fhir.Path + "/Patient/" + patientID + "?_elements=id", token: intake}).outcome(t, http.StatusBadRequest, restful.IssueNotSupported)
	})

	t.Run("writes: only DeviceRequest is created, transactions at the base", func(t *testing.T) {
		post := func(path, body string) response {
			return h.do(request{method: "POST", path: fhir.Path + path, token: intake, body: body,
				headers: map[string]string{"Content-Type": fhir.MediaType}})
		}
		resp := post("/Patient", `{"resourceType":"Patient"}`)
		resp.outcome(t, http.StatusMethodNotAllowed, restful.IssueNotSupported)
		if resp.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("Allow = %q", resp.header.Get("Allow"))
		}
		// The base without its slash is served, not redirected: a
		// redirected POST would lose its body.
		post("", `{"resourceType":"Bundle","type":"batch","entry":[]}`).outcome(t, http.StatusBadRequest, restful.IssueNotSupported)
		post("", `{"resourceType":"Patient"}`).outcome(t, http.StatusBadRequest, restful.IssueStructure)
		post("", `not json`).outcome(t, http.StatusBadRequest, restful.IssueStructure)
		// This gateway dials no orders service: nothing takes a DeviceRequest.
		diag := post("", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"DeviceRequest"},"request":{"method":"POST","url":"DeviceRequest"}}]}`).
			outcome(t, http.StatusUnprocessableEntity, restful.IssueProcessing)
		if !strings.Contains(diag, "not processed here") {
			t.Errorf("diagnostics = %q", diag)
		}
		resp = h.do(request{method: "POST", path: fhir.Path, token: intake, body: "{}", headers: map[string]string{"Content-Type": "text/plain"}})
		resp.outcome(t, http.StatusUnsupportedMediaType, restful.IssueNotSupported)
		resp = h.do(request{method: "GET", path: fhir.Path, token: intake})
		resp.outcome(t, http.StatusMethodNotAllowed, restful.IssueNotSupported)
		if resp.header.Get("Allow") != "POST" {
			t.Errorf("Allow = %q", resp.header.Get("Allow"))
		}
	})

	t.Run("strict search parameters", func(t *testing.T) {
		for _, query := range []string{"name=Atl", "type:text=branch", "_sort=name"} {
			diag := h.do(request{method: "GET", path: fhir.Path + "/Location?" + query, token: intake}).outcome(t, http.StatusBadRequest, restful.IssueNotSupported)
			if !strings.Contains(diag, "supported: _count, _page_token, type") {
				t.Errorf("%s: diagnostics %q do not list the supported parameters", query, diag)
			}
		}
		for _, query := range []string{"type=branch&type=warehouse", "_count=0", "_count=x", "type=clinic", "type=http://other|branch"} {
			h.do(request{method: "GET", path: fhir.Path + "/Location?" + query, token: intake}).outcome(t, http.StatusBadRequest, restful.IssueInvalid)
		}
	})

	t.Run("Patient criteria never in the URL", func(t *testing.T) {
		before := clinical.lastSearch()
		for _, query := range []string{"identifier=PT0000042", "family=Lee", "birthdate=1950-03-04"} {
			h.do(request{method: "GET", path: fhir.Path + "/Patient?" + query, token: intake}).outcome(t, http.StatusBadRequest, restful.IssueInvalid)
			req := form(intake, url.Values{"given": {"A"}})
			req.path += "?" + query
			h.do(req).outcome(t, http.StatusBadRequest, restful.IssueInvalid)
		}
		if clinical.lastSearch() != before {
			t.Error("a search reached the service")
		}
	})

	t.Run("Patient search by form", func(t *testing.T) {
		cases := []struct {
			form  url.Values
			check func(*clinicalv1.SearchPatientsRequest) bool
		}{
			{url.Values{"identifier": {r4.SystemMBI + "|1EG4TE5MK73"}}, func(r *clinicalv1.SearchPatientsRequest) bool { return r.GetMbi() == "1EG4TE5MK73" }},
			{url.Values{"identifier": {"PT0000042"}}, func(r *clinicalv1.SearchPatientsRequest) bool { return r.GetAccountNumber() == "PT0000042" }},
			{url.Values{"identifier": {r4.SystemAccountNumber + "|PT0000042"}}, func(r *clinicalv1.SearchPatientsRequest) bool { return r.GetAccountNumber() == "PT0000042" }},
			{url.Values{"family": {"le"}, "given": {"an"}, "birthdate": {"1950-03-04"}}, func(r *clinicalv1.SearchPatientsRequest) bool {
				return r.GetLastNamePrefix() == "le" && r.GetFirstNamePrefix() == "an" && r.GetBirthDate().GetDay() == 4 && r.GetShowInactive()
			}},
			{url.Values{"name": {"le"}, "_count": {"5"}}, func(r *clinicalv1.SearchPatientsRequest) bool {
				return r.GetLastNamePrefix() == "le" && r.GetPageSize() == 5
			}},
		}
		for _, c := range cases {
			resp := h.do(form(intake, c.form))
			if resp.status != http.StatusOK {
				t.Fatalf("%v: status = %d\n%s", c.form, resp.status, resp.body)
			}
			body := resp.fhirBody(t)
			if body["resourceType"] != "Bundle" || body["type"] != "searchset" {
				t.Errorf("%v: body = %s", c.form, resp.body)
			}
			if self := links(t, body)["self"]; strings.Contains(self, "le") || strings.Contains(self, "PT0000042") || !strings.Contains(self, "/Patient/_search?_count=") {
				t.Errorf("%v: self link %q carries criteria or is not the search", c.form, self)
			}
			if got := clinical.lastSearch(); !c.check(got) {
				t.Errorf("%v: the service got %v", c.form, got)
			}
		}
		for _, bad := range []url.Values{
			{"identifier": {r4.SystemNPI + "|1234567893"}},
			{"birthdate": {"ge1950-01-01"}},
			{"name": {"a"}, "family": {"b"}},
		} {
			h.do(form(intake, bad)).outcome(t, http.StatusBadRequest, restful.IssueInvalid)
		}
		req := form(intake, url.Values{"family": {"le"}})
		req.headers["Content-Type"] = "application/json"
		h.do(req).outcome(t, http.StatusUnsupportedMediaType, restful.IssueNotSupported)
	})

	t.Run("paging links", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/Patient?_count=1", token: intake})
		if resp.status != http.StatusOK {
			t.Fatalf("status = %d\n%s", resp.status, resp.body)
		}
		body := resp.fhirBody(t)
		l := links(t, body)
		if want := h.http.URL + fhir.Path + "/Patient?_count=1"; l["self"] != want {
			t.Errorf("self = %q, want %q", l["self"], want)
		}
		if want := h.http.URL + fhir.Path + "/Patient?_count=1&_page_token=" + nextToken; l["next"] != want {
			t.Errorf("next = %q, want %q", l["next"], want)
		}
		entries, _ := body["entry"].([]any)
		if len(entries) != 1 || entries[0].(map[string]any)["fullUrl"] != h.http.URL+fhir.Path+"/Patient/"+patientID {
			t.Errorf("entries = %v", body["entry"])
		}
		if got := clinical.lastList(); got.GetPageSize() != 1 || !got.GetShowInactive() || got.GetPageToken() != "" {
			t.Errorf("ListPatients got %v", got)
		}

		resp = h.do(request{method: "GET", path: pathOf(t, l["next"]), token: intake})
		if resp.status != http.StatusOK {
			t.Fatalf("next: status = %d\n%s", resp.status, resp.body)
		}
		if l := links(t, resp.fhirBody(t)); l["next"] != "" {
			t.Errorf("the last page links to %q", l["next"])
		}
		if got := clinical.lastList(); got.GetPageToken() != nextToken {
			t.Errorf("ListPatients got token %q, want %q", got.GetPageToken(), nextToken)
		}

		h.do(request{method: "GET", path: fhir.Path + "/Patient?_count=5000", token: intake})
		if got := clinical.lastList().GetPageSize(); got != restful.MaxCount {
			t.Errorf("_count=5000 asked for %d, want %d", got, restful.MaxCount)
		}
		h.do(request{method: "GET", path: fhir.Path + "/Patient", token: intake})
		if got := clinical.lastList().GetPageSize(); got != restful.DefaultCount {
			t.Errorf("no _count asked for %d, want %d", got, restful.DefaultCount)
		}
	})

	t.Run("Practitioner", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/Practitioner/" + prescriberID, token: intake})
		if resp.status != http.StatusOK || resp.fhirBody(t)["resourceType"] != "Practitioner" {
			t.Fatalf("status = %d\n%s", resp.status, resp.body)
		}
		resp = h.do(request{method: "GET", path: fhir.Path + "/Practitioner?identifier=" + url.QueryEscape(r4.SystemNPI+"|1234567893") + "&name=Hop", token: intake})
		if resp.status != http.StatusOK {
			t.Fatalf("status = %d\n%s", resp.status, resp.body)
		}
		if got := prescribers.lastList(); got.GetNpi() != "1234567893" || got.GetLastNamePrefix() != "Hop" || !got.GetShowInactive() {
			t.Errorf("ListPrescribers got %v", got)
		}
	})

	t.Run("Organization is the caller's company", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/Organization/" + companyID, token: intake})
		if resp.status != http.StatusOK || resp.fhirBody(t)["name"] != "Acme Medical Supply" {
			t.Fatalf("status = %d\n%s", resp.status, resp.body)
		}
		h.do(request{method: "GET", path: fhir.Path + "/Organization/" + missingID, token: intake}).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		resp = h.do(request{method: "GET", path: fhir.Path + "/Organization", token: intake})
		if entries, _ := resp.fhirBody(t)["entry"].([]any); len(entries) != 1 {
			t.Errorf("search = %s", resp.body)
		}
	})

	t.Run("CapabilityStatement matches the routes", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/metadata"})
		if resp.status != http.StatusOK {
			t.Fatalf("status = %d\n%s", resp.status, resp.body)
		}
		var cs fhir.CapabilityStatement
		if err := json.Unmarshal(resp.body, &cs); err != nil {
			t.Fatal(err)
		}
		if cs.FHIRVersion != "4.0.1" || cs.Kind != "instance" || len(cs.Rest) != 1 {
			t.Fatalf("statement = %s", resp.body)
		}
		var types []string
		for _, res := range cs.Rest[0].Resource {
			types = append(types, res.Type)
			// Every listed search parameter is accepted: whatever the
			// service makes of the value, it is never refused as unknown.
			for _, p := range res.SearchParam {
				req := request{method: "GET", path: fhir.Path + "/" + res.Type + "?" + p.Name + "=1", token: intake}
				if res.Documentation != "" { // criteria in the body only
					req = form(intake, url.Values{p.Name: {"1"}})
					req.path = fhir.Path + "/" + res.Type + "/_search"
				}
				if resp := h.do(req); strings.Contains(string(resp.body), "nknown search parameter") {
					t.Errorf("%s?%s listed but refused: %s", res.Type, p.Name, resp.body)
				}
			}
			resp := h.do(request{method: "GET", path: fhir.Path + "/" + res.Type + "/" + missingID, token: intake})
			if strings.Contains(string(resp.body), "No such FHIR resource type") {
				t.Errorf("%s listed but not routed", res.Type)
			}
		}
		if got := strings.Join(types, ","); got != "Organization,Location,Patient,Practitioner,Coverage" {
			t.Errorf("resources = %s", got)
		}
	})

	t.Run("without CLINICAL_ADDR, clinical types are neither listed nor routed", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		resp := h.do(request{method: "GET", path: fhir.Path + "/metadata"})
		var cs fhir.CapabilityStatement
		if err := json.Unmarshal(resp.body, &cs); err != nil {
			t.Fatal(err)
		}
		if n := len(cs.Rest[0].Resource); n != 2 {
			t.Errorf("%d resources listed, want Organization and Location", n)
		}
		h.do(request{method: "GET", path: fhir.Path + "/Patient/" + patientID, token: h.token(auth.RoleOwner)}).outcome(t, http.StatusNotFound, restful.IssueNotFound)
	})
}
