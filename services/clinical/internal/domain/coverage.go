package domain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// Relationship is the patient's relationship to the subscriber, the person
// who holds the policy.
type Relationship string

// Relationships; the empty value is refused.
const (
	RelationshipUnspecified Relationship = ""
	RelationshipSelf        Relationship = "self"
	RelationshipSpouse      Relationship = "spouse"
	RelationshipChild       Relationship = "child"
	RelationshipOther       Relationship = "other"
)

// EligibilityStatus is what the last eligibility check of a coverage said.
type EligibilityStatus string

// Eligibility statuses.
const (
	// EligibilityUnknown: never checked.
	EligibilityUnknown    EligibilityStatus = "unknown"
	EligibilityEligible   EligibilityStatus = "eligible"
	EligibilityIneligible EligibilityStatus = "ineligible"
	// EligibilityError: the last check could not get an answer.
	EligibilityError EligibilityStatus = "error"
)

// EligibilityOutcome is the answer of one eligibility check.
type EligibilityOutcome string

// Eligibility outcomes.
const (
	OutcomeEligible   EligibilityOutcome = "eligible"
	OutcomeIneligible EligibilityOutcome = "ineligible"
	// OutcomeError: the checker got no answer (the clearinghouse was down,
	// the payer rejected the inquiry); try again later.
	OutcomeError EligibilityOutcome = "error"
)

// Status returns the coverage status a check with outcome o leaves.
func (o EligibilityOutcome) Status() EligibilityStatus {
	switch o {
	case OutcomeEligible:
		return EligibilityEligible
	case OutcomeIneligible:
		return EligibilityIneligible
	}
	return EligibilityError
}

// Reasons of coverage errors.
const (
	// ReasonCoverageRankTaken: another current coverage of the patient has
	// the rank asked for.
	ReasonCoverageRankTaken = "COVERAGE_RANK_TAKEN"
	// ReasonCoverageDeleted: the coverage is deleted.
	ReasonCoverageDeleted = "COVERAGE_DELETED"
	// ReasonCoverageReorderMismatch: a reorder did not list the patient's
	// current coverages exactly; its precondition violations say how.
	ReasonCoverageReorderMismatch = "COVERAGE_REORDER_MISMATCH"
)

// The precondition violation types of ReasonCoverageReorderMismatch.
const (
	UnmetCoverageNotCurrent  = "COVERAGE_NOT_CURRENT"
	UnmetCoverageListedTwice = "COVERAGE_LISTED_TWICE"
	UnmetCoverageNotListed   = "COVERAGE_NOT_LISTED"
)

// Coverage ranks: 1 is primary (billed first), 2 secondary, 3 tertiary, 4
// quaternary. A patient has at most one current coverage of each rank.
const (
	PrimaryRank = 1
	MaxRank     = 4
)

// Coverage is a patient's insurance under one plan: who is covered, by
// which member id, in which order it is billed, and from when to when.
type Coverage struct {
	ID        string
	CompanyID string
	PatientID string
	PlanID    string
	// PayerID is the plan's payer, copied from the plan by the caller that
	// loads it (output only in the API).
	PayerID string
	// MemberID is the policy member id (PHI): letters, digits and dashes
	// as the card prints them, upper-cased.
	MemberID    PHI
	GroupNumber string
	// Rank is 1 (primary) to MaxRank, unique among the patient's current
	// coverages; it changes only through Reorder, and is 0 once the
	// coverage is deleted.
	Rank         int
	Relationship Relationship
	// The subscriber's name and birth date, set unless the patient is the
	// subscriber (RelationshipSelf).
	SubscriberFirstName string
	SubscriberLastName  string
	SubscriberBirthDate civil.Date
	EffectiveDate       civil.Date
	// EndDate is the last day of coverage, or zero for open-ended.
	EndDate civil.Date
	// EligibilityStatus and LastEligibilityCheckTime follow the most recent
	// eligibility check (RecordEligibility).
	EligibilityStatus        EligibilityStatus
	LastEligibilityCheckTime *time.Time
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
	// DeleteTime is set once the coverage is deleted; a deleted coverage
	// has no rank and is never active.
	DeleteTime *time.Time
}

// Deleted reports whether the coverage is deleted.
func (c *Coverage) Deleted() bool { return c.DeleteTime != nil }

// ActiveOn reports whether the coverage covers date d: it is not deleted,
// it has begun (effective date on or before d) and not ended (no end date,
// or d on or before it).
func (c *Coverage) ActiveOn(d civil.Date) bool {
	return !c.Deleted() && !d.Before(c.EffectiveDate) && (c.EndDate.IsZero() || !d.After(c.EndDate))
}

// CoverageField names a writable field of a coverage by its API (proto)
// name. The rank is not one: it is set on create and changed by Reorder.
type CoverageField string

// The writable fields of a coverage.
const (
	CoveragePlanID              CoverageField = "plan_id"
	CoverageMemberID            CoverageField = "member_id"
	CoverageGroupNumber         CoverageField = "group_number"
	CoverageRelationship        CoverageField = "relationship"
	CoverageSubscriberFirstName CoverageField = "subscriber_first_name"
	CoverageSubscriberLastName  CoverageField = "subscriber_last_name"
	CoverageSubscriberBirthDate CoverageField = "subscriber_birth_date"
	CoverageEffectiveDate       CoverageField = "effective_date"
	CoverageEndDate             CoverageField = "end_date"
)

// CoverageFields lists every writable field of a coverage, in API order.
var CoverageFields = []CoverageField{
	CoveragePlanID, CoverageMemberID, CoverageGroupNumber, CoverageRelationship,
	CoverageSubscriberFirstName, CoverageSubscriberLastName, CoverageSubscriberBirthDate,
	CoverageEffectiveDate, CoverageEndDate,
}

// CoverageValues are the values a client sends for a coverage. Rank is
// read only on create.
type CoverageValues struct {
	PlanID              string
	MemberID            string
	GroupNumber         string
	Rank                int
	Relationship        Relationship
	SubscriberFirstName string
	SubscriberLastName  string
	SubscriberBirthDate civil.Date
	EffectiveDate       civil.Date
	EndDate             civil.Date
}

// Coverage field limits, matching the API's.
const (
	maxMemberID       = 30
	maxGroupNumber    = 30
	maxSubscriberName = 50
)

// NewCoverage returns a coverage of patient built from values, created at
// now, its eligibility unknown. Every field is checked; violations name
// fields relative to the coverage ("memberId", "subscriberBirthDate").
// Whether the rank is free among the patient's coverages is CheckRankFree's
// question, and the payer is the caller's to copy from the plan.
func NewCoverage(id, companyID, patientID string, values CoverageValues, now time.Time) (*Coverage, error) {
	c := &Coverage{ID: id, CompanyID: companyID, PatientID: patientID, EligibilityStatus: EligibilityUnknown,
		Version: 1, CreateTime: now, UpdateTime: now}
	var v errs.Violations
	c.Rank = values.Rank
	if c.Rank < PrimaryRank || c.Rank > MaxRank {
		v.Addf("rank", "must be %d (primary) to %d", PrimaryRank, MaxRank)
	}
	v.Merge("", c.apply(CoverageFields, values))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Update writes the named fields of values into c at now; all or nothing.
// Changing the relationship to self without naming the subscriber fields
// clears them. A deleted coverage cannot change.
func (c *Coverage) Update(fields []CoverageField, values CoverageValues, now time.Time) error {
	if c.Deleted() {
		return errs.FailedPrecondition(ReasonCoverageDeleted, "the coverage is deleted")
	}
	if err := c.apply(fields, values); err != nil {
		return err
	}
	c.UpdateTime = now
	return nil
}

// apply checks and writes the named fields, all or none.
func (c *Coverage) apply(fields []CoverageField, values CoverageValues) error {
	var v errs.Violations
	next := *c
	for _, f := range fields {
		switch f {
		case CoveragePlanID:
			next.PlanID = normalizeID(&v, "planId", values.PlanID, true, "plan")
		case CoverageMemberID:
			id, err := NormalizeMemberID(values.MemberID)
			v.Merge("memberId", err)
			next.MemberID = PHI(id)
		case CoverageGroupNumber:
			next.GroupNumber = strings.TrimSpace(values.GroupNumber)
			v.CheckLine("groupNumber", next.GroupNumber, false, maxGroupNumber)
		case CoverageRelationship:
			next.Relationship = values.Relationship
			switch next.Relationship {
			case RelationshipSelf:
				next.clearSubscriber(fields)
			case RelationshipSpouse, RelationshipChild, RelationshipOther:
			default:
				v.Add("relationship", "must be self, spouse, child or other")
			}
		case CoverageSubscriberFirstName:
			next.SubscriberFirstName = personName(values.SubscriberFirstName)
			v.CheckLine("subscriberFirstName", next.SubscriberFirstName, false, maxSubscriberName)
		case CoverageSubscriberLastName:
			next.SubscriberLastName = personName(values.SubscriberLastName)
			v.CheckLine("subscriberLastName", next.SubscriberLastName, false, maxSubscriberName)
		case CoverageSubscriberBirthDate:
			next.SubscriberBirthDate = values.SubscriberBirthDate
		case CoverageEffectiveDate:
			next.EffectiveDate = values.EffectiveDate
		case CoverageEndDate:
			next.EndDate = values.EndDate
		default:
			v.Addf(string(f), "is not a writable field of a coverage")
		}
	}
	next.checkSubscriber(&v)
	effective := checkDate(&v, "effectiveDate", next.EffectiveDate, true)
	if checkDate(&v, "endDate", next.EndDate, false) && effective && next.EndDate.Before(next.EffectiveDate) {
		v.Add("endDate", "must not be before effectiveDate")
	}
	if err := v.Err(); err != nil {
		return err
	}
	*c = next
	return nil
}

// clearSubscriber empties the subscriber fields the update does not name:
// with the patient as subscriber they have no meaning.
func (c *Coverage) clearSubscriber(fields []CoverageField) {
	if !slices.Contains(fields, CoverageSubscriberFirstName) {
		c.SubscriberFirstName = ""
	}
	if !slices.Contains(fields, CoverageSubscriberLastName) {
		c.SubscriberLastName = ""
	}
	if !slices.Contains(fields, CoverageSubscriberBirthDate) {
		c.SubscriberBirthDate = civil.Date{}
	}
}

// checkSubscriber applies the subscriber rule: the subscriber's first
// name, last name and birth date are required unless the patient is the
// subscriber, and then they must be empty (the patient's own are used).
func (c *Coverage) checkSubscriber(v *errs.Violations) {
	if c.Relationship == RelationshipSelf {
		const selfSubscriber = "must be empty when relationship is self: the patient is the subscriber"
		if c.SubscriberFirstName != "" {
			v.Add("subscriberFirstName", selfSubscriber)
		}
		if c.SubscriberLastName != "" {
			v.Add("subscriberLastName", selfSubscriber)
		}
		if !c.SubscriberBirthDate.IsZero() {
			v.Add("subscriberBirthDate", selfSubscriber)
		}
		return
	}
	if c.Relationship == RelationshipUnspecified {
		return
	}
	if c.SubscriberFirstName == "" {
		v.Add("subscriberFirstName", "is required unless relationship is self")
	}
	if c.SubscriberLastName == "" {
		v.Add("subscriberLastName", "is required unless relationship is self")
	}
	if c.SubscriberBirthDate.IsZero() {
		v.Add("subscriberBirthDate", "is required unless relationship is self")
	} else {
		checkDate(v, "subscriberBirthDate", c.SubscriberBirthDate, false)
	}
}

// NormalizeMemberID trims and upper-cases a policy member id and checks it:
// 1-30 letters, digits and dashes. The violation names field "" (the id
// itself) and never repeats it.
func NormalizeMemberID(raw string) (string, error) {
	id := strings.ToUpper(strings.TrimSpace(raw))
	if id == "" || len(id) > maxMemberID || strings.IndexFunc(id, func(r rune) bool {
		return (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-'
	}) >= 0 {
		return "", errs.Invalid(errs.FieldViolation{Description: fmt.Sprintf("must be 1-%d letters, digits and dashes", maxMemberID)})
	}
	return id, nil
}

// CheckRankFree refuses rank when another current (not deleted) coverage
// among current has it: ALREADY_EXISTS with ReasonCoverageRankTaken,
// naming the rank and the coverage that holds it. A coverage with the id
// exceptID (the one being placed) does not count.
func CheckRankFree(current []Coverage, rank int, exceptID string) error {
	for _, c := range current {
		if c.Rank == rank && !c.Deleted() && c.ID != exceptID {
			return &errs.Error{
				Kind:     errs.KindAlreadyExists,
				Reason:   ReasonCoverageRankTaken,
				Message:  fmt.Sprintf("the patient already has a coverage of rank %d; reorder or delete it first", rank),
				Metadata: map[string]string{"rank": strconv.Itoa(rank), "coverage_id": c.ID},
			}
		}
	}
	return nil
}

// Reorder gives the patient's current coverages the ranks 1..n in the
// order of ids, and returns them in that order, each a copy of its entry
// in current with the new rank (nothing else changes: the caller saves
// them and advances their versions). current must be the patient's
// coverages as they stand (deleted ones are ignored), and ids must name
// each of them exactly once. Otherwise the list was made from a stale
// view, and Reorder refuses it rather than rank what the client did not
// see: FAILED_PRECONDITION with reason ReasonCoverageReorderMismatch and a
// precondition violation per discrepancy (an id that is not a current
// coverage or is listed twice, subject "coverageIds[i]"; a current
// coverage not listed, subject "coverages/{id}").
func Reorder(current []Coverage, ids []string) ([]Coverage, error) {
	byID := make(map[string]int, len(current))
	for i, c := range current {
		if !c.Deleted() {
			byID[c.ID] = i
		}
	}
	var unmet []errs.PreconditionViolation
	out := make([]Coverage, 0, len(byID))
	placed := make(map[string]bool, len(ids))
	for i, raw := range ids {
		subject := fmt.Sprintf("coverageIds[%d]", i)
		id := strings.ToLower(strings.TrimSpace(raw))
		j, ok := byID[id]
		switch {
		case !ok:
			unmet = append(unmet, errs.PreconditionViolation{Type: UnmetCoverageNotCurrent, Subject: subject,
				Description: "is not a current coverage of the patient"})
		case placed[id]:
			unmet = append(unmet, errs.PreconditionViolation{Type: UnmetCoverageListedTwice, Subject: subject,
				Description: "is listed twice"})
		default:
			placed[id] = true
			c := current[j]
			c.Rank = len(out) + 1
			out = append(out, c)
		}
	}
	for _, c := range current {
		if !c.Deleted() && !placed[c.ID] {
			unmet = append(unmet, errs.PreconditionViolation{Type: UnmetCoverageNotListed, Subject: "coverages/" + c.ID,
				Description: "is a current coverage of the patient and must be listed"})
		}
	}
	if len(unmet) > 0 {
		return nil, errs.Unmet(ReasonCoverageReorderMismatch,
			"coverage_ids must list every current coverage of the patient exactly once; read the coverages again", unmet...)
	}
	return out, nil
}

// Delete deletes the coverage at now, freeing its rank (which becomes 0).
func (c *Coverage) Delete(now time.Time) error {
	if c.Deleted() {
		return errs.FailedPrecondition(ReasonCoverageDeleted, "the coverage is already deleted")
	}
	c.Rank = 0
	c.DeleteTime = &now
	c.UpdateTime = now
	return nil
}

// EligibilityCheck records one check of a coverage's eligibility on a
// date of service: what was asked, by which checker, and what came back.
// It holds no PHI beyond ids.
type EligibilityCheck struct {
	ID            string
	CompanyID     string
	CoverageID    string
	DateOfService civil.Date
	// Checker names the implementation that answered, such as
	// RulesCheckerName.
	Checker string
	Outcome EligibilityOutcome
	// Request and Response summarize what was sent and received, as text.
	Request  string
	Response string
	// Reasons say why the outcome is what it is, for people.
	Reasons   []string
	CheckTime time.Time
}

// RecordEligibility sets the coverage's eligibility status from a check
// just made. The coverage's version advances with it, as with any change.
func (c *Coverage) RecordEligibility(check EligibilityCheck) {
	c.EligibilityStatus = check.Outcome.Status()
	t := check.CheckTime
	c.LastEligibilityCheckTime = &t
	c.UpdateTime = check.CheckTime
}

// RulesCheckerName is the name of the rules-based stand-in checker.
const RulesCheckerName = "rules-based stand-in, not a payer inquiry"

// EligibilityByRules answers an eligibility check without asking the
// payer, from what the company knows: the coverage is eligible on the date
// of service when it is active on that date, its plan and payer are active,
// and the patient had not died before that date. Otherwise it is
// ineligible, with one reason per rule broken. It is the stand-in until a
// clearinghouse (X12 270/271) inquiry replaces it, and it is no proof of
// coverage. Reasons hold no PHI, not even dates. A patient who died on the
// date of service is still eligible for it: Medicare pays for items
// delivered on the day of death.
func EligibilityByRules(patient *Patient, coverage *Coverage, plan *Plan, payer *Payer, dateOfService civil.Date) (EligibilityOutcome, []string) {
	var reasons []string
	switch {
	case coverage.Deleted():
		reasons = append(reasons, "the coverage is deleted")
	case dateOfService.Before(coverage.EffectiveDate):
		reasons = append(reasons, "the coverage is not yet effective on the date of service")
	case !coverage.ActiveOn(dateOfService):
		reasons = append(reasons, "the coverage ended before the date of service")
	}
	if !plan.Active {
		reasons = append(reasons, "the plan is inactive")
	}
	if !payer.Active {
		reasons = append(reasons, "the payer is inactive")
	}
	if !patient.DeceasedDate.IsZero() && patient.DeceasedDate.Before(dateOfService) {
		reasons = append(reasons, "the patient died before the date of service")
	}
	if len(reasons) > 0 {
		return OutcomeIneligible, reasons
	}
	return OutcomeEligible, []string{"the coverage is active on the date of service and its plan and payer are active"}
}
