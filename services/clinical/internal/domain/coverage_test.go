package domain

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func validCoverage() CoverageValues {
	return CoverageValues{
		PlanID:              strings.ToUpper(planID),
		MemberID:            " w123-456-789 ",
		GroupNumber:         " G-100 ",
		Rank:                1,
		Relationship:        RelationshipSpouse,
		SubscriberFirstName: " José ",
		SubscriberLastName:  "López",
		SubscriberBirthDate: date("1946-02-10"),
		EffectiveDate:       date("2026-01-01"),
		EndDate:             date("2026-12-31"),
	}
}

func TestNewCoverage(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(v *CoverageValues)
		wantFields []string
	}{
		{name: "valid", edit: func(*CoverageValues) {}},
		{name: "self, open-ended", edit: func(v *CoverageValues) {
			v.Relationship, v.SubscriberFirstName, v.SubscriberLastName, v.SubscriberBirthDate, v.EndDate = RelationshipSelf, "", "", civil.Date{}, civil.Date{}
		}},
		{name: "rank 4", edit: func(v *CoverageValues) { v.Rank = 4 }},
		{name: "rank 0", edit: func(v *CoverageValues) { v.Rank = 0 }, wantFields: []string{"rank"}},
		{name: "rank 5", edit: func(v *CoverageValues) { v.Rank = 5 }, wantFields: []string{"rank"}},
		{name: "plan required", edit: func(v *CoverageValues) { v.PlanID = "" }, wantFields: []string{"planId"}},
		{name: "plan not a uuid", edit: func(v *CoverageValues) { v.PlanID = "part-b" }, wantFields: []string{"planId"}},
		{name: "member id required", edit: func(v *CoverageValues) { v.MemberID = " " }, wantFields: []string{"memberId"}},
		{name: "member id with a space", edit: func(v *CoverageValues) { v.MemberID = "W123 456" }, wantFields: []string{"memberId"}},
		{name: "member id of 31", edit: func(v *CoverageValues) { v.MemberID = strings.Repeat("1", 31) }, wantFields: []string{"memberId"}},
		{name: "group number too long", edit: func(v *CoverageValues) { v.GroupNumber = strings.Repeat("g", 31) }, wantFields: []string{"groupNumber"}},
		{name: "relationship required", edit: func(v *CoverageValues) { v.Relationship = "" }, wantFields: []string{"relationship"}},
		{name: "relationship unknown", edit: func(v *CoverageValues) { v.Relationship = "parent" }, wantFields: []string{"relationship"}},
		{name: "subscriber required unless self", edit: func(v *CoverageValues) {
			v.Relationship, v.SubscriberFirstName, v.SubscriberLastName, v.SubscriberBirthDate = RelationshipChild, " ", "", civil.Date{}
		}, wantFields: []string{"subscriberFirstName", "subscriberLastName", "subscriberBirthDate"}},
		{name: "subscriber must be empty when self", edit: func(v *CoverageValues) { v.Relationship = RelationshipSelf },
			wantFields: []string{"subscriberFirstName", "subscriberLastName", "subscriberBirthDate"}},
		{name: "subscriber birth date not a date", edit: func(v *CoverageValues) { v.SubscriberBirthDate = civil.Date{Year: 1946, Month: 2, Day: 30} }, wantFields: []string{"subscriberBirthDate"}},
		{name: "subscriber name too long", edit: func(v *CoverageValues) { v.SubscriberLastName = strings.Repeat("l", 51) }, wantFields: []string{"subscriberLastName"}},
		{name: "effective date required", edit: func(v *CoverageValues) { v.EffectiveDate = civil.Date{} }, wantFields: []string{"effectiveDate"}},
		{name: "end before effective", edit: func(v *CoverageValues) { v.EndDate = date("2025-12-31") }, wantFields: []string{"endDate"}},
		{name: "one-day coverage", edit: func(v *CoverageValues) { v.EndDate = v.EffectiveDate }},
		{name: "end date not a date", edit: func(v *CoverageValues) { v.EndDate = civil.Date{Year: 2026, Month: 4, Day: 31} }, wantFields: []string{"endDate"}},
		{name: "end date without an effective date", edit: func(v *CoverageValues) { v.EffectiveDate = civil.Date{} }, wantFields: []string{"effectiveDate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validCoverage()
			tt.edit(&v)
			c, err := NewCoverage("cv1", companyID, patientID, v, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil || tt.name != "valid" {
				return
			}
			want := &Coverage{ID: "cv1", CompanyID: companyID, PatientID: patientID, PlanID: planID,
				MemberID: "W123-456-789", GroupNumber: "G-100", Rank: 1, Relationship: RelationshipSpouse,
				SubscriberFirstName: "José", SubscriberLastName: "López", SubscriberBirthDate: date("1946-02-10"),
				EffectiveDate: date("2026-01-01"), EndDate: date("2026-12-31"),
				EligibilityStatus: EligibilityUnknown, Version: 1, CreateTime: now, UpdateTime: now}
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoverageUpdate(t *testing.T) {
	later := now.Add(time.Hour)
	tests := []struct {
		name       string
		fields     []CoverageField
		values     CoverageValues
		deleted    bool
		wantFields []string
		kind       errs.Kind
		check      func(t *testing.T, c *Coverage)
	}{
		{name: "switch to self clears the subscriber", fields: []CoverageField{CoverageRelationship}, values: CoverageValues{Relationship: RelationshipSelf},
			check: func(t *testing.T, c *Coverage) {
				if c.Relationship != RelationshipSelf || c.SubscriberFirstName != "" || c.SubscriberLastName != "" || !c.SubscriberBirthDate.IsZero() {
					t.Errorf("coverage = %+v", c)
				}
			}},
		{name: "switch to self while naming a subscriber is refused", fields: []CoverageField{CoverageRelationship, CoverageSubscriberFirstName},
			values: CoverageValues{Relationship: RelationshipSelf, SubscriberFirstName: "X"}, wantFields: []string{"subscriberFirstName"}, kind: errs.KindInvalid},
		{name: "end date checked against the stored effective date", fields: []CoverageField{CoverageEndDate},
			values: CoverageValues{EndDate: date("2025-06-30")}, wantFields: []string{"endDate"}, kind: errs.KindInvalid},
		{name: "open the end date", fields: []CoverageField{CoverageEndDate},
			check: func(t *testing.T, c *Coverage) {
				if !c.EndDate.IsZero() || !c.UpdateTime.Equal(later) {
					t.Errorf("coverage = %+v", c)
				}
			}},
		{name: "rank is not writable", fields: []CoverageField{"rank"}, values: CoverageValues{Rank: 2}, wantFields: []string{"rank"}, kind: errs.KindInvalid},
		{name: "deleted", fields: []CoverageField{CoverageGroupNumber}, deleted: true, kind: errs.KindFailedPrecondition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCoverage("cv1", companyID, patientID, validCoverage(), now)
			if err != nil {
				t.Fatal(err)
			}
			if tt.deleted {
				if err := c.Delete(now); err != nil {
					t.Fatal(err)
				}
			}
			before := *c
			err = c.Update(tt.fields, tt.values, later)
			if tt.kind != 0 {
				errstest.Check(t, err, false, tt.kind, "")
				if tt.wantFields != nil {
					if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
						t.Errorf("violations (-want +got):\n%s", diff)
					}
				}
				if diff := cmp.Diff(before, *c); diff != "" {
					t.Errorf("refused update changed the coverage (-before +after):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestCoverageActiveOn(t *testing.T) {
	deleted := now
	tests := []struct {
		name      string
		effective string
		end       string
		deleted   bool
		on        string
		want      bool
	}{
		{name: "day before effective", effective: "2026-01-01", on: "2025-12-31", want: false},
		{name: "effective day", effective: "2026-01-01", on: "2026-01-01", want: true},
		{name: "open-ended, years later", effective: "2026-01-01", on: "2040-06-01", want: true},
		{name: "end day", effective: "2026-01-01", end: "2026-06-30", on: "2026-06-30", want: true},
		{name: "day after end", effective: "2026-01-01", end: "2026-06-30", on: "2026-07-01", want: false},
		{name: "deleted", effective: "2026-01-01", deleted: true, on: "2026-03-01", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Coverage{EffectiveDate: date(tt.effective)}
			if tt.end != "" {
				c.EndDate = date(tt.end)
			}
			if tt.deleted {
				c.DeleteTime = &deleted
			}
			if got := c.ActiveOn(date(tt.on)); got != tt.want {
				t.Errorf("ActiveOn(%s) = %v, want %v", tt.on, got, tt.want)
			}
		})
	}
}

func TestCheckRankFree(t *testing.T) {
	deleted := now
	current := []Coverage{{ID: "a", Rank: 1}, {ID: "b", Rank: 2}, {ID: "gone", Rank: 0, DeleteTime: &deleted}}
	tests := []struct {
		rank     int
		exceptID string
		taken    string
	}{
		{rank: 1, taken: "a"},
		{rank: 2, taken: "b"},
		{rank: 3},
		{rank: 1, exceptID: "a"},
		{rank: 0},
	}
	for _, tt := range tests {
		err := CheckRankFree(current, tt.rank, tt.exceptID)
		if tt.taken == "" {
			if err != nil {
				t.Errorf("CheckRankFree(%d) = %v, want nil", tt.rank, err)
			}
			continue
		}
		errstest.Check(t, err, false, errs.KindAlreadyExists, ReasonCoverageRankTaken)
		want := map[string]string{"rank": fmt.Sprint(tt.rank), "coverage_id": tt.taken}
		if diff := cmp.Diff(want, err.(*errs.Error).Metadata); diff != "" {
			t.Errorf("CheckRankFree(%d) metadata (-want +got):\n%s", tt.rank, diff)
		}
	}
}

func TestReorder(t *testing.T) {
	deleted := now
	current := []Coverage{
		{ID: "a", Rank: 1, MemberID: "A1"},
		{ID: "b", Rank: 2, MemberID: "B2"},
		{ID: "c", Rank: 3, MemberID: "C3"},
		{ID: "gone", DeleteTime: &deleted},
	}
	tests := []struct {
		name      string
		current   []Coverage
		ids       []string
		want      []string // ids in order; ranks are 1..n
		wantUnmet []errs.PreconditionViolation
	}{
		{name: "reverse", current: current, ids: []string{"c", "b", "a"}, want: []string{"c", "b", "a"}},
		{name: "same order", current: current, ids: []string{"a", "b", "c"}, want: []string{"a", "b", "c"}},
		{name: "ids trimmed and case-folded", current: current, ids: []string{" B ", "a", "C"}, want: []string{"b", "a", "c"}},
		{name: "none to reorder", current: nil, ids: nil, want: []string{}},
		{name: "one missing", current: current, ids: []string{"c", "a"},
			wantUnmet: []errs.PreconditionViolation{{Type: UnmetCoverageNotListed, Subject: "coverages/b"}}},
		{name: "unknown id", current: current, ids: []string{"c", "x", "a", "b"},
			wantUnmet: []errs.PreconditionViolation{{Type: UnmetCoverageNotCurrent, Subject: "coverageIds[1]"}}},
		{name: "deleted id", current: current, ids: []string{"c", "gone", "a", "b"},
			wantUnmet: []errs.PreconditionViolation{{Type: UnmetCoverageNotCurrent, Subject: "coverageIds[1]"}}},
		{name: "listed twice, one left out", current: current, ids: []string{"c", "a", "a"},
			wantUnmet: []errs.PreconditionViolation{{Type: UnmetCoverageListedTwice, Subject: "coverageIds[2]"}, {Type: UnmetCoverageNotListed, Subject: "coverages/b"}}},
		{name: "empty list for coverages", current: current, ids: nil,
			wantUnmet: []errs.PreconditionViolation{{Type: UnmetCoverageNotListed, Subject: "coverages/a"}, {Type: UnmetCoverageNotListed, Subject: "coverages/b"}, {Type: UnmetCoverageNotListed, Subject: "coverages/c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Reorder(tt.current, tt.ids)
			if tt.wantUnmet != nil {
				errstest.Check(t, err, false, errs.KindFailedPrecondition, ReasonCoverageReorderMismatch)
				if diff := cmp.Diff(tt.wantUnmet, err.(*errs.Error).Preconditions, cmpopts.IgnoreFields(errs.PreconditionViolation{}, "Description")); diff != "" {
					t.Errorf("preconditions (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Reorder: %v", err)
			}
			gotIDs := []string{}
			for i, c := range got {
				gotIDs = append(gotIDs, c.ID)
				if c.Rank != i+1 {
					t.Errorf("%s has rank %d, want %d", c.ID, c.Rank, i+1)
				}
			}
			if diff := cmp.Diff(tt.want, gotIDs); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
	if got, _ := Reorder(current, []string{"c", "b", "a"}); got[0].MemberID != "C3" || current[2].Rank != 3 {
		t.Error("Reorder lost a coverage's other fields or changed its input")
	}
}

// FuzzReorder feeds arbitrary id lists to Reorder: it never panics, and
// what it accepts is a permutation of the current coverages ranked 1..n.
func FuzzReorder(f *testing.F) {
	f.Add("c,b,a")
	f.Add("a,a,b")
	f.Add("")
	f.Add(" A ,b,c,d")
	f.Fuzz(func(t *testing.T, list string) {
		current := []Coverage{{ID: "a", Rank: 1}, {ID: "b", Rank: 3}, {ID: "c", Rank: 2}}
		var ids []string
		if list != "" {
			ids = strings.Split(list, ",")
		}
		got, err := Reorder(current, ids)
		if err != nil {
			if errs.KindOf(err) != errs.KindFailedPrecondition {
				t.Fatalf("error kind %v", errs.KindOf(err))
			}
			return
		}
		if len(got) != len(current) {
			t.Fatalf("Reorder(%q) returned %d coverages, want %d", list, len(got), len(current))
		}
		seen := map[string]bool{}
		for i, c := range got {
			if seen[c.ID] || c.Rank != i+1 {
				t.Fatalf("Reorder(%q) = %+v: not a permutation ranked 1..n", list, got)
			}
			seen[c.ID] = true
		}
	})
}

func TestCoverageDelete(t *testing.T) {
	c, _ := NewCoverage("cv1", companyID, patientID, validCoverage(), now)
	if err := c.Delete(now); err != nil || !c.Deleted() || c.Rank != 0 {
		t.Fatalf("Delete: %v, deleted %v, rank %d", err, c.Deleted(), c.Rank)
	}
	errstest.Check(t, c.Delete(now), false, errs.KindFailedPrecondition, ReasonCoverageDeleted)
}

func TestNormalizeMemberID(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: " abc-123 ", want: "ABC-123"},
		{in: strings.Repeat("9", 30), want: strings.Repeat("9", 30)},
		{in: ""},
		{in: "ABC 123"},
		{in: "ABC_123"},
		{in: strings.Repeat("9", 31)},
	}
	for _, tt := range tests {
		got, err := NormalizeMemberID(tt.in)
		if tt.want == "" {
			if diff := cmp.Diff([]string{""}, errstest.Fields(t, err)); diff != "" {
				t.Errorf("NormalizeMemberID(%q) violations (-want +got):\n%s", tt.in, diff)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeMemberID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestEligibilityOutcomeStatus(t *testing.T) {
	tests := map[EligibilityOutcome]EligibilityStatus{
		OutcomeEligible:   EligibilityEligible,
		OutcomeIneligible: EligibilityIneligible,
		OutcomeError:      EligibilityError,
		"nonsense":        EligibilityError,
	}
	for o, want := range tests {
		if got := o.Status(); got != want {
			t.Errorf("%q.Status() = %q, want %q", o, got, want)
		}
	}
	c, _ := NewCoverage("cv1", companyID, patientID, validCoverage(), now)
	checked := now.Add(time.Minute)
	c.RecordEligibility(EligibilityCheck{CoverageID: "cv1", Outcome: OutcomeIneligible, CheckTime: checked})
	if c.EligibilityStatus != EligibilityIneligible || c.LastEligibilityCheckTime == nil || !c.LastEligibilityCheckTime.Equal(checked) || !c.UpdateTime.Equal(checked) {
		t.Errorf("after RecordEligibility: %+v", c)
	}
}

func TestEligibilityByRules(t *testing.T) {
	dos := date("2026-03-01")
	deleted := now
	tests := []struct {
		name        string
		edit        func(p *Patient, c *Coverage, plan *Plan, payer *Payer)
		wantOutcome EligibilityOutcome
		wantReasons int
	}{
		{name: "eligible", edit: func(*Patient, *Coverage, *Plan, *Payer) {}, wantOutcome: OutcomeEligible, wantReasons: 1},
		{name: "not yet effective", edit: func(_ *Patient, c *Coverage, _ *Plan, _ *Payer) { c.EffectiveDate = date("2026-03-02") }, wantOutcome: OutcomeIneligible, wantReasons: 1},
		{name: "ended", edit: func(_ *Patient, c *Coverage, _ *Plan, _ *Payer) { c.EndDate = date("2026-02-28") }, wantOutcome: OutcomeIneligible, wantReasons: 1},
		{name: "deleted", edit: func(_ *Patient, c *Coverage, _ *Plan, _ *Payer) { c.DeleteTime = &deleted }, wantOutcome: OutcomeIneligible, wantReasons: 1},
		{name: "plan and payer inactive", edit: func(_ *Patient, _ *Coverage, plan *Plan, payer *Payer) { plan.Active, payer.Active = false, false }, wantOutcome: OutcomeIneligible, wantReasons: 2},
		{name: "died before the date of service", edit: func(p *Patient, _ *Coverage, _ *Plan, _ *Payer) { p.DeceasedDate = date("2026-02-28") }, wantOutcome: OutcomeIneligible, wantReasons: 1},
		{name: "died on the date of service", edit: func(p *Patient, _ *Coverage, _ *Plan, _ *Payer) { p.DeceasedDate = dos }, wantOutcome: OutcomeEligible, wantReasons: 1},
		{name: "everything wrong", edit: func(p *Patient, c *Coverage, plan *Plan, payer *Payer) {
			p.DeceasedDate, c.EndDate, plan.Active, payer.Active = date("2026-01-01"), date("2026-01-31"), false, false
		}, wantOutcome: OutcomeIneligible, wantReasons: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Patient{ID: patientID}
			c := &Coverage{ID: "cv1", PatientID: patientID, Rank: 1, EffectiveDate: date("2026-01-01")}
			plan := &Plan{ID: planID, Active: true}
			payer := &Payer{ID: payerID, Active: true}
			tt.edit(p, c, plan, payer)
			outcome, reasons := EligibilityByRules(p, c, plan, payer, dos)
			if outcome != tt.wantOutcome || len(reasons) != tt.wantReasons {
				t.Errorf("EligibilityByRules = %q, %q; want %q with %d reasons", outcome, reasons, tt.wantOutcome, tt.wantReasons)
			}
			for _, r := range reasons {
				if strings.Contains(r, "2026") {
					t.Errorf("reason %q carries a date", r)
				}
			}
		})
	}
}
