package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// RecordUsage stores readings of unit id for the patient renting it (a
// night already recorded for that patient takes the new reading), under
// the unit's share lock so a return cannot slip between reading the
// renter and writing. It returns the unit; a unit no patient rents is
// FAILED_PRECONDITION UNIT_NOT_RENTED.
func (s *Store) RecordUsage(ctx context.Context, id string, readings []domain.NightUsage) (*domain.Unit, error) {
	var out *domain.Unit
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		u, err := getUnit(ctx, tx, id, " for share of u")
		if err != nil {
			return err
		}
		if u.Status != domain.StatusRented {
			return errs.Unmet(domain.ReasonUnitNotRented, "usage is recorded for a rented unit, for its renter",
				errs.PreconditionViolation{Type: "STATUS", Subject: "units/" + u.ID, Description: "is " + string(u.Status)})
		}
		nights := make([]postgres.Date, len(readings))
		minutes := make([]int32, len(readings))
		for i, r := range readings {
			nights[i], minutes[i] = postgres.Date(r.Night), int32(r.Minutes)
		}
		_, err = tx.Exec(ctx, `
			insert into usage_readings (company_id, unit_id, patient_id, night, minutes)
			select $1, $2, $3, r.night, r.minutes from unnest($4::date[], $5::int[]) as r(night, minutes)
			on conflict (company_id, unit_id, patient_id, night)
			do update set minutes = excluded.minutes, record_time = now()`,
			u.CompanyID, u.ID, u.CurrentPatientID, nights, minutes)
		out = u
		return err
	})
	return out, postgres.Wrap("record usage", err)
}

// Usage returns unit id's readings for patient between start and end
// inclusive, by night; a unit that is not the caller's is NOT_FOUND.
func (s *Store) Usage(ctx context.Context, unitID, patientID string, start, end civil.Date) ([]domain.NightUsage, error) {
	return postgres.ReadOne(ctx, s.db, "read usage", func(tx pgx.Tx) ([]domain.NightUsage, error) {
		if _, err := getUnit(ctx, tx, unitID, ""); err != nil {
			return nil, err
		}
		return postgres.QueryAll(ctx, tx, `
			select night, minutes from usage_readings
			where unit_id = $1 and patient_id = $2 and night between $3 and $4 order by night`,
			func(r pgx.Row) (domain.NightUsage, error) {
				var n domain.NightUsage
				err := r.Scan((*postgres.Date)(&n.Night), &n.Minutes)
				return n, err
			}, unitID, patientID, postgres.Date(start), postgres.Date(end))
	})
}
