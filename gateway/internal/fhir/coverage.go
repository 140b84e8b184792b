package fhir

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// Coverage is FHIR R4 Coverage, as far as clinical's Coverage fills it.
type Coverage struct {
	Base
	Identifier   []Identifier     `json:"identifier,omitempty"`
	Status       string           `json:"status"`
	Subscriber   *Reference       `json:"subscriber,omitempty"`
	SubscriberID string           `json:"subscriberId,omitempty"`
	Beneficiary  *Reference       `json:"beneficiary,omitempty"`
	Relationship *CodeableConcept `json:"relationship,omitempty"`
	Period       *Period          `json:"period,omitempty"`
	Payor        []Reference      `json:"payor"`
	Class        []CoverageClass  `json:"class,omitempty"`
	Order        int32            `json:"order,omitempty"`
}

// CoverageClass is a plan level of a Coverage: here, the group.
type CoverageClass struct {
	Type  CodeableConcept `json:"type"`
	Value string          `json:"value"`
}

// FHIR code systems of Coverage.
const (
	systemSubscriberRelationship = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	systemCoverageClass          = "http://terminology.hl7.org/CodeSystem/coverage-class"
)

// CoverageID is the FHIR id of a patient's coverage: GetCoverage needs the
// patient as well as the coverage, and there is no lookup by coverage id
// alone, so the id carries both (see compositeID).
func CoverageID(patientID, coverageID string) string {
	return compositeID(patientID, coverageID)
}

// CoverageFromProto maps a clinical Coverage.
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
func CoverageFromProto(c *clinicalv1.Coverage) *Coverage {
	patient := reference("Patient", c.GetPatientId())
	out := &Coverage{
		Base:         Base{ResourceType: "Coverage", ID: CoverageID(c.GetPatientId(), c.GetId()), Meta: meta(c.GetEtag(), c.GetUpdateTime(), c.GetCreateTime())},
		Status:       "active",
		SubscriberID: c.GetMemberId(),
		Beneficiary:  patient,
		Order:        c.GetRank(),
	}
	if c.GetDeleteTime() != nil {
		out.Status, out.Order = "cancelled", 0
	}
	if v := c.GetMemberId(); v != "" {
		out.Identifier = []Identifier{{Type: identifierType("MB", "Member Number"), Value: v}}
	}
	if code, display := relationship(c.GetRelationship()); code != "" {
		out.Relationship = &CodeableConcept{Coding: []Coding{{System: systemSubscriberRelationship, Code: code, Display: display}}}
		if code == "self" {
			out.Subscriber = patient
		}
	}
	if out.Subscriber == nil {
		if name := joinNonEmpty(c.GetSubscriberFirstName(), c.GetSubscriberLastName()); name != "" {
			out.Subscriber = &Reference{Display: name}
		}
	}
	if start, end := fhirDate(c.GetEffectiveDate()), fhirDate(c.GetEndDate()); start != "" || end != "" {
		out.Period = &Period{Start: start, End: end}
	}
	if id := c.GetPayerId(); id != "" {
		out.Payor = []Reference{{Type: "Organization", Identifier: &Identifier{System: SystemPayerID, Value: id}}}
	} else {
		// Payor is required (1..*); the service always names the payer,
		// so this only keeps a malformed record well-formed.
		out.Payor = []Reference{{Display: "Payer not recorded"}}
	}
	if g := c.GetGroupNumber(); g != "" {
		out.Class = []CoverageClass{{
			Type:  CodeableConcept{Coding: []Coding{{System: systemCoverageClass, Code: "group", Display: "Group"}}},
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

func joinNonEmpty(ss ...string) string {
	out := ""
	for _, s := range nonEmpty(ss...) {
		if out != "" {
			out += " "
		}
		out += s
	}
	return out
}

var coverageParams = []SearchParam{
	{Name: "patient", Type: "reference", Documentation: "The covered patient (id or Patient/id); this or beneficiary is required, since coverages are listed per patient."},
	{Name: "beneficiary", Type: "reference", Documentation: "Same as patient."},
}

// coverageResource serves Coverage from clinical's CoverageService.
// Searches include deleted coverages (status cancelled), as reads do.
func coverageResource(c clinicalv1.CoverageServiceClient) Resource {
	return Resource{
		Type: "Coverage",
		Read: func(ctx context.Context, id string) (Object, error) {
			patientID, coverageID, ok := splitID(id)
			if !ok {
				return nil, notFound("Coverage/" + id + " not found")
			}
			cov, err := c.GetCoverage(ctx, &clinicalv1.GetCoverageRequest{PatientId: patientID, Id: coverageID}, header(ctx))
			if err != nil {
				return nil, err
			}
			return CoverageFromProto(cov), nil
		},
		Search: &Search{
			Params: coverageParams,
			Run: func(ctx context.Context, q Query) (Page, error) {
				patientID, err := requirePatient(q, "beneficiary")
				if err != nil {
					return Page{}, err
				}
				resp, err := c.ListCoverages(ctx, &clinicalv1.ListCoveragesRequest{
					PatientId: patientID, PageSize: int32(q.Count), PageToken: q.PageToken, ShowDeleted: true,
				}, header(ctx))
				if status.Code(err) == codes.NotFound {
					// clinical lists coverages only under a patient the
					// caller can see; a search naming any other (another
					// tenant's, another branch's, none) matches nothing,
					// which FHIR answers as an empty searchset, as the
					// other searches by patient do.
					return Page{}, nil
				}
				if err != nil {
					return Page{}, err
				}
				page := Page{NextPageToken: resp.GetNextPageToken()}
				for _, cov := range resp.GetCoverages() {
					page.Resources = append(page.Resources, CoverageFromProto(cov))
				}
				return page, nil
			},
		},
	}
}
