package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

const maintenanceColumns = `id::text, company_id::text, unit_id::text, problem, work_done, technician, labor_minutes,
	cost_cents, perform_date, next_due, released, actor_id, create_time`

func scanMaintenance(row pgx.Row) (*domain.MaintenanceRecord, error) {
	var r domain.MaintenanceRecord
	err := row.Scan(&r.ID, &r.CompanyID, &r.UnitID, &r.Problem, &r.WorkDone, &r.Technician, &r.LaborMinutes, &r.CostCents,
		(*postgres.Date)(&r.PerformDate), (*postgres.Date)(&r.NextDue), &r.Released, &r.ActorID, &r.CreateTime)
	return &r, err
}

// CreateMaintenance stores r under its unit's row lock, in one
// transaction and under an AIP-155 key: the unit's next due date becomes
// r.NextDue (announced afresh when it falls due), and with release a unit
// in maintenance goes back on hand by a MAINTENANCE_IN transaction (a unit
// in any other status is FAILED_PRECONDITION, as the transition table
// says). A repeated request returns the record created the first time,
// replayed, and changes nothing.
func (s *Store) CreateMaintenance(ctx context.Context, r *domain.MaintenanceRecord, release bool, requestID string, requestHash []byte) (app.Maintained, bool, error) {
	var out app.Maintained
	var replayed bool
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		u, err := getUnit(ctx, tx, r.UnitID, " for update of u")
		if err != nil {
			return err
		}
		stored, replay, err := postgres.CreateOnce(ctx, tx, "CreateMaintenanceRecord", requestID, requestHash, func() (string, error) {
			if release {
				tr := app.Transition{Unit: u, FromStatus: u.Status, FromWarehouse: u.WarehouseID}
				in := u.Sequenced(domain.UnitTransaction{Kind: domain.TxMaintenanceIn, Time: r.CreateTime})
				from, to, err := u.Apply(in)
				if err != nil {
					return "", err
				}
				if err := logTransaction(ctx, tx, u, in, tr.FromStatus, tr.FromWarehouse, r.ActorID); err != nil {
					return "", err
				}
				if tr.Low, err = moveStock(ctx, tx, u.CompanyID, u.ItemID, from, to); err != nil {
					return "", err
				}
				out.Transition = &tr
				r.Released = true
			} else {
				u.Version++
				u.UpdateTime = r.CreateTime
			}
			u.NextMaintenanceDue = r.NextDue
			if err := saveProjection(ctx, tx, u); err != nil {
				return "", err
			}
			if _, err := tx.Exec(ctx, `update units set next_maintenance_due = $2, due_announced = null where id = $1`,
				u.ID, postgres.Date(r.NextDue)); err != nil {
				return "", err
			}
			_, err := tx.Exec(ctx, `
				insert into maintenance_records (id, company_id, unit_id, problem, work_done, technician, labor_minutes,
					cost_cents, perform_date, next_due, released, actor_id, create_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				r.ID, r.CompanyID, r.UnitID, r.Problem, r.WorkDone, r.Technician, r.LaborMinutes, r.CostCents,
				postgres.Date(r.PerformDate), postgres.Date(r.NextDue), r.Released, r.ActorID, r.CreateTime)
			return r.ID, err
		})
		if err != nil {
			return err
		}
		out.Unit, out.Record, replayed = u, r, replay
		if replay {
			out.Transition = nil
			out.Record, err = scanMaintenance(tx.QueryRow(ctx, `select `+maintenanceColumns+` from maintenance_records where id = $1`, stored))
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("store: idempotency key names maintenance record %s, which is gone", stored)
			}
		}
		return err
	})
	if err != nil {
		return app.Maintained{}, false, postgres.Wrap("create maintenance record", err)
	}
	return out, replayed, nil
}

// ListMaintenance returns one page of unit id's records, newest first;
// after holds the previous page's last (create time, id), nil for the
// first page. A unit that is not the caller's is NOT_FOUND.
func (s *Store) ListMaintenance(ctx context.Context, unitID string, after []string, limit int) ([]*domain.MaintenanceRecord, error) {
	return postgres.ReadOne(ctx, s.db, "list maintenance records", func(tx pgx.Tx) ([]*domain.MaintenanceRecord, error) {
		if _, err := getUnit(ctx, tx, unitID, ""); err != nil {
			return nil, err
		}
		return postgres.QueryAll(ctx, tx, `select `+maintenanceColumns+` from maintenance_records
			where unit_id = $1 and ($2::timestamptz is null or (create_time, id) < ($2::timestamptz, $3::uuid))
			order by create_time desc, id desc limit $4`, scanMaintenance,
			unitID, postgres.AfterKey(after, 0), postgres.AfterKey(after, 1), limit)
	})
}

// dueWhere leaves out units the supplier no longer maintains.
const dueWhere = `next_maintenance_due is not null and status not in ('sold', 'lost', 'junked')`

func scanDue(r pgx.Row) (app.DueUnit, error) {
	var d app.DueUnit
	var status string
	err := r.Scan(&d.UnitID, &d.ItemID, &d.WarehouseID, &d.SerialNumber, &status, (*postgres.Date)(&d.Due))
	d.Status = domain.UnitStatus(status)
	return d, err
}

// ListDue returns one page of warehouse's units due on or before through,
// soonest first (by index, units_maintenance_due); after holds the
// previous page's last (due date, id), nil for the first page.
func (s *Store) ListDue(ctx context.Context, warehouseID string, through civil.Date, after []string, limit int) ([]app.DueUnit, error) {
	return postgres.ReadMany(ctx, s.db, "list maintenance due", `
		select id::text, item_id::text, warehouse_id::text, serial_number, status, next_maintenance_due from units
		where warehouse_id = $1 and `+dueWhere+` and next_maintenance_due <= $2
			and ($3::date is null or (next_maintenance_due, id) > ($3::date, $4::uuid))
		order by next_maintenance_due, id limit $5`, scanDue,
		warehouseID, postgres.Date(through), postgres.AfterKey(after, 0), postgres.AfterKey(after, 1), limit)
}

// DueTenants names the companies with a unit fallen due on or before
// today whose due date is not yet announced.
func (s *Store) DueTenants(ctx context.Context, today civil.Date) ([]string, error) {
	rows, err := s.db.Pool().Query(ctx, `select id::text from maintenance_due_tenants($1) as id`, postgres.Date(today))
	if err != nil {
		return nil, postgres.Wrap("maintenance due tenants", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, postgres.Wrap("maintenance due tenants", err)
}

// ClaimDue marks up to limit of the caller's units fallen due on or before
// today, and not yet announced, as announced, and returns them. It runs in
// the caller's unit of work, so the announcement commits with the events
// that announce it; concurrent sweeps skip each other's rows.
func (s *Store) ClaimDue(ctx context.Context, today civil.Date, limit int) ([]app.DueUnit, error) {
	var out []app.DueUnit
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = postgres.QueryAll(ctx, tx, `
			with due as (
				select id from units
				where `+dueWhere+` and next_maintenance_due <= $1
					and due_announced is distinct from next_maintenance_due
				order by next_maintenance_due, id limit $2
				for update skip locked)
			update units u set due_announced = u.next_maintenance_due from due where u.id = due.id
			returning u.id::text, u.item_id::text, u.warehouse_id::text, u.serial_number, u.status,
				u.next_maintenance_due`, scanDue, postgres.Date(today), limit)
		return err
	})
	return out, postgres.Wrap("claim maintenance due", err)
}
