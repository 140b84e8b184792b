package domain

import (
	"fmt"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// NightUsage is one night's device reading of a unit: minutes of use (for
// a CPAP, minutes with the mask on) on the night that began on Night.
type NightUsage struct {
	Night   civil.Date
	Minutes int
}

// MaxMinutesPerNight bounds a reading: a night cannot hold more than a day.
const MaxMinutesPerNight = 24 * 60

// ComplianceRule is an adherence rule of the form "at least MinMinutes on
// Required of Nights consecutive nights".
type ComplianceRule struct {
	MinMinutes int
	Nights     int
	Required   int
}

// MedicarePAP is Medicare's positive airway pressure adherence rule (LCD
// L33718): use of at least 4 hours a night on 70% of nights (21 of 30)
// during a consecutive 30-day period within the first three months.
var MedicarePAP = ComplianceRule{MinMinutes: 4 * 60, Nights: 30, Required: 21}

// ComplianceSummary is how a unit's readings measure up to a rule within a
// window of nights.
type ComplianceSummary struct {
	WindowStart, WindowEnd civil.Date
	// NightsRecorded counts the nights of the window with a reading;
	// NightsCompliant those with at least the rule's minutes.
	NightsRecorded  int
	NightsCompliant int
	// Best is the run of rule.Nights consecutive nights within the window
	// with the most compliant nights (the earliest of equals): its first
	// night and its count. A window shorter than the run has no run: Best
	// stays zero.
	BestStart civil.Date
	BestCount int
	// Compliant is true once some run meets the rule.
	Compliant bool
}

// Compliance summarizes readings (of one unit and patient; nights outside
// the window are ignored, a night without a reading counts as no use, and
// a night reported twice counts at its larger reading, since devices
// re-upload) against rule over the window from start to end inclusive.
func Compliance(readings []NightUsage, start, end civil.Date, rule ComplianceRule) (ComplianceSummary, error) {
	var v errs.Violations
	if !start.IsValid() {
		v.Add("windowStart", "must be a calendar date")
	}
	if !end.IsValid() {
		v.Add("windowEnd", "must be a calendar date")
	}
	if v.Len() == 0 && end.Before(start) {
		v.Add("windowEnd", "must not be before windowStart")
	}
	if v.Len() == 0 && days(start, end) >= 366 {
		v.Add("windowEnd", "must be within a year of windowStart")
	}
	if rule.Nights < 1 || rule.Required < 1 || rule.Required > rule.Nights || rule.MinMinutes < 1 {
		return ComplianceSummary{}, fmt.Errorf("domain: compliance rule %+v is not a rule", rule)
	}
	if err := v.Err(); err != nil {
		return ComplianceSummary{}, err
	}
	n := days(start, end) + 1
	minutes := make([]int, n)
	recorded := make([]bool, n)
	for _, r := range readings {
		if r.Night.Before(start) || r.Night.After(end) {
			continue
		}
		i := days(start, r.Night)
		recorded[i] = true
		minutes[i] = max(minutes[i], min(max(r.Minutes, 0), MaxMinutesPerNight))
	}
	s := ComplianceSummary{WindowStart: start, WindowEnd: end}
	good := make([]int, n+1) // good[i]: compliant nights among the first i
	for i := range n {
		ok := minutes[i] >= rule.MinMinutes
		if recorded[i] {
			s.NightsRecorded++
		}
		good[i+1] = good[i]
		if ok {
			s.NightsCompliant++
			good[i+1]++
		}
	}
	for first := 0; first+rule.Nights <= n; first++ {
		if count := good[first+rule.Nights] - good[first]; count > s.BestCount || s.BestStart.IsZero() {
			s.BestStart, s.BestCount = start.AddDays(first), count
		}
	}
	s.Compliant = !s.BestStart.IsZero() && s.BestCount >= rule.Required
	return s, nil
}

// days is the number of days from a to b (negative when b is before a).
func days(a, b civil.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}
