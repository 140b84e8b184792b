package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

var (
	coverageMask = protoconv.UpdateMask{
		Resource: (&clinicalv1.Coverage{}).ProtoReflect().Descriptor(),
		Writable: protoconv.FieldNames(domain.CoverageFields),
	}
	relationshipToDomain = map[clinicalv1.Relationship]domain.Relationship{
		clinicalv1.Relationship_RELATIONSHIP_SELF:   domain.RelationshipSelf,
		clinicalv1.Relationship_RELATIONSHIP_SPOUSE: domain.RelationshipSpouse,
		clinicalv1.Relationship_RELATIONSHIP_CHILD:  domain.RelationshipChild,
		clinicalv1.Relationship_RELATIONSHIP_OTHER:  domain.RelationshipOther,
	}
	relationshipToProto      = protoconv.Invert(relationshipToDomain)
	eligibilityStatusToProto = map[domain.EligibilityStatus]clinicalv1.EligibilityStatus{
		domain.EligibilityUnknown:    clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_UNKNOWN,
		domain.EligibilityEligible:   clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_ELIGIBLE,
		domain.EligibilityIneligible: clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_INELIGIBLE,
		domain.EligibilityError:      clinicalv1.EligibilityStatus_ELIGIBILITY_STATUS_ERROR,
	}
	outcomeToProto = map[domain.EligibilityOutcome]clinicalv1.EligibilityOutcome{
		domain.OutcomeEligible:   clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ELIGIBLE,
		domain.OutcomeIneligible: clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_INELIGIBLE,
		domain.OutcomeError:      clinicalv1.EligibilityOutcome_ELIGIBILITY_OUTCOME_ERROR,
	}
)

// coverageToProto renders a coverage, its member id in clear only when
// reveal is set.
func coverageToProto(c *domain.Coverage, reveal bool) *clinicalv1.Coverage {
	return &clinicalv1.Coverage{
		Id: c.ID, PatientId: c.PatientID, PlanId: c.PlanID, PayerId: c.PayerID,
		MemberId:    phi(c.MemberID, domain.MemberIDVisible, reveal),
		GroupNumber: c.GroupNumber, Rank: int32(c.Rank), Relationship: relationshipToProto[c.Relationship],
		SubscriberFirstName: c.SubscriberFirstName, SubscriberLastName: c.SubscriberLastName,
		SubscriberBirthDate: protoconv.DateProto(c.SubscriberBirthDate),
		EffectiveDate:       protoconv.DateProto(c.EffectiveDate), EndDate: protoconv.DateProto(c.EndDate),
		EligibilityStatus:        eligibilityStatusToProto[c.EligibilityStatus],
		LastEligibilityCheckTime: protoconv.OptionalTime(c.LastEligibilityCheckTime),
		CreateTime:               protoconv.Time(c.CreateTime), UpdateTime: protoconv.Time(c.UpdateTime),
		DeleteTime: protoconv.OptionalTime(c.DeleteTime), Etag: etag.FromVersion(c.Version),
	}
}

// coverageValues reads a coverage's writable values from the API.
func coverageValues(c *clinicalv1.Coverage) domain.CoverageValues {
	return domain.CoverageValues{
		PlanID: c.GetPlanId(), MemberID: c.GetMemberId(), GroupNumber: c.GetGroupNumber(), Rank: int(c.GetRank()),
		Relationship:        enumToDomain(relationshipToDomain, c.GetRelationship()),
		SubscriberFirstName: c.GetSubscriberFirstName(), SubscriberLastName: c.GetSubscriberLastName(),
		SubscriberBirthDate: protoconv.Date(c.GetSubscriberBirthDate()),
		EffectiveDate:       protoconv.Date(c.GetEffectiveDate()), EndDate: protoconv.Date(c.GetEndDate()),
	}
}

// eligibilityCheckToProto renders a log entry of patient patientID's
// coverage.
func eligibilityCheckToProto(c *domain.EligibilityCheck, patientID string) *clinicalv1.EligibilityCheck {
	return &clinicalv1.EligibilityCheck{
		Id: c.ID, CoverageId: c.CoverageID, PatientId: patientID, DateOfService: protoconv.DateProto(c.DateOfService),
		Checker: c.Checker, Outcome: outcomeToProto[c.Outcome], Request: c.Request, Response: c.Response,
		Reasons: c.Reasons, CheckTime: protoconv.Time(c.CheckTime),
	}
}
