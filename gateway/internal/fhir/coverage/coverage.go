// Package coverage maps a patient's coverages to FHIR Coverage and serves
// read and search by patient over CoverageService.
package coverage

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// Coverage is FHIR R4 Coverage, as far as clinical's Coverage fills it.
type Coverage struct {
	r4.Base
	Identifier   []r4.Identifier     `json:"identifier,omitempty"`
	Status       string              `json:"status"`
	Subscriber   *r4.Reference       `json:"subscriber,omitempty"`
	SubscriberID string              `json:"subscriberId,omitempty"`
	Beneficiary  *r4.Reference       `json:"beneficiary,omitempty"`
	Relationship *r4.CodeableConcept `json:"relationship,omitempty"`
	Period       *r4.Period          `json:"period,omitempty"`
	Payor        []r4.Reference      `json:"payor"`
	Class        []CoverageClass     `json:"class,omitempty"`
	Order        int32               `json:"order,omitempty"`
}

// CoverageClass is a plan level of a Coverage: here, the group.
type CoverageClass struct {
	Type  r4.CodeableConcept `json:"type"`
	Value string             `json:"value"`
}

// FHIR code systems of Coverage.
const (
	systemSubscriberRelationship = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	systemCoverageClass          = "http://terminology.hl7.org/CodeSystem/coverage-class"
)

// ID is the FHIR id of a patient's coverage: GetCoverage needs the
// patient as well as the coverage, and there is no lookup by coverage id
// alone, so the id carries both (see compositeID).
func ID(patientID, coverageID string) string {
	return r4.CompositeID(patientID, coverageID)
}

// FromProto maps a clinical Coverage.
//
//   - status: the record's status, not whether the plan pays today (period
//     says that): active while current, cancelled once soft-deleted.
//   - subscriberId and the member identifier (type MB) are the member id as
//     the service answered it: "****1234" for callers without patients.phi,
//     and it stays masked.
//   - payor is a logical reference (type Organization, identifier in
//     SystemPayerID): payers are not served as FHIR Organizations, and a
//     literal Organization/payer-<id> would be a link that answers 404.
//   - order is the billing rank (1 primary); a deleted coverage has none.
//   - subscriber is the patient when the relationship is self; otherwise
//     the policy holder has no resource here and is named by display only.
//
// Not mapped: plan id (an internal id, not the plan number on the card),
// eligibility status and time (CoverageEligibilityResponse, not Coverage),
// the subscriber's birth date.
func FromProto(c *clinicalv1.Coverage) *Coverage {
	patient := r4.Ref("Patient", c.GetPatientId())
	out := &Coverage{
		Base:         r4.Base{ResourceType: "Coverage", ID: ID(c.GetPatientId(), c.GetId()), Meta: r4.NewMeta(c.GetEtag(), c.GetUpdateTime(), c.GetCreateTime())},
		Status:       "active",
		SubscriberID: c.GetMemberId(),
		Beneficiary:  patient,
		Order:        c.GetRank(),
	}
	if c.GetDeleteTime() != nil {
		out.Status, out.Order = "cancelled", 0
	}
	if v := c.GetMemberId(); v != "" {
		out.Identifier = []r4.Identifier{{Type: r4.IdentifierType("MB", "Member Number"), Value: v}}
	}
	if code, display := relationship(c.GetRelationship()); code != "" {
		out.Relationship = &r4.CodeableConcept{Coding: []r4.Coding{{System: systemSubscriberRelationship, Code: code, Display: display}}}
		if code == "self" {
			out.Subscriber = patient
		}
	}
	if out.Subscriber == nil {
		if name := r4.JoinNonEmpty(c.GetSubscriberFirstName(), c.GetSubscriberLastName()); name != "" {
			out.Subscriber = &r4.Reference{Display: name}
		}
	}
	if start, end := r4.Date(c.GetEffectiveDate()), r4.Date(c.GetEndDate()); start != "" || end != "" {
		out.Period = &r4.Period{Start: start, End: end}
	}
	if id := c.GetPayerId(); id != "" {
		out.Payor = []r4.Reference{{Type: "Organization", Identifier: &r4.Identifier{System: r4.SystemPayerID, Value: id}}}
	} else {
		// Payor is required (1..*); the service always names the payer,
		// so this only keeps a malformed record well-formed.
		out.Payor = []r4.Reference{{Display: "Payer not recorded"}}
	}
	if g := c.GetGroupNumber(); g != "" {
		out.Class = []CoverageClass{{
			Type:  r4.CodeableConcept{Coding: []r4.Coding{{System: systemCoverageClass, Code: "group", Display: "Group"}}},
			Value: g,
		}}
	}
	return out
}

func relationship(r clinicalv1.Relationship) (code, display string) {
	switch r {
	case clinicalv1.Relationship_RELATIONSHIP_SELF:
		return "self", "Self"
	case clinicalv1.Relationship_RELATIONSHIP_SPOUSE:
		return "spouse", "Spouse"
	case clinicalv1.Relationship_RELATIONSHIP_CHILD:
		return "child", "Child"
	case clinicalv1.Relationship_RELATIONSHIP_OTHER:
		return "other", "Other"
	}
	return "", ""
}

var coverageParams = []restful.SearchParam{
	{Name: "patient", Type: "reference", Documentation: "The covered patient (id or Patient/id); this or beneficiary is required, since coverages are listed per patient."},
	{Name: "beneficiary", Type: "reference", Documentation: "Same as patient."},
}

// Resource serves Coverage from clinical's CoverageService.
// Searches include deleted coverages (status cancelled), as reads do.
func Resource(c clinicalv1.CoverageServiceClient) restful.Resource {
	return restful.Resource{
		Type: "Coverage",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			patientID, coverageID, ok := r4.SplitID(id)
			if !ok {
				return nil, restful.NotFound("Coverage/" + id + " not found")
			}
			cov, err := c.GetCoverage(ctx, &clinicalv1.GetCoverageRequest{PatientId: patientID, Id: coverageID}, restful.Header(ctx))
			if err != nil {
				return nil, err
			}
			return FromProto(cov), nil
		},
		Search: &restful.Search{
			Params: coverageParams,
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				patientID, err := restful.RequirePatient(q, "beneficiary")
				if err != nil {
					return restful.Page{}, err
				}
				resp, err := c.ListCoverages(ctx, &clinicalv1.ListCoveragesRequest{
					PatientId: patientID, PageSize: int32(q.Count), PageToken: q.PageToken, ShowDeleted: true,
				}, restful.Header(ctx))
				if status.Code(err) == codes.NotFound {
					// clinical lists coverages only under a patient the
					// caller can see; a search naming any other (another
					// tenant's, another branch's, none) matches nothing,
					// which FHIR answers as an empty searchset, as the
					// other searches by patient do.
					return restful.Page{}, nil
				}
				if err != nil {
					return restful.Page{}, err
				}
				page := restful.Page{NextPageToken: resp.GetNextPageToken()}
				for _, cov := range resp.GetCoverages() {
					page.Resources = append(page.Resources, FromProto(cov))
				}
				return page, nil
			},
		},
	}
}
