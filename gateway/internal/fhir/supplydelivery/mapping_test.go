package supplydelivery_test

import (
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/supplydelivery"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
)

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

const (
	patientID = "0190a6a2-0000-7000-8000-0000000000c1"
	orderID   = "0190a6a2-0000-7000-8000-0000000000d1"
	line1ID   = "0190a6a2-0000-7000-8000-0000000000f1"
	line2ID   = "0190a6a2-0000-7000-8000-0000000000f2"
	unitID    = "0190a6a2-0000-7000-8000-0000000000a9"
	// line1ID is a composite id: both UUIDs, 32 hex digits each.
	line1Composite = "0190a6a20000700080000000000000d1" + "0190a6a20000700080000000000000f1"
)

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/supplydelivery") }

// deliveredOrder is what SupplyDelivery reads of an order: its id,
// patient, and the lines with their codes, quantities and unit.
func deliveredOrder() *ordersv1.Order {
	return &ordersv1.Order{
		Id: orderID, PatientId: patientID, Status: ordersv1.OrderStatus_ORDER_STATUS_DELIVERED,
		Lines: []*ordersv1.OrderLine{
			{Id: line1ID, Hcpcs: "E0601", Quantity: 1, Serialized: true, UnitId: unitID, SerialNumber: "23161234567"},
			{Id: line2ID, Hcpcs: "A7030", Quantity: 2},
		},
	}
}

func TestSupplyDeliveryFromProto(t *testing.T) {
	o := deliveredOrder()
	d := &ordersv1.Delivery{
		Id: "0190a6a2-0000-7000-8000-0000000000b9", OrderId: orderID, ReceiverName: "Ann Lee", Relationship: "self",
		SignatureDate: &date.Date{Year: 2026, Month: 2, Day: 12},
		Address:       &commonv1.PostalAddress{Line1: "9 Elm St", City: "Decatur", State: "GA", PostalCode: "30030"},
		Lines: []*ordersv1.DeliveredLine{
			{LineId: line1ID, Quantity: 1, SerialNumber: "23161234567"},
			{LineId: line2ID, Quantity: 2},
		},
		CreateTime: updated,
	}
	identifiers := func(line string) string {
		return `"identifier": [
			{"system": "https://ariesone.example/fhir/sid/order-id", "value": "` + orderID + `"},
			{"system": "https://ariesone.example/fhir/sid/order-line-id", "value": "` + line + `"},
			{"system": "https://ariesone.example/fhir/sid/delivery-id", "value": "` + d.Id + `"}
		]`
	}
	common := `
		"meta": {"lastUpdated": "2026-03-02T10:04:05Z"},
		"contained": [{"resourceType": "Location", "id": "destination",
			"address": {"type": "physical", "line": ["9 Elm St"], "city": "Decatur", "state": "GA", "postalCode": "30030"}}],
		"status": "completed",
		"patient": {"reference": "Patient/` + patientID + `"},
		"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/supply-item-type", "code": "device", "display": "Device"}]},
		"occurrenceDateTime": "2026-02-12",
		"destination": {"reference": "#destination"},`

	t.Run("serialized line: the unit handed over", func(t *testing.T) {
		fhirtest.AssertJSON(t, supplydelivery.FromProto(o, o.Lines[0], d, d.Lines[0]), `{
			"resourceType": "SupplyDelivery", "id": "`+line1Composite+`",`+common+identifiers(line1ID)+`,
			"suppliedItem": {"quantity": {"value": 1}, "itemReference": {"reference": "Device/`+unitID+`", "display": "E0601 serial 23161234567"}}
		}`)
	})
	t.Run("supplies: the HCPCS code", func(t *testing.T) {
		fhirtest.AssertJSON(t, supplydelivery.FromProto(o, o.Lines[1], d, d.Lines[1]), `{
			"resourceType": "SupplyDelivery", "id": "`+devicerequest.ID(orderID, line2ID)+`",`+common+identifiers(line2ID)+`,
			"suppliedItem": {"quantity": {"value": 2}, "itemCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "A7030"}]}}
		}`)
	})
}
