package fhir_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

const companyID = "0190a6a2-0000-7000-8000-000000000001"

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

// assertJSON compares what got marshals to with want, as JSON values, so
// key order and spacing do not matter but every key and value does.
func assertJSON(t *testing.T, got any, want string) {
	t.Helper()
	gotBuf, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	// Checked against the R4 definitions after the tests (TestMain).
	recorded.addResource(t.Name(), gotBuf)
	var g, w any
	if err := json.Unmarshal(gotBuf, &g); err != nil {
		t.Fatalf("unmarshal got: %v", err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s\ngot: %s", diff, gotBuf)
	}
}

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
			assertJSON(t, fhir.PatientFromProto(tt.in, tt.company), tt.want)
		})
	}
}

func TestPractitionerFromProto(t *testing.T) {
	tests := []struct {
		name string
		in   *clinicalv1.Prescriber
		want string
	}{
		{
			name: "every mapped field",
			in: &clinicalv1.Prescriber{
				Id: "pr1", Npi: "1234567893", FirstName: "Grace", LastName: "Hopper", Credentials: "MD",
				PecosEnrolled: true,
				Address:       &commonv1.PostalAddress{Line1: "1 Clinic Way", City: "Atlanta", State: "GA", PostalCode: "30303"},
				Phone:         &commonv1.PhoneNumber{Number: "+14045550111", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
				Fax:           &commonv1.PhoneNumber{Number: "+14045550112", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
				Active:        true,
				UpdateTime:    updated,
				Etag:          `"2"`,
			},
			want: `{
				"resourceType": "Practitioner", "id": "pr1",
				"meta": {"versionId": "2", "lastUpdated": "2026-03-02T10:04:05Z"},
				"identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
				"active": true,
				"name": [{"use": "official", "family": "Hopper", "given": ["Grace"], "suffix": ["MD"]}],
				"telecom": [
					{"system": "phone", "value": "+14045550111", "use": "work"},
					{"system": "fax", "value": "+14045550112"}
				],
				"address": [{"use": "work", "line": ["1 Clinic Way"], "city": "Atlanta", "state": "GA", "postalCode": "30303"}]
			}`,
		},
		{
			name: "inactive, nothing else",
			in:   &clinicalv1.Prescriber{Id: "pr2"},
			want: `{"resourceType": "Practitioner", "id": "pr2", "active": false}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertJSON(t, fhir.PractitionerFromProto(tt.in), tt.want)
		})
	}
}

func TestOrganizationFromProto(t *testing.T) {
	tests := []struct {
		name string
		in   *companyv1.Company
		want string
	}{
		{
			name: "every mapped field",
			in: &companyv1.Company{
				Id: companyID, LegalName: "Acme Medical Supply LLC", DisplayName: "Acme Medical", Npi: "1234567893",
				TaxIdLast4: "6789", TaxonomyCode: "332B00000X", Code: "acme",
				Address: &commonv1.PostalAddress{Line1: "100 Peachtree St NE", City: "Atlanta", State: "GA", PostalCode: "30303"},
				Phone:   &commonv1.PhoneNumber{Number: "+14045550199", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
				Status:  companyv1.CompanyStatus_COMPANY_STATUS_ACTIVE,
				Etag:    `"7"`, UpdateTime: updated,
			},
			want: `{
				"resourceType": "Organization", "id": "` + companyID + `",
				"meta": {"versionId": "7", "lastUpdated": "2026-03-02T10:04:05Z"},
				"identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
				"active": true,
				"type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "prov", "display": "Healthcare Provider"}]}],
				"name": "Acme Medical Supply LLC",
				"alias": ["Acme Medical"],
				"telecom": [{"system": "phone", "value": "+14045550199", "use": "work"}],
				"address": [{"use": "work", "line": ["100 Peachtree St NE"], "city": "Atlanta", "state": "GA", "postalCode": "30303"}]
			}`,
		},
		{
			name: "suspended, display name equal to legal name",
			in: &companyv1.Company{Id: companyID, LegalName: "Acme", DisplayName: "Acme",
				Status: companyv1.CompanyStatus_COMPANY_STATUS_SUSPENDED},
			want: `{
				"resourceType": "Organization", "id": "` + companyID + `", "active": false,
				"type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "prov", "display": "Healthcare Provider"}]}],
				"name": "Acme"
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertJSON(t, fhir.OrganizationFromProto(tt.in), tt.want)
		})
	}
}

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
			assertJSON(t, fhir.LocationFromProto(tt.in, tt.company), tt.want)
		})
	}
}
