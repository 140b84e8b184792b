package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

var itemUniqueKeys = map[string]string{"items_company_code_key": "item"}

const itemColumns = `id::text, company_id::text, code, name, hcpcs, manufacturer, model, serialized, o2_tank, barcode,
	cost_cents, reorder_point, serial_pattern, serial_check, active, version, create_time, update_time`

func scanItem(row pgx.Row) (*domain.Item, error) {
	var it domain.Item
	var check string
	err := row.Scan(&it.ID, &it.CompanyID, &it.Code, &it.Name, &it.HCPCS, &it.Manufacturer, &it.Model, &it.Serialized,
		&it.O2Tank, &it.Barcode, &it.CostCents, &it.ReorderPoint, &it.SerialFormat.Pattern, &check, &it.Active,
		&it.Version, &it.CreateTime, &it.UpdateTime)
	it.SerialFormat.CheckDigit = domain.CheckDigitScheme(check)
	return &it, err
}

func getItem(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Item, error) {
	it, err := scanItem(tx.QueryRow(ctx, `select `+itemColumns+` from items where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("item", id)
	}
	return it, err
}

// GetItem returns item id of the caller's company.
func (s *Store) GetItem(ctx context.Context, id string) (*domain.Item, error) {
	return postgres.ReadOne(ctx, s.db, "get item", func(tx pgx.Tx) (*domain.Item, error) { return getItem(ctx, tx, id, "") })
}

// ListItems returns one page of the caller's items.
func (s *Store) ListItems(ctx context.Context, q app.ItemQuery) ([]*domain.Item, error) {
	return postgres.ReadMany(ctx, s.db, "list items", `select `+itemColumns+` from items
		where ($1 = '' or hcpcs = $1) and ($2 or active) and code > $3
		order by code limit $4`, scanItem, q.HCPCS, q.ShowInactive, q.After, q.Limit)
}

// CreateItem stores a new item under an AIP-155 key: a repeated request
// returns the item created the first time, replayed. A code the company
// already uses is ALREADY_EXISTS.
func (s *Store) CreateItem(ctx context.Context, it *domain.Item, requestID string, requestHash []byte) (*domain.Item, bool, error) {
	return postgres.CreateResource(ctx, s.db, "CreateItem", requestID, requestHash, it.ID, it, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			insert into items (id, company_id, code, name, hcpcs, manufacturer, model, serialized, o2_tank, barcode,
				cost_cents, reorder_point, serial_pattern, serial_check, active, version, create_time, update_time)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
			it.ID, it.CompanyID, it.Code, it.Name, it.HCPCS, it.Manufacturer, it.Model, it.Serialized, it.O2Tank,
			it.Barcode, it.CostCents, it.ReorderPoint, it.SerialFormat.Pattern, string(it.SerialFormat.CheckDigit),
			it.Active, it.Version, it.CreateTime)
		return postgres.AlreadyExists(err, itemUniqueKeys, it.Code)
	}, func(tx pgx.Tx, id string) (*domain.Item, error) { return getItem(ctx, tx, id, "") })
}

// UpdateItem locks item id, lets fn change it, and saves it with the next
// version. The serialized and o2_tank flags decide which state machine the
// units follow, so they cannot change once the item has units
// (FAILED_PRECONDITION ITEM_HAS_UNITS).
func (s *Store) UpdateItem(ctx context.Context, id string, fn func(*domain.Item) error) (*domain.Item, error) {
	var out *domain.Item
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		it, err := getItem(ctx, tx, id, " for update")
		if err != nil {
			return err
		}
		serialized, o2 := it.Serialized, it.O2Tank
		if err := fn(it); err != nil {
			return err
		}
		if it.Serialized != serialized || it.O2Tank != o2 {
			var has bool
			if err := tx.QueryRow(ctx, `select exists (select 1 from units where item_id = $1)`, id).Scan(&has); err != nil {
				return err
			}
			if has {
				return errs.FailedPrecondition(domain.ReasonItemHasUnits,
					"the item has units: its serialized and o2_tank flags can no longer change")
			}
		}
		it.Version++
		_, err = tx.Exec(ctx, `
			update items set code = $2, name = $3, hcpcs = $4, manufacturer = $5, model = $6, serialized = $7,
				o2_tank = $8, barcode = $9, cost_cents = $10, reorder_point = $11, serial_pattern = $12,
				serial_check = $13, active = $14, version = $15, update_time = $16
			where id = $1`,
			it.ID, it.Code, it.Name, it.HCPCS, it.Manufacturer, it.Model, it.Serialized, it.O2Tank, it.Barcode,
			it.CostCents, it.ReorderPoint, it.SerialFormat.Pattern, string(it.SerialFormat.CheckDigit), it.Active,
			it.Version, it.UpdateTime)
		if err != nil {
			return postgres.AlreadyExists(err, itemUniqueKeys, it.Code)
		}
		out = it
		return nil
	})
	return out, postgres.Wrap("update item", err)
}
