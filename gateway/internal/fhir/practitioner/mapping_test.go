package practitioner_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/practitioner"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
)

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/practitioner") }

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
			fhirtest.AssertJSON(t, practitioner.FromProto(tt.in), tt.want)
		})
	}
}
