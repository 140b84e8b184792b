package patient_test

import (
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/patient"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
)

const companyID = "0190a6a2-0000-7000-8000-000000000001"

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/patient") }

func TestPatientFromProto(t *testing.T) {
	tests := []struct {
		name    string
		in      *clinicalv1.Patient
		company string
		want    string
	}{
		{
			name: "every mapped field, identifiers masked as the service answered",
			in: &clinicalv1.Patient{
				Id: "p1", AccountNumber: "PT0000042",
				FirstName: "Margaret", MiddleName: "A", LastName: "Okafor", Suffix: "Jr",
				BirthDate: &date.Date{Year: 1948, Month: 3, Day: 14},
				Sex:       clinicalv1.Sex_SEX_FEMALE,
				HomeAddress: &commonv1.PostalAddress{Line1: "412 Ponce de Leon Ave NE", Line2: "Apt 3",
					City: "Atlanta", State: "GA", PostalCode: "30308"},
				BillingAddress:  &commonv1.PostalAddress{Line1: "PO Box 1", City: "Atlanta", State: "GA", PostalCode: "30301"},
				ShippingAddress: &commonv1.PostalAddress{Line1: "9 Elm St", City: "Decatur", State: "GA", PostalCode: "30030"},
				Phones: []*commonv1.PhoneNumber{
					{Number: "+14045550100", Kind: commonv1.PhoneKind_PHONE_KIND_MOBILE},
					{Number: "+14045550101", Extension: "12", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
				},
				Email:        "m@example.com",
				Mbi:          "****TE5MK73",
				MedicaidId:   "****1234",
				Ssn:          "***-**-6789",
				BranchId:     "b1",
				Diagnoses:    []string{"G47.33"},
				DeceasedDate: &date.Date{Year: 2026, Month: 1, Day: 2},
				CreateTime:   timestamppb.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
				UpdateTime:   updated,
				Etag:         `"5"`,
			},
			company: companyID,
			want: `{
				"resourceType": "Patient", "id": "p1",
				"meta": {"versionId": "5", "lastUpdated": "2026-03-02T10:04:05Z"},
				"identifier": [
					{"use": "usual", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR", "display": "Medical record number"}]},
					 "system": "https://ariesone.example/fhir/sid/account-number", "value": "PT0000042"},
					{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MC", "display": "Patient's Medicare number"}]},
					 "system": "http://hl7.org/fhir/sid/us-mbi", "value": "****TE5MK73"},
					{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MA", "display": "Patient Medicaid number"}]},
					 "value": "****1234"},
					{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "SS", "display": "Social Security number"}]},
					 "system": "http://hl7.org/fhir/sid/us-ssn", "value": "***-**-6789"}
				],
				"active": true,
				"name": [{"use": "official", "family": "Okafor", "given": ["Margaret", "A"], "suffix": ["Jr"]}],
				"telecom": [
					{"system": "phone", "value": "+14045550100", "use": "mobile"},
					{"system": "phone", "value": "+14045550101 ext. 12", "use": "work"},
					{"system": "email", "value": "m@example.com"}
				],
				"gender": "female",
				"birthDate": "1948-03-14",
				"deceasedDateTime": "2026-01-02",
				"address": [
					{"use": "home", "line": ["412 Ponce de Leon Ave NE", "Apt 3"], "city": "Atlanta", "state": "GA", "postalCode": "30308"},
					{"use": "billing", "type": "postal", "line": ["PO Box 1"], "city": "Atlanta", "state": "GA", "postalCode": "30301"},
					{"type": "physical", "line": ["9 Elm St"], "city": "Decatur", "state": "GA", "postalCode": "30030"}
				],
				"managingOrganization": {"reference": "Organization/` + companyID + `"}
			}`,
		},
		{
			name: "minimal, inactive, no company known",
			in: &clinicalv1.Patient{
				Id: "p2", FirstName: "Ann", LastName: "Lee", Sex: clinicalv1.Sex_SEX_UNKNOWN,
				InactiveDate: &date.Date{Year: 2026, Month: 2, Day: 1},
				CreateTime:   updated,
			},
			want: `{
				"resourceType": "Patient", "id": "p2",
				"meta": {"lastUpdated": "2026-03-02T10:04:05Z"},
				"active": false,
				"name": [{"use": "official", "family": "Lee", "given": ["Ann"]}],
				"gender": "unknown"
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fhirtest.AssertJSON(t, patient.FromProto(tt.in, tt.company), tt.want)
		})
	}
}
