package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// stockColumns read a stock row s joined to its item i.
const stockColumns = `s.warehouse_id::text, s.item_id::text, s.on_hand, s.committed, s.rented, s.sold, s.unavailable,
	s.on_order, i.reorder_point, i.reorder_point > 0 and s.on_hand <= i.reorder_point`

func scanStockLevel(row pgx.Row) (*app.StockLevel, error) {
	var l app.StockLevel
	err := row.Scan(&l.WarehouseID, &l.ItemID, &l.OnHand, &l.Committed, &l.Rented, &l.Sold, &l.Unavailable, &l.OnOrder,
		&l.ReorderPoint, &l.Low)
	return &l, err
}

// ListStock returns one page of the caller's stock levels.
func (s *Store) ListStock(ctx context.Context, q app.StockQuery) ([]*app.StockLevel, error) {
	return postgres.ReadMany(ctx, s.db, "list stock", `
		select `+stockColumns+` from stock s join items i on i.id = s.item_id
		where ($1 = '' or s.warehouse_id = nullif($1, '')::uuid) and ($2 = '' or s.item_id = nullif($2, '')::uuid)
			and (not $3 or (i.reorder_point > 0 and s.on_hand <= i.reorder_point))
			and ($4::uuid is null or (s.warehouse_id, s.item_id) > ($4::uuid, $5::uuid))
		order by s.warehouse_id, s.item_id limit $6`, scanStockLevel,
		q.WarehouseID, q.ItemID, q.LowOnly, postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), q.Limit)
}

// CountUnits counts the caller's units by item (in item code order) and
// status, of one warehouse or ("") all.
func (s *Store) CountUnits(ctx context.Context, warehouseID string) ([]app.UnitCount, error) {
	return postgres.ReadMany(ctx, s.db, "count units", `
		select u.item_id::text, u.status, count(*)::int from units u join items i on i.id = u.item_id
		where $1 = '' or u.warehouse_id = nullif($1, '')::uuid
		group by i.code, u.item_id, u.status order by i.code, u.status`,
		func(r pgx.Row) (app.UnitCount, error) {
			var c app.UnitCount
			var status string
			err := r.Scan(&c.ItemID, &status, &c.Count)
			c.Status = domain.UnitStatus(status)
			return c, err
		}, warehouseID)
}
