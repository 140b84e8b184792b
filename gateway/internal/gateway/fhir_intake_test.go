package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/gateway/internal/fhir"
	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
)

// What the fake intake services know.
const (
	intakeMBI        = "1EG4TE5MK73"
	intakeNPI        = "1234567893"
	intakeMemberID   = "ZQX884410297"
	intakeBranchID   = "0190a6a2-0000-7000-8000-0000000000b1"
	intakePrescriber = "0190a6a2-0000-7000-8000-0000000000c3"
	intakeCoverage   = "0190a6a2-0000-7000-8000-0000000000e5"
	cpapItemID       = "0190a6a2-0000-7000-8000-0000000000a5"
	maskItemID       = "0190a6a2-0000-7000-8000-0000000000a6"
	// E0470 (a bilevel device) is billed under two items of the catalogue.
	bilevelA, bilevelB = "0190a6a2-0000-7000-8000-0000000000a3", "0190a6a2-0000-7000-8000-0000000000a4"
)

// fakeIntake stands in for what the order intake reads and writes in
// clinical, serials and orders, behind the real interceptor chain: one
// patient (by MBI), one prescriber (by NPI), one coverage, no signed
// written order (so the intake drafts one), a catalogue, and CreateOrder
// and CreateWrittenOrder keeping AIP-155 keys as the services do (a
// repeated key answers the first result and marks the replay).
type fakeIntake struct {
	clinicalv1.UnimplementedPatientServiceServer
	clinicalv1.UnimplementedPrescriberServiceServer
	clinicalv1.UnimplementedCoverageServiceServer
	clinicalv1.UnimplementedWrittenOrderServiceServer
	serialsv1.UnimplementedItemServiceServer
	ordersv1.UnimplementedOrderServiceServer

	mu      sync.Mutex
	written map[string]*clinicalv1.WrittenOrder
	orders  map[string]*ordersv1.Order
	creates []*ordersv1.CreateOrderRequest
}

func (f *fakeIntake) register(s *grpc.Server) {
	clinicalv1.RegisterPatientServiceServer(s, f)
	clinicalv1.RegisterPrescriberServiceServer(s, f)
	clinicalv1.RegisterCoverageServiceServer(s, f)
	clinicalv1.RegisterWrittenOrderServiceServer(s, f)
	serialsv1.RegisterItemServiceServer(s, f)
	ordersv1.RegisterOrderServiceServer(s, f)
}

func intakePatientRecord() *clinicalv1.Patient {
	return &clinicalv1.Patient{Id: patientID, FirstName: "Margaret", LastName: "Okafor", Mbi: intakeMBI, BranchId: intakeBranchID}
}

func (f *fakeIntake) SearchPatients(_ context.Context, req *clinicalv1.SearchPatientsRequest) (*clinicalv1.SearchPatientsResponse, error) {
	if req.GetMbi() == intakeMBI {
		return &clinicalv1.SearchPatientsResponse{Patients: []*clinicalv1.Patient{intakePatientRecord()}}, nil
	}
	return &clinicalv1.SearchPatientsResponse{}, nil
}

func (f *fakeIntake) GetPatient(_ context.Context, req *clinicalv1.GetPatientRequest) (*clinicalv1.Patient, error) {
	if req.GetId() != patientID {
		return nil, errs.NotFound("patient", req.GetId())
	}
	return intakePatientRecord(), nil
}

func (f *fakeIntake) ListPrescribers(_ context.Context, req *clinicalv1.ListPrescribersRequest) (*clinicalv1.ListPrescribersResponse, error) {
	if req.GetNpi() != intakeNPI {
		return &clinicalv1.ListPrescribersResponse{}, nil
	}
	return &clinicalv1.ListPrescribersResponse{Prescribers: []*clinicalv1.Prescriber{{Id: intakePrescriber, Npi: intakeNPI}}}, nil
}

func (f *fakeIntake) GetPrescriber(_ context.Context, req *clinicalv1.GetPrescriberRequest) (*clinicalv1.Prescriber, error) {
	if req.GetId() != intakePrescriber {
		return nil, errs.NotFound("prescriber", req.GetId())
	}
	return &clinicalv1.Prescriber{Id: intakePrescriber, Npi: intakeNPI}, nil
}

func (f *fakeIntake) GetCoverage(_ context.Context, req *clinicalv1.GetCoverageRequest) (*clinicalv1.Coverage, error) {
	if req.GetPatientId() != patientID || req.GetId() != intakeCoverage {
		return nil, errs.NotFound("coverage", req.GetId())
	}
	return &clinicalv1.Coverage{Id: intakeCoverage, PatientId: patientID, MemberId: intakeMemberID, Rank: 1}, nil
}

func (f *fakeIntake) ListCoverages(_ context.Context, req *clinicalv1.ListCoveragesRequest) (*clinicalv1.ListCoveragesResponse, error) {
	if req.GetPatientId() != patientID {
		return nil, errs.NotFound("patient", req.GetPatientId())
	}
	return &clinicalv1.ListCoveragesResponse{Coverages: []*clinicalv1.Coverage{{Id: intakeCoverage, PatientId: patientID, MemberId: intakeMemberID, Rank: 1}}}, nil
}

func (f *fakeIntake) ListWrittenOrders(context.Context, *clinicalv1.ListWrittenOrdersRequest) (*clinicalv1.ListWrittenOrdersResponse, error) {
	return &clinicalv1.ListWrittenOrdersResponse{}, nil
}

func (f *fakeIntake) CreateWrittenOrder(ctx context.Context, req *clinicalv1.CreateWrittenOrderRequest) (*clinicalv1.WrittenOrder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if wo, ok := f.written[req.GetRequestId()]; ok {
		usecase.NoteReplay(ctx)
		return wo, nil
	}
	wo := proto.CloneOf(req.GetWrittenOrder())
	wo.Id, wo.Status = uuid.NewString(), clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_DRAFT
	f.written[req.GetRequestId()] = wo
	return wo, nil
}

func (f *fakeIntake) ListItems(_ context.Context, req *serialsv1.ListItemsRequest) (*serialsv1.ListItemsResponse, error) {
	switch req.GetHcpcs() {
	case "E0601":
		return &serialsv1.ListItemsResponse{Items: []*serialsv1.Item{{Id: cpapItemID, Code: "AS11", Hcpcs: "E0601", Active: true}}}, nil
	case "A7030":
		return &serialsv1.ListItemsResponse{Items: []*serialsv1.Item{{Id: maskItemID, Code: "F20", Hcpcs: "A7030", Active: true}}}, nil
	case "E0470":
		return &serialsv1.ListItemsResponse{Items: []*serialsv1.Item{
			{Id: bilevelA, Code: "AC10", Hcpcs: "E0470", Active: true}, {Id: bilevelB, Code: "DS2", Hcpcs: "E0470", Active: true},
		}}, nil
	}
	return &serialsv1.ListItemsResponse{}, nil
}

func (f *fakeIntake) CreateOrder(ctx context.Context, req *ordersv1.CreateOrderRequest) (*ordersv1.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates = append(f.creates, proto.CloneOf(req))
	if o, ok := f.orders[req.GetRequestId()]; ok {
		usecase.NoteReplay(ctx)
		return o, nil
	}
	o := proto.CloneOf(req.GetOrder())
	o.Id, o.Status, o.PrescriberId, o.Etag = uuid.NewString(), ordersv1.OrderStatus_ORDER_STATUS_DRAFT, intakePrescriber, `"1"`
	for _, l := range o.GetLines() {
		l.Id = uuid.NewString()
	}
	f.orders[req.GetRequestId()] = o
	return o, nil
}

func (f *fakeIntake) lastCreate() *ordersv1.CreateOrderRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.creates[len(f.creates)-1]
}

// referral is a transaction Bundle as a hospital's EHR sends it, edited by
// fn (entries: Patient, Practitioner, Coverage, DeviceRequest).
func referral(t *testing.T, fn func(entries []map[string]any) []map[string]any) string {
	t.Helper()
	entry := func(url string, res map[string]any) map[string]any {
		return map[string]any{"fullUrl": url, "resource": res, "request": map[string]any{"method": "POST", "url": res["resourceType"]}}
	}
	entries := []map[string]any{
		entry("urn:uuid:p", map[string]any{"resourceType": "Patient",
			"identifier": []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-mbi", "value": intakeMBI}}}),
		entry("urn:uuid:pr", map[string]any{"resourceType": "Practitioner",
			"identifier": []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-npi", "value": intakeNPI}}}),
		entry("urn:uuid:c", map[string]any{"resourceType": "Coverage", "status": "active", "subscriberId": intakeMemberID,
			"beneficiary": map[string]any{"reference": "urn:uuid:p"}, "payor": []any{map[string]any{"display": "Medicare"}}}),
		entry("urn:uuid:dr", map[string]any{"resourceType": "DeviceRequest", "intent": "order", "status": "active",
			"identifier":          []any{map[string]any{"system": "urn:oid:1.2.3", "value": "ORD-1"}},
			"codeCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "E0601"}}},
			"parameter": []any{map[string]any{
				"code":                 map[string]any{"coding": []any{map[string]any{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "line-type"}}},
				"valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": "https://ariesone.example/fhir/CodeSystem/line-type", "code": "capped-rental"}}},
			}},
			"subject": map[string]any{"reference": "urn:uuid:p"}, "requester": map[string]any{"reference": "urn:uuid:pr"},
			"insurance": []any{map[string]any{"reference": "urn:uuid:c"}}, "authoredOn": "2026-12-01",
			"reasonCode": []any{map[string]any{"coding": []any{map[string]any{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}}}}}),
	}
	if fn != nil {
		entries = fn(entries)
	}
	buf, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	return string(buf)
}

// withMask adds to a referral a second DeviceRequest, two full face masks
// sold, for another diagnosis too.
func withMask(entries []map[string]any) []map[string]any {
	mask := map[string]any{}
	for k, v := range entries[3]["resource"].(map[string]any) {
		mask[k] = v
	}
	mask["identifier"] = []any{map[string]any{"system": "urn:oid:1.2.3", "value": "ORD-1-MASK"}}
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
	mask["reasonCode"] = []any{
		map[string]any{"coding": []any{map[string]any{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J44.9"}}},
		map[string]any{"coding": []any{map[string]any{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}}},
	}
	return append(entries, map[string]any{"fullUrl": "urn:uuid:dr2", "resource": mask,
		"request": map[string]any{"method": "POST", "url": "DeviceRequest"}})
}

// TestFHIRIntake drives order intake through the whole gateway against
// fake services: what is matched, what is written, and what is refused
// naming which element. Every answer goes to the R4 validation too.
func TestFHIRIntake(t *testing.T) {
	f := &fakeIntake{written: map[string]*clinicalv1.WrittenOrder{}, orders: map[string]*ordersv1.Order{}}
	h := newHarness(t, harnessOptions{services: f.register, serviceAddrs: []string{"CLINICAL_ADDR", "SERIALS_ADDR", "ORDERS_ADDR"}})
	token := h.keys.Mint(authtest.Claims(uuid.NewString(), companyID, auth.RoleIntake))
	post := func(path, body string, header map[string]string) response {
		hdr := map[string]string{"Content-Type": fhir.MediaType}
		for k, v := range header {
			hdr[k] = v
		}
		return h.do(request{method: "POST", path: fhir.Path + path, token: token, body: body, headers: hdr})
	}
	reply := func(t *testing.T, r response, i int) map[string]any {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("status = %d\n%s", r.status, r.body)
		}
		return r.fhirBody(t)["entry"].([]any)[i].(map[string]any)["response"].(map[string]any)
	}

	t.Run("metadata lists create and transaction", func(t *testing.T) {
		body := string(h.do(request{method: "GET", path: fhir.Path + "/metadata"}).body)
		if !strings.Contains(body, `"interaction":[{"code":"transaction"}]`) || !strings.Contains(body, `{"code":"create"}`) {
			t.Errorf("metadata = %s", body)
		}
	})

	var location string
	t.Run("a referral drafts a written order and an order", func(t *testing.T) {
		r := post("", referral(t, nil), nil)
		for i, want := range []string{"Patient/" + patientID, "Practitioner/" + intakePrescriber} {
			if got := reply(t, r, i); got["status"] != "200 OK" || got["location"] != want {
				t.Errorf("entry %d: %v, want 200 at %s", i, got, want)
			}
		}
		created := reply(t, r, 3)
		location, _ = created["location"].(string)
		if created["status"] != "201 Created" || !strings.HasPrefix(location, "DeviceRequest/") || created["etag"] != `W/"1"` {
			t.Fatalf("DeviceRequest reply %v", created)
		}
		req := f.lastCreate()
		o := req.GetOrder()
		if o.GetBranchId() != intakeBranchID || o.GetWarehouseId() != locationID || o.GetPatientId() != patientID ||
			len(o.GetLines()) != 1 || o.GetLines()[0].GetItemId() != cpapItemID || o.GetLines()[0].GetType() != ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL ||
			o.GetOrderDate().GetDay() != 1 || len(o.GetDiagnoses()) != 1 {
			t.Errorf("CreateOrder got %v", req)
		}
		if len(f.written) != 1 {
			t.Fatalf("%d written orders drafted, want 1", len(f.written))
		}
		for _, wo := range f.written {
			if wo.GetId() != o.GetWrittenOrderId() || wo.GetPrescriberId() != intakePrescriber || wo.GetItems()[0].GetHcpcs() != "E0601" {
				t.Errorf("written order %v for order %v", wo, o)
			}
		}
	})

	t.Run("the same referral again drafts nothing new", func(t *testing.T) {
		r := post("", referral(t, nil), nil)
		if got := reply(t, r, 3); got["status"] != "200 OK" || got["location"] != location {
			t.Errorf("retry: %v, want 200 at %s", got, location)
		}
		if len(f.written) != 1 || len(f.orders) != 1 {
			t.Errorf("%d written orders, %d orders after the retry", len(f.written), len(f.orders))
		}
	})

	t.Run("a DeviceRequest alone, conditional", func(t *testing.T) {
		var b map[string]any
		if err := json.Unmarshal([]byte(referral(t, nil)), &b); err != nil {
			t.Fatal(err)
		}
		dr := b["entry"].([]any)[3].(map[string]any)["resource"].(map[string]any)
		dr["identifier"] = []any{map[string]any{"system": "urn:oid:1.2.3", "value": "ORD-2"}}
		dr["subject"] = map[string]any{"reference": "Patient/" + patientID}
		dr["requester"] = map[string]any{"identifier": map[string]any{"system": "http://hl7.org/fhir/sid/us-npi", "value": intakeNPI}}
		dr["insurance"] = []any{map[string]any{"reference": "Coverage/" + strings.ReplaceAll(patientID+intakeCoverage, "-", "")}}
		dr["codeCodeableConcept"] = map[string]any{"coding": []any{
			map[string]any{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "E0470"}}}
		raw, _ := json.Marshal(dr)
		cond := map[string]string{"If-None-Exist": "identifier=urn:oid:1.2.3|ORD-2"}
		diag := post("/DeviceRequest", string(raw), cond).outcome(t, http.StatusUnprocessableEntity, restful.IssueProcessing)
		if !strings.Contains(diag, "AC10, DS2") {
			t.Errorf("diagnostics = %q", diag)
		}
		dr["codeCodeableConcept"].(map[string]any)["coding"] = append(dr["codeCodeableConcept"].(map[string]any)["coding"].([]any),
			map[string]any{"system": "https://ariesone.example/fhir/sid/item-code", "code": "DS2"})
		raw, _ = json.Marshal(dr)
		first := post("/DeviceRequest", string(raw), cond)
		if first.status != http.StatusCreated || !strings.Contains(first.header.Get("Location"), "/fhir/r4/DeviceRequest/") {
			t.Fatalf("create: %d %q\n%s", first.status, first.header.Get("Location"), first.body)
		}
		if got := f.lastCreate().GetOrder().GetLines()[0].GetItemId(); got != bilevelB {
			t.Errorf("item %s, want the one the item code names", got)
		}
		again := post("/DeviceRequest", string(raw), cond)
		if again.status != http.StatusOK || again.header.Get("Location") != first.header.Get("Location") {
			t.Errorf("retry: %d %q", again.status, again.header.Get("Location"))
		}
		if id := again.fhirBody(t)["id"].(string); !strings.HasSuffix(first.header.Get("Location"), "/DeviceRequest/"+id) {
			t.Errorf("id %q, Location %q", id, first.header.Get("Location"))
		}
	})

	t.Run("a referral for a CPAP and its masks is one order of two lines", func(t *testing.T) {
		writtenBefore := len(f.written)
		r := post("", referral(t, func(e []map[string]any) []map[string]any {
			e[3]["resource"].(map[string]any)["identifier"] = []any{map[string]any{"system": "urn:oid:1.2.3", "value": "ORD-3"}}
			return withMask(e)
		}), nil)
		cpap, mask := reply(t, r, 3), reply(t, r, 4)
		cl, _ := cpap["location"].(string)
		ml, _ := mask["location"].(string)
		if cpap["status"] != "201 Created" || mask["status"] != "201 Created" || len(cl) != len("DeviceRequest/")+64 || len(ml) != len(cl) ||
			cl == ml || cl[:len("DeviceRequest/")+32] != ml[:len("DeviceRequest/")+32] {
			t.Fatalf("replies %v and %v: want two lines of one order", cpap, mask)
		}
		o := f.lastCreate().GetOrder()
		if len(o.GetLines()) != 2 || o.GetLines()[1].GetItemId() != maskItemID || o.GetLines()[1].GetQuantity() != 2 ||
			o.GetLines()[1].GetType() != ordersv1.LineType_LINE_TYPE_ONE_TIME_SALE || strings.Join(o.GetDiagnoses(), ",") != "G47.33,J44.9" ||
			len(o.GetLines()[1].GetDiagnosisPointers()) != 2 || o.GetLines()[1].GetDiagnosisPointers()[0] != 2 || o.GetLines()[1].GetDiagnosisPointers()[1] != 1 {
			t.Errorf("CreateOrder got %v", o)
		}
		if len(f.written) != writtenBefore+1 {
			t.Fatalf("%d written orders drafted, want one more", len(f.written)-writtenBefore)
		}
		for _, wo := range f.written {
			if wo.GetId() == o.GetWrittenOrderId() && len(wo.GetItems()) != 2 {
				t.Errorf("written order %v, want both codes", wo)
			}
		}
	})

	t.Run("refused: lines of one referral for two patients", func(t *testing.T) {
		r := post("", referral(t, func(e []map[string]any) []map[string]any {
			e = withMask(e)
			e[4]["resource"].(map[string]any)["subject"] = map[string]any{"reference": "Patient/" + missingID}
			return e
		}), nil)
		r.outcome(t, http.StatusUnprocessableEntity, restful.IssueProcessing)
		issue := r.fhirBody(t)["issue"].([]any)[0].(map[string]any)
		if expr, _ := issue["expression"].([]any); len(expr) != 1 || expr[0] != "Bundle.entry[4].resource.subject" {
			t.Errorf("issue %v", issue)
		}
	})

	refusals := []struct {
		name       string
		edit       func(entries []map[string]any)
		expression string
	}{
		{"unknown MBI", func(e []map[string]any) {
			e[0]["resource"].(map[string]any)["identifier"] = []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-mbi", "value": "9AA9AA9AA99"}}
		}, "Bundle.entry[0].resource.identifier"},
		{"birth date of someone else", func(e []map[string]any) { e[0]["resource"].(map[string]any)["birthDate"] = "1950-01-01" },
			"Bundle.entry[0].resource.birthDate"},
		{"unknown NPI", func(e []map[string]any) {
			e[1]["resource"].(map[string]any)["identifier"] = []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1245319599"}}
		}, "Bundle.entry[1].resource.identifier"},
		{"unknown member id", func(e []map[string]any) { e[2]["resource"].(map[string]any)["subscriberId"] = "NOPE" },
			"Bundle.entry[2].resource.subscriberId"},
		{"subject is the practitioner", func(e []map[string]any) {
			e[3]["resource"].(map[string]any)["subject"] = map[string]any{"reference": "urn:uuid:pr"}
		}, "Bundle.entry[3].resource.subject"},
		{"an Observation", func(e []map[string]any) {
			e[2]["resource"] = map[string]any{"resourceType": "Observation"}
			e[2]["request"] = map[string]any{"method": "POST", "url": "Observation"}
		}, "Bundle.entry[2]"},
		{"no item under the code", func(e []map[string]any) {
			e[3]["resource"].(map[string]any)["codeCodeableConcept"] = map[string]any{"coding": []any{
				map[string]any{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "K0001"}}}
		}, "Bundle.entry[3].resource.codeCodeableConcept"},
	}
	for _, tt := range refusals {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			before := len(f.creates)
			r := post("", referral(t, func(e []map[string]any) []map[string]any { tt.edit(e); return e }), nil)
			r.outcome(t, http.StatusUnprocessableEntity, restful.IssueProcessing)
			issue := r.fhirBody(t)["issue"].([]any)[0].(map[string]any)
			if expr, _ := issue["expression"].([]any); len(expr) != 1 || expr[0] != tt.expression {
				t.Errorf("issue %v, want it to name %s", issue, tt.expression)
			}
			if len(f.creates) != before {
				t.Errorf("a refused referral reached CreateOrder")
			}
		})
	}

	t.Run("a read DeviceRequest goes back in", func(t *testing.T) {
		// The CPAP's: its code names one item. (A line whose code several
		// items share reads back without the item, which orders does not
		// return the code of.)
		var o *ordersv1.Order
		for _, stored := range f.orders {
			if stored.GetLines()[0].GetHcpcs() == "E0601" {
				o = stored
			}
		}
		raw, err := json.Marshal(devicerequest.FromProto(o, o.GetLines()[0]))
		if err != nil {
			t.Fatal(err)
		}
		if r := post("/DeviceRequest", string(raw), nil); r.status != http.StatusCreated && r.status != http.StatusOK {
			t.Errorf("status %d\n%s", r.status, r.body)
		}
	})
}
