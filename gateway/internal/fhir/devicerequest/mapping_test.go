package devicerequest_test

import (
	"encoding/json"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
)

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

const (
	patientID   = "0190a6a2-0000-7000-8000-0000000000c1"
	coverageID  = "0190a6a2-0000-7000-8000-0000000000e1"
	payerID     = "0190a6a2-0000-7000-8000-0000000000e2"
	orderID     = "0190a6a2-0000-7000-8000-0000000000d1"
	line1ID     = "0190a6a2-0000-7000-8000-0000000000f1"
	line2ID     = "0190a6a2-0000-7000-8000-0000000000f2"
	unitID      = "0190a6a2-0000-7000-8000-0000000000a9"
	warehouseID = "0190a6a2-0000-7000-8000-0000000000b7"
	// line1ID is a composite id: both UUIDs, 32 hex digits each.
	line1Composite = "0190a6a20000700080000000000000d1" + "0190a6a20000700080000000000000f1"
)

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/devicerequest") }

func testOrder(status ordersv1.OrderStatus) *ordersv1.Order {
	return &ordersv1.Order{
		Id: orderID, PatientId: patientID, PrescriberId: "pr1", Status: status, WarehouseId: warehouseID,
		OrderDate: &date.Date{Year: 2026, Month: 2, Day: 10},
		Diagnoses: []string{"G4733", "J449"},
		Coverages: []*ordersv1.OrderCoverage{{Rank: 1, CoverageId: coverageID, PayerId: payerID}},
		Lines: []*ordersv1.OrderLine{
			{Id: line1ID, Hcpcs: "E0601", Modifiers: []string{"RR", "KX"}, Quantity: 1, Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL,
				DiagnosisPointers: []int32{1}, Serialized: true, UnitId: unitID, SerialNumber: "23161234567"},
			{Id: line2ID, Hcpcs: "A7030", Modifiers: []string{"NU"}, Quantity: 2, Type: ordersv1.LineType_LINE_TYPE_RECURRING_SALE,
				DiagnosisPointers: []int32{1, 2}},
		},
		Etag: `"7"`, UpdateTime: updated,
	}
}

func TestDeviceRequestFromProto(t *testing.T) {
	o := testOrder(ordersv1.OrderStatus_ORDER_STATUS_APPROVED)
	fhirtest.AssertJSON(t, devicerequest.FromProto(o, o.GetLines()[0]), `{
		"resourceType": "DeviceRequest", "id": "`+line1Composite+`",
		"meta": {"versionId": "7", "lastUpdated": "2026-03-02T10:04:05Z"},
		"extension": [{"url": "https://ariesone.example/fhir/StructureDefinition/warehouse", "valueReference": {"reference": "Location/`+warehouseID+`"}}],
		"identifier": [{"system": "https://ariesone.example/fhir/sid/order-line-id", "value": "`+line1ID+`"}],
		"groupIdentifier": {"system": "https://ariesone.example/fhir/sid/order-id", "value": "`+orderID+`"},
		"status": "active",
		"intent": "order",
		"codeCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "E0601"}]},
		"parameter": [
			{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "hcpcs-modifier", "display": "HCPCS modifier"}]},
			 "valueCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "RR"}]}},
			{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "hcpcs-modifier", "display": "HCPCS modifier"}]},
			 "valueCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "KX"}]}},
			{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "line-type", "display": "Line type"}]},
			 "valueCodeableConcept": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/line-type", "code": "capped-rental"}]}},
			{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "quantity", "display": "Quantity"}]},
			 "valueQuantity": {"value": 1}}
		],
		"subject": {"reference": "Patient/`+patientID+`"},
		"authoredOn": "2026-02-10",
		"requester": {"reference": "Practitioner/pr1"},
		"reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}]}],
		"insurance": [{"reference": "Coverage/0190a6a20000700080000000000000c10190a6a20000700080000000000000e1"}]
	}`)

	statuses := []struct {
		orderID    ordersv1.OrderStatus
		line       int
		pickedUp   bool
		wantStatus string
	}{
		{ordersv1.OrderStatus_ORDER_STATUS_DRAFT, 0, false, "draft"},
		{ordersv1.OrderStatus_ORDER_STATUS_SUBMITTED, 0, false, "active"},
		{ordersv1.OrderStatus_ORDER_STATUS_APPROVED, 1, false, "active"},
		{ordersv1.OrderStatus_ORDER_STATUS_DELIVERED, 0, false, "active"},
		{ordersv1.OrderStatus_ORDER_STATUS_DELIVERED, 0, true, "completed"},
		{ordersv1.OrderStatus_ORDER_STATUS_DELIVERED, 1, false, "completed"},
		{ordersv1.OrderStatus_ORDER_STATUS_CLOSED, 0, true, "completed"},
		{ordersv1.OrderStatus_ORDER_STATUS_CANCELLED, 1, false, "revoked"},
		{ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED, 1, false, "unknown"},
	}
	for _, s := range statuses {
		o := testOrder(s.orderID)
		l := o.GetLines()[s.line]
		if s.pickedUp {
			l.BillingEndDate = &date.Date{Year: 2026, Month: 3, Day: 1}
		}
		dr := devicerequest.FromProto(o, l)
		if dr.Status != s.wantStatus {
			t.Errorf("%v line %d picked up %v: status %q, want %q", s.orderID, s.line, s.pickedUp, dr.Status, s.wantStatus)
		}
		// Every produced resource goes to the R4 validation too.
		b, err := json.Marshal(dr)
		if err != nil {
			t.Fatal(err)
		}
		fhirtest.Record(t.Name(), b)
	}
}
