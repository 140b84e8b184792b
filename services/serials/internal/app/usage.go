package app

import (
	"context"
	"fmt"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// EventUsageRecorded is the usage event type.
const EventUsageRecorded = "serials.usage.recorded.v1"

// UsageRepository stores units' nightly usage readings and reads them
// back, with the unit, for compliance.
type UsageRepository interface {
	GetUnit(ctx context.Context, id string) (*domain.Unit, error)
	RecordUsage(ctx context.Context, id string, readings []domain.NightUsage) (*domain.Unit, error)
	Usage(ctx context.Context, unitID, patientID string, start, end civil.Date) ([]domain.NightUsage, error)
}

// Usage are the device usage commands and queries.
type Usage struct{ s *serials }

// MaxReadings bounds one RecordUsage call: a year of nights.
const MaxReadings = 366

// Record stores nightly readings of a rented unit for its renter and
// records UsageRecorded (which carries the count, never the nights).
// Every night must be a date not after today, once; minutes 0-1440.
func (h Usage) Record(ctx context.Context, unitID string, readings []domain.NightUsage) (*domain.Unit, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("unitId", unitID); err != nil {
		return nil, err
	}
	if err := checkReadings(readings, h.s.today()); err != nil {
		return nil, err
	}
	now := h.s.Now.Stamp()
	return usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (*domain.Unit, []usecase.Event, error) {
		u, err := h.s.Store.RecordUsage(ctx, unitID, readings)
		if err != nil {
			return nil, nil, err
		}
		return u, []usecase.Event{{Type: EventUsageRecorded, CompanyID: u.CompanyID,
			Payload: &serialsv1.UsageRecorded{CompanyId: u.CompanyID, UnitId: u.ID, ActorId: caller.Subject,
				OccurTime: protoconv.Time(now), PatientId: u.CurrentPatientID, NightCount: int32(len(readings))}}}, nil
	})
}

// checkReadings checks a batch of readings; violations name
// "readings[i].night" and "readings[i].minutes".
func checkReadings(readings []domain.NightUsage, today civil.Date) error {
	var v errs.Violations
	if len(readings) == 0 || len(readings) > MaxReadings {
		v.Addf("readings", "must hold 1 to %d readings", MaxReadings)
	}
	seen := make(map[civil.Date]int, len(readings))
	for i, r := range readings {
		field := fmt.Sprintf("readings[%d]", i)
		switch {
		case !r.Night.IsValid():
			v.Add(field+".night", "must be a calendar date")
		case r.Night.After(today):
			v.Add(field+".night", "must not be in the future")
		}
		if first, dup := seen[r.Night]; dup && r.Night.IsValid() {
			v.Addf(field+".night", "repeats readings[%d]: one reading per night", first)
		}
		seen[r.Night] = i
		if r.Minutes < 0 || r.Minutes > domain.MaxMinutesPerNight {
			v.Addf(field+".minutes", "must be between 0 and %d", domain.MaxMinutesPerNight)
		}
	}
	return v.Err()
}

// Compliance is a patient's use of a unit measured against Medicare's PAP
// rule.
type Compliance struct {
	UnitID, PatientID string
	domain.ComplianceSummary
}

// MaxComplianceWindow bounds a compliance window, in nights.
const MaxComplianceWindow = 366

// Compliance measures patientID's (or, "", the current renter's) use of
// unit unitID from start to end inclusive against domain.MedicarePAP.
func (h Usage) Compliance(ctx context.Context, unitID, patientID string, start, end civil.Date) (Compliance, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return Compliance{}, err
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "unitId", Err: usecase.CheckID("", unitID)},
		usecase.FieldCheck{Field: "patientId", Err: optionalID(patientID)}); err != nil {
		return Compliance{}, err
	}
	if start.IsValid() && end.IsValid() && end.After(start.AddDays(MaxComplianceWindow-1)) {
		return Compliance{}, errs.Invalid(errs.FieldViolation{Field: "windowEnd",
			Description: fmt.Sprintf("must be within %d nights of windowStart", MaxComplianceWindow)})
	}
	if patientID == "" {
		u, err := h.s.Store.GetUnit(ctx, unitID)
		if err != nil {
			return Compliance{}, err
		}
		if u.CurrentPatientID == "" {
			return Compliance{}, errs.Invalid(errs.FieldViolation{Field: "patientId",
				Description: "is required: the unit has no current patient"})
		}
		patientID = u.CurrentPatientID
	}
	readings, err := h.s.Store.Usage(ctx, unitID, patientID, start, end)
	if err != nil {
		return Compliance{}, err
	}
	sum, err := domain.Compliance(readings, start, end, domain.MedicarePAP)
	if err != nil {
		return Compliance{}, err
	}
	return Compliance{UnitID: unitID, PatientID: patientID, ComplianceSummary: sum}, nil
}
