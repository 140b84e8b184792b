package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// ListUnits returns one page of the caller's units; by patient, from the
// index of the units patients hold (units_patient).
func (s *Store) ListUnits(ctx context.Context, q app.UnitQuery) ([]*domain.Unit, error) {
	return postgres.ReadMany(ctx, s.db, "list units", listUnitsSQL, scanUnit,
		q.ItemID, q.WarehouseID, string(q.Status), q.PatientID, postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), q.Limit)
}

// listUnitsSQL selects a page of units ($1-$4 the item, warehouse, status
// and patient filters, "" for any; $5-$6 the page cursor, $7 the limit).
const listUnitsSQL = `
	select ` + unitColumns + ` from units u join items i on i.id = u.item_id
	where ($1 = '' or u.item_id = nullif($1, '')::uuid) and ($2 = '' or u.warehouse_id = nullif($2, '')::uuid)
		and ($3 = '' or u.status = $3) and ($4 = '' or u.current_patient_id = nullif($4, '')::uuid)
		and ($5::text is null or (u.serial_number, u.id) > ($5::text, $6::uuid))
	order by u.serial_number, u.id limit $7`

// FindSerial returns every unit of the caller's company with the
// normalized serial number (one per item at most), by index
// (units_serial).
func (s *Store) FindSerial(ctx context.Context, serial string) ([]app.SerialMatch, error) {
	return postgres.ReadMany(ctx, s.db, "find serial", `
		select `+unitColumns+`, i.hcpcs from units u join items i on i.id = u.item_id
		where u.serial_number = $1 order by u.id`,
		func(r pgx.Row) (app.SerialMatch, error) {
			var m app.SerialMatch
			u, err := scanUnitWith(r, &m.HCPCS)
			if u != nil {
				m.Unit = *u
			}
			return m, err
		}, serial)
}

// ListTransactions returns one page of unit id's log, oldest first; after
// holds the previous page's last (occur time, id), nil for the first page.
// A unit that is not the caller's is NOT_FOUND.
func (s *Store) ListTransactions(ctx context.Context, unitID string, after []string, limit int) ([]*app.TransactionRecord, error) {
	return postgres.ReadOne(ctx, s.db, "list unit transactions", func(tx pgx.Tx) ([]*app.TransactionRecord, error) {
		if _, err := getUnit(ctx, tx, unitID, ""); err != nil {
			return nil, err
		}
		return postgres.QueryAll(ctx, tx, `
			select id::text, unit_id::text, kind, coalesce(from_status, ''), to_status,
				coalesce(from_warehouse_id::text, ''), to_warehouse_id::text, coalesce(patient_id::text, ''), actor_id,
				occur_time, coalesce(order_line_id::text, ''), note
			from unit_transactions
			where unit_id = $1 and ($2::timestamptz is null or (occur_time, id) > ($2::timestamptz, $3::uuid))
			order by occur_time, id limit $4`,
			func(r pgx.Row) (*app.TransactionRecord, error) {
				var t app.TransactionRecord
				var kind, from, to string
				err := r.Scan(&t.ID, &t.UnitID, &kind, &from, &to, &t.FromWarehouse, &t.ToWarehouse, &t.PatientID,
					&t.ActorID, &t.OccurTime, &t.OrderLineID, &t.Note)
				t.Kind, t.FromStatus, t.ToStatus = domain.TransactionKind(kind), domain.UnitStatus(from), domain.UnitStatus(to)
				return &t, err
			}, unitID, postgres.AfterKey(after, 0), postgres.AfterKey(after, 1), limit)
	})
}
