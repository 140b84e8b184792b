package app

import (
	"context"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// ReadinessRepository reads what a readiness check weighs: the patient,
// the patient's coverages and written orders. The patients', coverages'
// and written orders' repositories provide it.
type ReadinessRepository interface {
	GetPatient(ctx context.Context, id string) (*domain.Patient, error)
	PatientCoverages(ctx context.Context, patientID string) ([]domain.Coverage, error)
	PatientWrittenOrders(ctx context.Context, patientID string) ([]domain.WrittenOrder, error)
}

// Readiness is the readiness query.
type Readiness struct{ c *clinic }

// CheckReadiness asks what is missing before items of HCPCSCodes can be
// billed for patient PatientID on DateOfService. Violations name
// "patientId", "hcpcsCodes[i]" and "dateOfService".
type CheckReadiness struct {
	PatientID     string
	HCPCSCodes    []string
	DateOfService civil.Date
}

// ReadinessReport is what is missing, patient-level requirements first,
// then per HCPCS code in the order asked; none means ready.
type ReadinessReport struct {
	PatientID     string
	DateOfService civil.Date
	Missing       []domain.Requirement
}

// Ready reports whether nothing is missing.
func (r ReadinessReport) Ready() bool { return len(r.Missing) == 0 }

// Check answers q from one unit of work: the patient, the coverages and
// the orders are read in the same transaction, so a change committed
// between the reads cannot pair, say, a coverage list from before a
// reorder with orders from after it. Another company's patient is
// NOT_FOUND, exactly like a missing one.
func (h Readiness) Check(ctx context.Context, q CheckReadiness) (ReadinessReport, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return ReadinessReport{}, err
	}
	codes, codesErr := domain.ParseReadinessCodes(q.HCPCSCodes)
	var dateErr error
	switch {
	case q.DateOfService.IsZero():
		dateErr = errs.Invalid(errs.FieldViolation{Description: "is required"})
	case !q.DateOfService.IsValid():
		dateErr = errs.Invalid(errs.FieldViolation{Description: "must be a calendar date"})
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "patientId", Err: usecase.CheckID("", q.PatientID)},
		usecase.FieldCheck{Err: codesErr},
		usecase.FieldCheck{Field: "dateOfService", Err: dateErr},
	); err != nil {
		return ReadinessReport{}, err
	}
	report := ReadinessReport{PatientID: q.PatientID, DateOfService: q.DateOfService}
	err := h.c.Snapshots.InSnapshot(ctx, func(ctx context.Context) error {
		patient, err := h.c.Store.GetPatient(ctx, q.PatientID)
		if err != nil {
			return err
		}
		coverages, err := h.c.Store.PatientCoverages(ctx, q.PatientID)
		if err != nil {
			return err
		}
		orders, err := h.c.Store.PatientWrittenOrders(ctx, q.PatientID)
		if err != nil {
			return err
		}
		report.Missing = domain.Readiness(patient, coverages, orders, codes, q.DateOfService)
		return nil
	})
	if err != nil {
		return ReadinessReport{}, err
	}
	return report, nil
}
