package device_test

import (
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/device"
	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
)

const companyID = "0190a6a2-0000-7000-8000-000000000001"

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

const (
	patientID = "0190a6a2-0000-7000-8000-0000000000c1"
	unitID    = "0190a6a2-0000-7000-8000-0000000000a9"
)

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/device") }

func TestDeviceFromProto(t *testing.T) {
	item := &serialsv1.Item{Id: "i1", Code: "CPAP-AS11", Name: "AirSense 11", Hcpcs: "e0601", Manufacturer: "ResMed", Model: "AS11"}
	tests := []struct {
		name   string
		unitID *serialsv1.Unit
		item   *serialsv1.Item
		want   string
	}{
		{
			name: "rented: patient, owned by the supplier, not in the warehouse",
			unitID: &serialsv1.Unit{
				Id: unitID, ItemId: "i1", SerialNumber: "23161234567", Lot: "L42", LotExpiry: &date.Date{Year: 2030, Month: 1, Day: 31},
				WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_RENTED, CurrentPatientId: patientID,
				Etag: `"9"`, UpdateTime: updated,
			},
			item: item,
			want: `{
				"resourceType": "Device", "id": "` + unitID + `",
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
				"patient": {"reference": "Patient/` + patientID + `"},
				"owner": {"reference": "Organization/` + companyID + `"}
			}`,
		},
		{
			name:   "sold: the patient's, no owner organization",
			unitID: &serialsv1.Unit{Id: unitID, SerialNumber: "S1", WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_SOLD, CurrentPatientId: patientID},
			want: `{
				"resourceType": "Device", "id": "` + unitID + `", "status": "active", "serialNumber": "S1",
				"property": [{"type": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-property", "code": "unit-status", "display": "Unit status"}]},
				              "valueCode": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/unit-status", "code": "sold"}]}]}],
				"patient": {"reference": "Patient/` + patientID + `"}
			}`,
		},
		{
			name:   "on hand: in its warehouse",
			unitID: &serialsv1.Unit{Id: unitID, SerialNumber: "S1", WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_ON_HAND, LastPatientId: patientID},
			want: `{
				"resourceType": "Device", "id": "` + unitID + `", "status": "active", "serialNumber": "S1",
				"property": [{"type": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-property", "code": "unit-status", "display": "Unit status"}]},
				              "valueCode": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/unit-status", "code": "on-hand"}]}]}],
				"owner": {"reference": "Organization/` + companyID + `"},
				"location": {"reference": "Location/w1"}
			}`,
		},
		{
			name:   "junked is inactive, nowhere",
			unitID: &serialsv1.Unit{Id: unitID, SerialNumber: "S1", WarehouseId: "w1", Status: serialsv1.UnitStatus_UNIT_STATUS_JUNKED},
			want: `{
				"resourceType": "Device", "id": "` + unitID + `", "status": "inactive", "serialNumber": "S1",
				"property": [{"type": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-property", "code": "unit-status", "display": "Unit status"}]},
				              "valueCode": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/unit-status", "code": "junked"}]}]}],
				"owner": {"reference": "Organization/` + companyID + `"}
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fhirtest.AssertJSON(t, device.FromProto(tt.unitID, tt.item, companyID), tt.want)
		})
	}
}
