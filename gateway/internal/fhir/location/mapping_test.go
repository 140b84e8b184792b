package location_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/location"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

const companyID = "0190a6a2-0000-7000-8000-000000000001"

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/location") }

func TestLocationFromProto(t *testing.T) {
	tests := []struct {
		name    string
		in      *companyv1.Location
		company string
		want    string
	}{
		{
			name: "active branch, every mapped field",
			in: &companyv1.Location{
				Id: "l1", Code: "ATL-01", Name: "Atlanta", Type: companyv1.LocationType_LOCATION_TYPE_BRANCH,
				Address:  &commonv1.PostalAddress{Line1: "100 Peachtree St NE", City: "Atlanta", State: "GA", PostalCode: "30303"},
				Phone:    &commonv1.PhoneNumber{Number: "+14045550150"},
				Npi:      "1234567893",
				TimeZone: "America/New_York",
				Etag:     `"3"`, UpdateTime: updated,
			},
			company: companyID,
			want: `{
				"resourceType": "Location", "id": "l1",
				"meta": {"versionId": "3", "lastUpdated": "2026-03-02T10:04:05Z"},
				"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": "America/New_York"}],
				"identifier": [
					{"use": "usual", "system": "https://ariesone.example/fhir/sid/location-code", "value": "ATL-01"},
					{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}
				],
				"status": "active",
				"name": "Atlanta",
				"mode": "instance",
				"type": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/location-type", "code": "branch", "display": "Branch"}]}],
				"telecom": [{"system": "phone", "value": "+14045550150"}],
				"address": {"use": "work", "type": "physical", "line": ["100 Peachtree St NE"], "city": "Atlanta", "state": "GA", "postalCode": "30303"},
				"managingOrganization": {"reference": "Organization/` + companyID + `"}
			}`,
		},
		{
			name: "deleted warehouse is inactive",
			in: &companyv1.Location{
				Id: "l2", Name: "Dock", Type: companyv1.LocationType_LOCATION_TYPE_WAREHOUSE,
				DeleteTime: updated,
			},
			want: `{
				"resourceType": "Location", "id": "l2", "status": "inactive", "name": "Dock", "mode": "instance",
				"type": [{"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/location-type", "code": "warehouse", "display": "Warehouse"}]}]
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fhirtest.AssertJSON(t, location.FromProto(tt.in, tt.company), tt.want)
		})
	}
}
