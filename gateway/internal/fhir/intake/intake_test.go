package intake

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
)

// A DeviceRequest the facade produces reads back as the same order line:
// the intake takes what the read side writes.
func TestDeviceRequestRoundTrip(t *testing.T) {
	const warehouse = "0190a6a2-0000-7000-8000-0000000000b7"
	for _, l := range []*ordersv1.OrderLine{
		{Id: "0190a6a2-0000-7000-8000-0000000000f1", Hcpcs: "E0601", Modifiers: []string{"RR", "KX"}, Quantity: 1,
			Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, DiagnosisPointers: []int32{1, 2}},
		{Id: "0190a6a2-0000-7000-8000-0000000000f2", Hcpcs: "A7030", Modifiers: []string{"NU"}, Quantity: 3,
			Type: ordersv1.LineType_LINE_TYPE_RECURRING_SALE, DiagnosisPointers: []int32{1, 2}},
		{Id: "0190a6a2-0000-7000-8000-0000000000f3", Hcpcs: "E1390", Quantity: 1,
			Type: ordersv1.LineType_LINE_TYPE_OXYGEN_RENTAL, DiagnosisPointers: []int32{1, 2}},
	} {
		t.Run(l.GetHcpcs(), func(t *testing.T) {
			o := &ordersv1.Order{
				Id: "0190a6a2-0000-7000-8000-0000000000d1", PatientId: "0190a6a2-0000-7000-8000-0000000000c1",
				PrescriberId: "0190a6a2-0000-7000-8000-0000000000c2", WarehouseId: warehouse, Status: ordersv1.OrderStatus_ORDER_STATUS_DRAFT,
				OrderDate: &date.Date{Year: 2026, Month: 2, Day: 10}, Diagnoses: []string{"G4733", "J449"},
				Lines: []*ordersv1.OrderLine{l},
			}
			raw, err := json.Marshal(devicerequest.FromProto(o, l))
			if err != nil {
				t.Fatal(err)
			}
			r, err := readOrderRequest(restful.Request{Resource: raw, Path: "DeviceRequest"})
			if err != nil {
				t.Fatalf("read back: %v\n%s", err, raw)
			}
			want := &ordersv1.OrderLine{Hcpcs: l.GetHcpcs(), Modifiers: l.GetModifiers(), Quantity: l.GetQuantity(),
				Type: l.GetType(), DiagnosisPointers: l.GetDiagnosisPointers()}
			if !proto.Equal(r.line, want) {
				t.Errorf("line = %v, want %v", r.line, want)
			}
			if !proto.Equal(r.orderDate, o.GetOrderDate()) || r.warehouse != warehouse {
				t.Errorf("order date %v, warehouse %q", r.orderDate, r.warehouse)
			}
			if got := strings.ReplaceAll(strings.Join(r.diagnoses, ","), ".", ""); got != "G4733,J449" {
				t.Errorf("diagnoses = %v", r.diagnoses)
			}
			if r.key != r4.SystemOrderLineID+"|"+l.GetId() {
				t.Errorf("key = %q", r.key)
			}
		})
	}
}

// intakeRequest is a DeviceRequest as a referral source sends it.
const intakeRequest = `{
	"resourceType": "DeviceRequest",
	"identifier": [{"system": "urn:oid:2.16.840.1.113883.3.72.5.9", "value": "ORD-778"}],
	"status": "active", "intent": "order",
	"codeCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "E0601", "display": "CPAP device"}]},
	"parameter": [
		{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "hcpcs-modifier"}]},
		 "valueCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "RR"}]}},
		{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "line-type"}]},
		 "valueCodeableConcept": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/line-type", "code": "capped-rental"}]}}
	],
	"subject": {"reference": "Patient/0190a6a2-0000-7000-8000-0000000000c1"},
	"requester": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}},
	"authoredOn": "2026-12-01T09:30:00-05:00",
	"reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}]}]
}`

// edit returns intakeRequest with fn applied to its JSON object.
func edit(t *testing.T, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(intakeRequest), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadOrderRequest(t *testing.T) {
	r, err := readOrderRequest(restful.Request{Resource: []byte(intakeRequest), Path: "DeviceRequest"})
	if err != nil {
		t.Fatal(err)
	}
	want := &ordersv1.OrderLine{Hcpcs: "E0601", Modifiers: []string{"RR"}, Quantity: 1,
		Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, DiagnosisPointers: []int32{1}}
	if !proto.Equal(r.line, want) || r.key != "urn:oid:2.16.840.1.113883.3.72.5.9|ORD-778" ||
		!proto.Equal(r.orderDate, &date.Date{Year: 2026, Month: 12, Day: 1}) || !slices.Equal(r.diagnoses, []string{"G47.33"}) {
		t.Fatalf("read %+v", r)
	}

	tests := []struct {
		name        string
		edit        func(m map[string]any)
		ifNoneExist string
		status      int
		expression  string
	}{
		{"not a DeviceRequest", func(m map[string]any) { m["resourceType"] = "ServiceRequest" }, "", http.StatusBadRequest, "DeviceRequest.resourceType"},
		{"modifier extension", func(m map[string]any) { m["modifierExtension"] = []any{map[string]any{"url": "x"}} }, "", 422, "DeviceRequest.modifierExtension"},
		{"no identifier", func(m map[string]any) { delete(m, "identifier") }, "", 422, "DeviceRequest.identifier"},
		{"identifier without system", func(m map[string]any) { m["identifier"] = []any{map[string]any{"value": "1"}} }, "", 422, "DeviceRequest.identifier[0]"},
		{"If-None-Exist names another identifier", nil, "identifier=urn:x|9", 422, "DeviceRequest.identifier"},
		{"If-None-Exist on another parameter", nil, "patient=1", http.StatusBadRequest, "DeviceRequest"},
		{"plan, not order", func(m map[string]any) { m["intent"] = "plan" }, "", 422, "DeviceRequest.intent"},
		{"completed", func(m map[string]any) { m["status"] = "completed" }, "", 422, "DeviceRequest.status"},
		{"no code", func(m map[string]any) { delete(m, "codeCodeableConcept") }, "", 422, "DeviceRequest.codeCodeableConcept"},
		{"bad HCPCS", func(m map[string]any) {
			m["codeCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": r4.SystemHCPCS, "code": "E601"}}}
		}, "", 422, "DeviceRequest.codeCodeableConcept.coding[0].code"},
		{"SNOMED only", func(m map[string]any) {
			m["codeCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "702172008"}}}
		}, "", 422, "DeviceRequest.codeCodeableConcept.coding"},
		{"rental without line type", func(m map[string]any) { m["parameter"] = m["parameter"].([]any)[:1] }, "", 422, "DeviceRequest.parameter"},
		{"unknown line type", func(m map[string]any) {
			m["parameter"].([]any)[1].(map[string]any)["valueCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": r4.SystemLineType, "code": "lease"}}}
		}, "", 422, "DeviceRequest.parameter[1].valueCodeableConcept"},
		{"zero quantity", func(m map[string]any) {
			m["parameter"] = append(m["parameter"].([]any), map[string]any{
				"code":          map[string]any{"coding": []any{map[string]any{"system": r4.SystemRequestParam, "code": "quantity"}}},
				"valueQuantity": map[string]any{"value": 0}})
		}, "", 422, "DeviceRequest.parameter[2].valueQuantity"},
		{"no date", func(m map[string]any) { delete(m, "authoredOn") }, "", 422, "DeviceRequest.authoredOn"},
		{"dateTime without zone", func(m map[string]any) { m["authoredOn"] = "2026-12-01T09:30:00" }, "", 422, "DeviceRequest.authoredOn"},
		{"no diagnosis", func(m map[string]any) { delete(m, "reasonCode") }, "", 422, "DeviceRequest.reasonCode"},
		{"bad ICD-10", func(m map[string]any) {
			m["reasonCode"] = []any{map[string]any{"coding": []any{map[string]any{"system": r4.SystemICD10CM, "code": "4733"}}}}
		}, "", 422, "DeviceRequest.reasonCode[0].coding[0].code"},
		{"warehouse not a Location", func(m map[string]any) {
			m["extension"] = []any{map[string]any{"url": r4.SystemWarehouseExtension, "valueReference": map[string]any{"reference": "Organization/1"}}}
		}, "", 422, "DeviceRequest.extension[0].valueReference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(intakeRequest)
			if tt.edit != nil {
				raw = edit(t, tt.edit)
			}
			_, err := readOrderRequest(restful.Request{Resource: raw, Path: "DeviceRequest", IfNoneExist: tt.ifNoneExist})
			var p *restful.Problems
			if !errors.As(err, &p) {
				t.Fatalf("err = %v, want issues naming %s", err, tt.expression)
			}
			if p.Status != tt.status {
				t.Errorf("status = %d, want %d", p.Status, tt.status)
			}
			var named []string
			for _, is := range p.Issues {
				named = append(named, is.Expression...)
			}
			if !slices.Contains(named, tt.expression) {
				t.Errorf("issues name %v, want %s (%v)", named, tt.expression, err)
			}
		})
	}
}

// The intake's idempotency keys are stable per identifier and differ per
// kind of write and per identifier.
func TestRequestIDs(t *testing.T) {
	a, b := requestID("order", "urn:x|1"), requestID("order", "urn:x|1")
	if a != b || a == requestID("written-order", "urn:x|1") || a == requestID("order", "urn:x|2") {
		t.Fatalf("request ids %s %s", a, b)
	}
}

// Whatever a referral source posts, reading it never panics, a refusal is
// an OperationOutcome's worth of issues, and what is accepted keeps the
// order's rules.
func FuzzReadOrderRequest(f *testing.F) {
	f.Add([]byte(intakeRequest), "")
	f.Add([]byte(intakeRequest), "identifier=urn:oid:2.16.840.1.113883.3.72.5.9|ORD-778")
	f.Add([]byte(`{"resourceType":"DeviceRequest","identifier":[{"system":"s","value":"v"}],"intent":"order","parameter":[{"valueQuantity":{"value":1e99}}]}`), "")
	f.Add([]byte(`{"resourceType":"DeviceRequest","authoredOn":"2026-13-45T99:00:00Z"}`), "identifier=")
	f.Add([]byte(`[]`), "")
	f.Fuzz(func(t *testing.T, raw []byte, ifNoneExist string) {
		r, err := readOrderRequest(restful.Request{Resource: raw, Path: "DeviceRequest", IfNoneExist: ifNoneExist})
		if err != nil {
			var p *restful.Problems
			var e *restful.Error
			if !errors.As(err, &p) && !errors.As(err, &e) {
				t.Fatalf("refusal %T %v is not an OperationOutcome", err, err)
			}
			if p != nil && (len(p.Issues) == 0 || p.Status < 400) {
				t.Fatalf("refusal without issues or status: %+v", p)
			}
			return
		}
		l := r.line
		if r.key == "" || !hcpcsPattern.MatchString(l.GetHcpcs()) || l.GetQuantity() < 1 || l.GetQuantity() > 9999 ||
			l.GetType() == ordersv1.LineType_LINE_TYPE_UNSPECIFIED || len(l.GetModifiers()) > 4 ||
			len(r.diagnoses) == 0 || len(r.diagnoses) > 12 || r.orderDate == nil {
			t.Fatalf("accepted %s as %+v", raw, r)
		}
	})
}
