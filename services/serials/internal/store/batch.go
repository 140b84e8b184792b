package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// maxNamedRows bounds how many duplicate rows one refusal names.
const maxNamedRows = 100

// BatchReceive receives units (already checked, each on hand in its
// warehouse) in one transaction, all or none, under an AIP-155 key: a
// repeated request returns the ids received the first time, replayed.
//
// The rows are loaded with COPY into a transaction-local table (COPY
// cannot write a table under row-level security), checked there against
// the item's existing serial numbers, and moved into units, the
// transaction log and the stock counters by three set-based statements,
// which the policies check like any other insert. A serial number an item
// already has refuses the whole batch, naming each such row
// ("units[41].serialNumber", the first 100).
func (s *Store) BatchReceive(ctx context.Context, units []*domain.Unit, actorID, requestID string, requestHash []byte) ([]string, bool, error) {
	var ids []string
	var replayed bool
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		stored, replay, err := postgres.CreateOnce(ctx, tx, "BatchCreateUnits", requestID, requestHash, func() (string, error) {
			if err := batchReceive(ctx, tx, units, actorID); err != nil {
				return "", err
			}
			ids = make([]string, len(units))
			for i, u := range units {
				ids[i] = u.ID
			}
			return strings.Join(ids, ","), nil
		})
		if replayed = replay; replay {
			ids = strings.Split(stored, ",")
		}
		return err
	})
	if err != nil {
		return nil, false, postgres.Wrap("batch receive units", err)
	}
	return ids, replayed, nil
}

func batchReceive(ctx context.Context, tx pgx.Tx, units []*domain.Unit, actorID string) error {
	if len(units) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `
		create temporary table incoming_units (
			ord int, id uuid, tx_id uuid, item_id uuid, serial_number text, manufacturer_serial text, lot text,
			lot_expiry date, warehouse_id uuid, next_maintenance_due date, purchase_date date,
			purchase_cost_cents bigint, warranty_end date, create_time timestamptz
		) on commit drop`); err != nil {
		return err
	}
	// Binary COPY of native values: parsing ids and dates once per
	// distinct value rather than once per row and column.
	items, warehouses := uuids{}, uuids{}
	rows := make([][]any, len(units))
	for i, u := range units {
		txID, err := uuid.NewV7()
		if err != nil {
			return err
		}
		id, err := uuid.Parse(u.ID)
		if err != nil {
			return err
		}
		rows[i] = []any{int32(i), pgtype.UUID{Bytes: id, Valid: true}, pgtype.UUID{Bytes: txID, Valid: true},
			items.of(u.ItemID), u.SerialNumber, u.ManufacturerSerial, u.Lot, pgDate(u.LotExpiry), warehouses.of(u.WarehouseID),
			pgDate(u.NextMaintenanceDue), pgDate(u.PurchaseDate), u.PurchaseCostCents, pgDate(u.WarrantyEnd), u.CreateTime}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"incoming_units"}, []string{"ord", "id", "tx_id", "item_id",
		"serial_number", "manufacturer_serial", "lot", "lot_expiry", "warehouse_id", "next_maintenance_due",
		"purchase_date", "purchase_cost_cents", "warranty_end", "create_time"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copying the batch: %w", err)
	}
	company := units[0].CompanyID
	dup, err := postgres.QueryAll(ctx, tx, `
		select n.ord from incoming_units n
		join units u on u.company_id = $1 and u.item_id = n.item_id and u.serial_number = n.serial_number
		order by n.ord limit $2`, func(r pgx.Row) (ord int32, err error) { return ord, r.Scan(&ord) }, company, maxNamedRows)
	if err != nil {
		return err
	}
	if len(dup) > 0 {
		fields := make([]errs.FieldViolation, len(dup))
		for i, ord := range dup {
			fields[i] = errs.FieldViolation{Field: fmt.Sprintf("units[%d].serialNumber", ord),
				Description: fmt.Sprintf("%s is already a unit of the item", units[ord].SerialNumber)}
		}
		return errs.Invalid(fields...)
	}
	if _, err := tx.Exec(ctx, `
		insert into units (id, company_id, item_id, serial_number, manufacturer_serial, lot, lot_expiry, status,
			warehouse_id, next_maintenance_due, purchase_date, purchase_cost_cents, warranty_end, version,
			create_time, update_time)
		select id, $1, item_id, serial_number, manufacturer_serial, lot, lot_expiry, 'on_hand', warehouse_id,
			next_maintenance_due, purchase_date, purchase_cost_cents, warranty_end, 1, create_time, create_time
		from incoming_units`, company); err != nil {
		return postgres.AlreadyExists(err, unitUniqueKeys, "a serial number of the batch")
	}
	if _, err := tx.Exec(ctx, `
		insert into unit_transactions (id, company_id, unit_id, kind, from_status, to_status, to_warehouse_id,
			actor_id, occur_time)
		select tx_id, $1, id, 'receive', null, 'on_hand', warehouse_id, $2, create_time from incoming_units`,
		company, actorID); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		insert into stock (company_id, warehouse_id, item_id, on_hand)
		select $1, warehouse_id, item_id, count(*) from incoming_units group by warehouse_id, item_id
		on conflict (company_id, warehouse_id, item_id) do update set on_hand = stock.on_hand + excluded.on_hand`,
		company)
	return err
}

// uuids parses each distinct id once.
type uuids map[string]pgtype.UUID

func (m uuids) of(id string) pgtype.UUID {
	v, ok := m[id]
	if !ok {
		u, err := uuid.Parse(id)
		v = pgtype.UUID{Bytes: u, Valid: err == nil}
		m[id] = v
	}
	return v
}

func pgDate(d civil.Date) pgtype.Date {
	v, _ := postgres.Date(d).DateValue()
	return v
}
