package fhir_test

import (
	"encoding/json"
	"testing"

	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ariesone/ariesone/gateway/internal/fhir"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
)

const (
	patient   = "0190a6a2-0000-7000-8000-0000000000c1"
	coverage  = "0190a6a2-0000-7000-8000-0000000000e1"
	payer     = "0190a6a2-0000-7000-8000-0000000000e2"
	order     = "0190a6a2-0000-7000-8000-0000000000d1"
	line1     = "0190a6a2-0000-7000-8000-0000000000f1"
	line2     = "0190a6a2-0000-7000-8000-0000000000f2"
	unit      = "0190a6a2-0000-7000-8000-0000000000a9"
	warehouse = "0190a6a2-0000-7000-8000-0000000000b7"
	// line1ID is a composite id: both UUIDs, 32 hex digits each.
	line1ID = "0190a6a20000700080000000000000d1" + "0190a6a20000700080000000000000f1"
)

func TestCompositeIDs(t *testing.T) {
	if got := fhir.CoverageID(patient, coverage); got != "0190a6a20000700080000000000000c10190a6a20000700080000000000000e1" || len(got) != 64 {
		t.Errorf("CoverageID = %q", got)
	}
	if got := fhir.DeviceRequestID(order, line1); got != line1ID {
		t.Errorf("DeviceRequestID = %q", got)
	}
	if got := fhir.CoverageID("", coverage); got != "" {
		t.Errorf("CoverageID without a patient = %q, want none", got)
	}
}

func TestCoverageFromProto(t *testing.T) {
	base := func(member string) *clinicalv1.Coverage {
		return &clinicalv1.Coverage{
			Id: coverage, PatientId: patient, PlanId: "0190a6a2-0000-7000-8000-0000000000e3", PayerId: payer,
			MemberId: member, GroupNumber: "GRP-7", Rank: 1,
			Relationship:  clinicalv1.Relationship_RELATIONSHIP_SELF,
			EffectiveDate: &date.Date{Year: 2026, Month: 1, Day: 1},
			EndDate:       &date.Date{Year: 2026, Month: 12, Day: 31},
			Etag:          `"4"`, UpdateTime: updated,
		}
	}
	want := func(member string) string {
		return `{
			"resourceType": "Coverage", "id": "0190a6a20000700080000000000000c10190a6a20000700080000000000000e1",
			"meta": {"versionId": "4", "lastUpdated": "2026-03-02T10:04:05Z"},
			"identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB", "display": "Member Number"}]}, "value": "` + member + `"}],
			"status": "active",
			"subscriber": {"reference": "Patient/` + patient + `"},
			"subscriberId": "` + member + `",
			"beneficiary": {"reference": "Patient/` + patient + `"},
			"relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "code": "self", "display": "Self"}]},
			"period": {"start": "2026-01-01", "end": "2026-12-31"},
			"payor": [{"type": "Organization", "identifier": {"system": "https://ariesone.example/fhir/sid/payer-id", "value": "` + payer + `"}}],
			"class": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class", "code": "group", "display": "Group"}]}, "value": "GRP-7"}],
			"order": 1
		}`
	}
	tests := []struct {
		name string
		in   *clinicalv1.Coverage
		want string
	}{
		{name: "unmasked member id (caller with patients.phi)", in: base("ABC123456789"), want: want("ABC123456789")},
		{name: "masked member id passed through", in: base("****6789"), want: want("****6789")},
		{
			name: "deleted dependent coverage: cancelled, no rank, subscriber by name",
			in: &clinicalv1.Coverage{
				Id: coverage, PatientId: patient, PayerId: payer, MemberId: "****6789",
				Relationship:        clinicalv1.Relationship_RELATIONSHIP_CHILD,
				SubscriberFirstName: "Ada", SubscriberLastName: "Lee",
				EffectiveDate: &date.Date{Year: 2025, Month: 6, Day: 1},
				DeleteTime:    updated,
			},
			want: `{
				"resourceType": "Coverage", "id": "0190a6a20000700080000000000000c10190a6a20000700080000000000000e1",
				"identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB", "display": "Member Number"}]}, "value": "****6789"}],
				"status": "cancelled",
				"subscriber": {"display": "Ada Lee"},
				"subscriberId": "****6789",
				"beneficiary": {"reference": "Patient/` + patient + `"},
				"relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "code": "child", "display": "Child"}]},
				"period": {"start": "2025-06-01"},
				"payor": [{"type": "Organization", "identifier": {"system": "https://ariesone.example/fhir/sid/payer-id", "value": "` + payer + `"}}]
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertJSON(t, fhir.CoverageFromProto(tt.in), tt.want)
		})
	}
}

func TestDeviceFromProto(t *testing.T) {
	item := &serialsv1.Item{Id: "i1", Code: "CPAP-AS11", Name: "AirSense 11", Hcpcs: "e0601", Manufacturer: "ResMed", Model: "AS11"}
	tests := []struct {
		name string
		unit *serialsv1.Unit
		item *serialsv1.Item
		want string
	}{
		{
			name: "rented: patient, owned by the supplier, not in the warehouse",
			unit: &serialsv1.Unit{
				Id: unit, ItemId: "i1", SerialNumber: "23161234567", Lot: "L42", LotExpiry: &date.Date{Year: 2030, Month: 1, Day: 31},
				WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_RENTED, CurrentPatientId: patient,
				Etag: `"9"`, UpdateTime: updated,
			},
			item: item,
			want: `{
				"resourceType": "Device", "id": "` + unit + `",
				"meta": {"versionId": "9", "lastUpdated": "2026-03-02T10:04:05Z"},
				"status": "active",
				"manufacturer": "ResMed",
				"expirationDate": "2030-01-31",
				"lotNumber": "L42",
				"serialNumber": "23161234567",
				"deviceName": [{"name": "AirSense 11", "type": "user-friendly-name"}],
				"modelNumber": "AS11",
				"type": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "E0601"}], "text": "AirSense 11"},
				"property": [{"type": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-property", "code": "unit-status", "display": "Unit status"}]},
				              "valueCode": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/unit-status", "code": "rented"}]}]}],
				"patient": {"reference": "Patient/` + patient + `"},
				"owner": {"reference": "Organization/` + companyID + `"}
			}`,
		},
		{
			name: "sold: the patient's, no owner organization",
			unit: &serialsv1.Unit{Id: unit, SerialNumber: "S1", WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_SOLD, CurrentPatientId: patient},
			want: `{
				"resourceType": "Device", "id": "` + unit + `", "status": "active", "serialNumber": "S1",
				"property": [{"type": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-property", "code": "unit-status", "display": "Unit status"}]},
				              "valueCode": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/unit-status", "code": "sold"}]}]}],
				"patient": {"reference": "Patient/` + patient + `"}
			}`,
		},
		{
			name: "on hand: in its warehouse",
			unit: &serialsv1.Unit{Id: unit, SerialNumber: "S1", WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_ON_HAND, LastPatientId: patient},
			want: `{
				"resourceType": "Device", "id": "` + unit + `", "status": "active", "serialNumber": "S1",
				"property": [{"type": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-property", "code": "unit-status", "display": "Unit status"}]},
				              "valueCode": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/unit-status", "code": "on-hand"}]}]}],
				"owner": {"reference": "Organization/` + companyID + `"},
				"location": {"reference": "Location/w1"}
			}`,
		},
		{
			name: "junked is inactive, nowhere",
			unit: &serialsv1.Unit{Id: unit, SerialNumber: "S1", WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_JUNKED},
			want: `{
				"resourceType": "Device", "id": "` + unit + `", "status": "inactive", "serialNumber": "S1",
				"property": [{"type": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-property", "code": "unit-status", "display": "Unit status"}]},
				              "valueCode": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/unit-status", "code": "junked"}]}]}],
				"owner": {"reference": "Organization/` + companyID + `"}
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertJSON(t, fhir.DeviceFromProto(tt.unit, tt.item, companyID), tt.want)
		})
	}
}

func testOrder(status ordersv1.OrderStatus) *ordersv1.Order {
	return &ordersv1.Order{
		Id: order, PatientId: patient, PrescriberId: "pr1", Status: status, WarehouseId: warehouse,
		OrderDate: &date.Date{Year: 2026, Month: 2, Day: 10},
		Diagnoses: []string{"G4733", "J449"},
		Coverages: []*ordersv1.OrderCoverage{{Rank: 1, CoverageId: coverage, PayerId: payer}},
		Lines: []*ordersv1.OrderLine{
			{Id: line1, Hcpcs: "E0601", Modifiers: []string{"RR", "KX"}, Quantity: 1, Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL,
				DiagnosisPointers: []int32{1}, Serialized: true, UnitId: unit, SerialNumber: "23161234567"},
			{Id: line2, Hcpcs: "A7030", Modifiers: []string{"NU"}, Quantity: 2, Type: ordersv1.LineType_LINE_TYPE_RECURRING_SALE,
				DiagnosisPointers: []int32{1, 2}},
		},
		Etag: `"7"`, UpdateTime: updated,
	}
}

func TestDeviceRequestFromProto(t *testing.T) {
	o := testOrder(ordersv1.OrderStatus_ORDER_STATUS_APPROVED)
	assertJSON(t, fhir.DeviceRequestFromProto(o, o.GetLines()[0]), `{
		"resourceType": "DeviceRequest", "id": "`+line1ID+`",
		"meta": {"versionId": "7", "lastUpdated": "2026-03-02T10:04:05Z"},
		"extension": [{"url": "https://ariesone.example/fhir/StructureDefinition/warehouse", "valueReference": {"reference": "Location/`+warehouse+`"}}],
		"identifier": [{"system": "https://ariesone.example/fhir/sid/order-line-id", "value": "`+line1+`"}],
		"groupIdentifier": {"system": "https://ariesone.example/fhir/sid/order-id", "value": "`+order+`"},
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
		"subject": {"reference": "Patient/`+patient+`"},
		"authoredOn": "2026-02-10",
		"requester": {"reference": "Practitioner/pr1"},
		"reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}]}],
		"insurance": [{"reference": "Coverage/0190a6a20000700080000000000000c10190a6a20000700080000000000000e1"}]
	}`)

	statuses := []struct {
		order      ordersv1.OrderStatus
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
		o := testOrder(s.order)
		l := o.GetLines()[s.line]
		if s.pickedUp {
			l.BillingEndDate = &date.Date{Year: 2026, Month: 3, Day: 1}
		}
		dr := fhir.DeviceRequestFromProto(o, l)
		if dr.Status != s.wantStatus {
			t.Errorf("%v line %d picked up %v: status %q, want %q", s.order, s.line, s.pickedUp, dr.Status, s.wantStatus)
		}
		// Every produced resource goes to the R4 validation too.
		b, err := json.Marshal(dr)
		if err != nil {
			t.Fatal(err)
		}
		recorded.addResource(t.Name(), b)
	}
}

func TestSupplyDeliveryFromProto(t *testing.T) {
	o := testOrder(ordersv1.OrderStatus_ORDER_STATUS_DELIVERED)
	d := &ordersv1.Delivery{
		Id: "0190a6a2-0000-7000-8000-0000000000b9", OrderId: order, ReceiverName: "Ann Lee", Relationship: "self",
		SignatureDate: &date.Date{Year: 2026, Month: 2, Day: 12},
		Address:       &commonv1.PostalAddress{Line1: "9 Elm St", City: "Decatur", State: "GA", PostalCode: "30030"},
		Lines: []*ordersv1.DeliveredLine{
			{LineId: line1, Quantity: 1, SerialNumber: "23161234567"},
			{LineId: line2, Quantity: 2},
		},
		CreateTime: updated,
	}
	identifiers := func(line string) string {
		return `"identifier": [
			{"system": "https://ariesone.example/fhir/sid/order-id", "value": "` + order + `"},
			{"system": "https://ariesone.example/fhir/sid/order-line-id", "value": "` + line + `"},
			{"system": "https://ariesone.example/fhir/sid/delivery-id", "value": "` + d.Id + `"}
		]`
	}
	common := `
		"meta": {"lastUpdated": "2026-03-02T10:04:05Z"},
		"contained": [{"resourceType": "Location", "id": "destination",
			"address": {"type": "physical", "line": ["9 Elm St"], "city": "Decatur", "state": "GA", "postalCode": "30030"}}],
		"status": "completed",
		"patient": {"reference": "Patient/` + patient + `"},
		"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/supply-item-type", "code": "device", "display": "Device"}]},
		"occurrenceDateTime": "2026-02-12",
		"destination": {"reference": "#destination"},`

	t.Run("serialized line: the unit handed over", func(t *testing.T) {
		assertJSON(t, fhir.SupplyDeliveryFromProto(o, o.Lines[0], d, d.Lines[0]), `{
			"resourceType": "SupplyDelivery", "id": "`+line1ID+`",`+common+identifiers(line1)+`,
			"suppliedItem": {"quantity": {"value": 1}, "itemReference": {"reference": "Device/`+unit+`", "display": "E0601 serial 23161234567"}}
		}`)
	})
	t.Run("supplies: the HCPCS code", func(t *testing.T) {
		assertJSON(t, fhir.SupplyDeliveryFromProto(o, o.Lines[1], d, d.Lines[1]), `{
			"resourceType": "SupplyDelivery", "id": "`+fhir.DeviceRequestID(order, line2)+`",`+common+identifiers(line2)+`,
			"suppliedItem": {"quantity": {"value": 2}, "itemCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "A7030"}]}}
		}`)
	})
}
