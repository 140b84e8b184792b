package domain

import (
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// MaintenanceRecord is one piece of work done on a unit.
type MaintenanceRecord struct {
	ID           string
	CompanyID    string
	UnitID       string
	Problem      string
	WorkDone     string
	Technician   string
	LaborMinutes int32
	CostCents    int64
	PerformDate  civil.Date
	// NextDue becomes the unit's next maintenance due date; zero clears it.
	NextDue civil.Date
	// Released says the record put the unit back on hand.
	Released   bool
	ActorID    string
	CreateTime time.Time
}

// MaintenanceValues are what a client sends for a record.
type MaintenanceValues struct {
	Problem, WorkDone, Technician string
	LaborMinutes                  int32
	CostCents                     int64
	// CostCurrency is the cost's ISO 4217 code; "" is taken as USD.
	CostCurrency         string
	PerformDate, NextDue civil.Date
}

// Maintenance limits, matching the API's and the schema's.
const (
	maxProblem      = 500
	maxWorkDone     = 2000
	maxTechnician   = 100
	maxLaborMinutes = 7 * 24 * 60
	maxRepairCents  = 100_000_000
)

// NewMaintenanceRecord builds a record of work on unit, checked on today
// (the work is not in the future; the next due date follows it).
// Violations name fields relative to the record.
func NewMaintenanceRecord(id, companyID, unitID, actorID string, values MaintenanceValues, today civil.Date, now time.Time) (*MaintenanceRecord, error) {
	var v errs.Violations
	r := &MaintenanceRecord{ID: id, CompanyID: companyID, UnitID: unitID, ActorID: actorID, CreateTime: now,
		Problem: strings.TrimSpace(values.Problem), WorkDone: strings.TrimSpace(values.WorkDone),
		Technician: strings.TrimSpace(values.Technician), LaborMinutes: values.LaborMinutes,
		CostCents: values.CostCents, PerformDate: values.PerformDate, NextDue: values.NextDue}
	v.CheckText("problem", r.Problem, true, maxProblem)
	v.CheckText("workDone", r.WorkDone, true, maxWorkDone)
	v.CheckLine("technician", r.Technician, true, maxTechnician)
	if r.LaborMinutes < 0 || r.LaborMinutes > maxLaborMinutes {
		v.Addf("laborMinutes", "must be between 0 and %d", maxLaborMinutes)
	}
	if values.CostCurrency != "" && values.CostCurrency != "USD" {
		v.Add("cost.currencyCode", "must be USD")
	}
	if r.CostCents < 0 || r.CostCents > maxRepairCents {
		v.Add("cost.amountCents", "must be between 0 and 100,000,000 cents")
	}
	switch {
	case r.PerformDate.IsZero():
		v.Add("performDate", "is required")
	case !r.PerformDate.IsValid():
		v.Add("performDate", "must be a calendar date")
	case r.PerformDate.After(today):
		v.Add("performDate", "must not be in the future")
	}
	if !r.NextDue.IsZero() {
		if !r.NextDue.IsValid() {
			v.Add("nextDue", "must be a calendar date")
		} else if r.PerformDate.IsValid() && !r.NextDue.After(r.PerformDate) {
			v.Add("nextDue", "must be after performDate")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return r, nil
}
