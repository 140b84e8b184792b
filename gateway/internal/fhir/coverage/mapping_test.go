package coverage_test

import (
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/gateway/internal/fhir/coverage"
	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

var updated = timestamppb.New(time.Date(2026, 3, 2, 10, 4, 5, 0, time.UTC))

const (
	patientID  = "0190a6a2-0000-7000-8000-0000000000c1"
	coverageID = "0190a6a2-0000-7000-8000-0000000000e1"
	payerID    = "0190a6a2-0000-7000-8000-0000000000e2"
	orderID    = "0190a6a2-0000-7000-8000-0000000000d1"
	line1ID    = "0190a6a2-0000-7000-8000-0000000000f1"
	// line1ID is a composite id: both UUIDs, 32 hex digits each.
	line1Composite = "0190a6a20000700080000000000000d1" + "0190a6a20000700080000000000000f1"
)

func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/fhir/coverage") }

func TestCompositeIDs(t *testing.T) {
	if got := coverage.ID(patientID, coverageID); got != "0190a6a20000700080000000000000c10190a6a20000700080000000000000e1" || len(got) != 64 {
		t.Errorf("CoverageID = %q", got)
	}
	if got := devicerequest.ID(orderID, line1ID); got != line1Composite {
		t.Errorf("DeviceRequestID = %q", got)
	}
	if got := coverage.ID("", coverageID); got != "" {
		t.Errorf("CoverageID without a patient = %q, want none", got)
	}
}

func TestCoverageFromProto(t *testing.T) {
	base := func(member string) *clinicalv1.Coverage {
		return &clinicalv1.Coverage{
			Id: coverageID, PatientId: patientID, PlanId: "0190a6a2-0000-7000-8000-0000000000e3", PayerId: payerID,
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
			"subscriber": {"reference": "Patient/` + patientID + `"},
			"subscriberId": "` + member + `",
			"beneficiary": {"reference": "Patient/` + patientID + `"},
			"relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "code": "self", "display": "Self"}]},
			"period": {"start": "2026-01-01", "end": "2026-12-31"},
			"payor": [{"type": "Organization", "identifier": {"system": "https://ariesone.example/fhir/sid/payer-id", "value": "` + payerID + `"}}],
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
				Id: coverageID, PatientId: patientID, PayerId: payerID, MemberId: "****6789",
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
				"beneficiary": {"reference": "Patient/` + patientID + `"},
				"relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "code": "child", "display": "Child"}]},
				"period": {"start": "2025-06-01"},
				"payor": [{"type": "Organization", "identifier": {"system": "https://ariesone.example/fhir/sid/payer-id", "value": "` + payerID + `"}}]
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fhirtest.AssertJSON(t, coverage.FromProto(tt.in), tt.want)
		})
	}
}
