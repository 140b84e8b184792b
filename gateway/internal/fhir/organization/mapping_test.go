package organization_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/organization"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

const companyID = "0190a6a2-0000-7000-8000-000000000001"

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/organization") }

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
			fhirtest.AssertJSON(t, organization.FromProto(tt.in), tt.want)
		})
	}
}
