package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// recallWhere is the recall predicate over units u joined to items i;
// each condition is one the recall indexes answer (units_recall_lot,
// items_recall).
const recallWhere = `($1 = '' or (lower(i.manufacturer) = lower($1) and ($2 = '' or lower(i.model) = lower($2))))
	and ($3 = '' or u.lot = $3)`

// recallHoldersSQL selects a page of a recall's units ($1-$3 the query,
// $4-$5 the page cursor, $6 the limit).
const recallHoldersSQL = `
	select u.id::text, u.item_id::text, u.serial_number, u.warehouse_id::text,
		coalesce(u.current_patient_id::text, ''), u.status
	from units u join items i on i.id = u.item_id
	where ` + recallWhere + `
		and ($4::text is null or (u.serial_number, u.id) > ($4::text, $5::uuid))
	order by u.serial_number, u.id limit $6`

// RecallHolders lists one page of the units a recall names, by serial
// number and id, with their current patients; after holds the previous
// page's last (serial number, id), nil for the first page.
func (s *Store) RecallHolders(ctx context.Context, q app.RecallQuery, after []string, limit int) ([]app.RecallHolder, error) {
	return postgres.ReadMany(ctx, s.db, "recall holders", recallHoldersSQL,
		func(r pgx.Row) (app.RecallHolder, error) {
			var h app.RecallHolder
			var status string
			err := r.Scan(&h.UnitID, &h.ItemID, &h.SerialNumber, &h.WarehouseID, &h.PatientID, &status)
			h.Status = domain.UnitStatus(status)
			return h, err
		}, q.Manufacturer, q.Model, q.Lot, postgres.AfterKey(after, 0), postgres.AfterKey(after, 1), limit)
}

// SetRecalled flags (or clears) every unit a recall names, returning how
// many it changed; a recalled unit cannot be rented or sold.
func (s *Store) SetRecalled(ctx context.Context, q app.RecallQuery, recalled bool) (int64, error) {
	var n int64
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			update units u set recalled = $4, version = u.version + 1, update_time = now()
			from items i
			where i.id = u.item_id and u.recalled <> $4 and `+recallWhere, q.Manufacturer, q.Model, q.Lot, recalled)
		n = tag.RowsAffected()
		return err
	})
	return n, postgres.Wrap("set recalled", err)
}
