package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

var unitUniqueKeys = map[string]string{"units_item_serial_key": "unit"}

const unitColumns = `u.id::text, u.company_id::text, u.item_id::text,
	case when i.o2_tank then 'o2_tank' else 'equipment' end, u.serial_number, u.manufacturer_serial, u.lot,
	u.lot_expiry, u.status, u.warehouse_id::text, coalesce(u.current_patient_id::text, ''),
	coalesce(u.last_patient_id::text, ''), u.recalled, u.next_maintenance_due, u.purchase_date, u.purchase_cost_cents,
	u.warranty_end, u.version, u.create_time, u.update_time, coalesce(u.order_line_id::text, '')`

func scanUnit(row pgx.Row) (*domain.Unit, error) { return scanUnitWith(row) }

// scanUnitWith scans unitColumns followed by extra columns into extra.
func scanUnitWith(row pgx.Row, extra ...any) (*domain.Unit, error) {
	var u domain.Unit
	var class, status string
	err := row.Scan(append([]any{&u.ID, &u.CompanyID, &u.ItemID, &class, &u.SerialNumber, &u.ManufacturerSerial, &u.Lot,
		(*postgres.Date)(&u.LotExpiry), &status, &u.WarehouseID, &u.CurrentPatientID, &u.LastPatientID, &u.Recalled,
		(*postgres.Date)(&u.NextMaintenanceDue), (*postgres.Date)(&u.PurchaseDate), &u.PurchaseCostCents,
		(*postgres.Date)(&u.WarrantyEnd), &u.Version, &u.CreateTime, &u.UpdateTime, &u.OrderLineID}, extra...)...)
	u.Class, u.Status = domain.UnitClass(class), domain.UnitStatus(status)
	return &u, err
}

// GetUnit returns unit id of the caller's company.
func (s *Store) GetUnit(ctx context.Context, id string) (*domain.Unit, error) {
	return postgres.ReadOne(ctx, s.db, "get unit", func(tx pgx.Tx) (*domain.Unit, error) { return getUnit(ctx, tx, id, "") })
}

func getUnit(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Unit, error) {
	u, err := scanUnit(tx.QueryRow(ctx, `select `+unitColumns+` from units u join items i on i.id = u.item_id where u.id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("unit", id)
	}
	return u, err
}

// ReceiveUnit adds u (on hand in its warehouse) with its receive
// transaction and counts it in the warehouse's stock, in one transaction,
// under an AIP-155 key: a repeated request returns the unit received the
// first time, replayed. A serial number the item already has is
// ALREADY_EXISTS.
func (s *Store) ReceiveUnit(ctx context.Context, u *domain.Unit, actorID, requestID string, requestHash []byte) (*domain.Unit, bool, error) {
	return postgres.CreateResource(ctx, s.db, "ReceiveUnit", requestID, requestHash, u.ID, u, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			insert into units (id, company_id, item_id, serial_number, manufacturer_serial, lot, lot_expiry, status,
				warehouse_id, next_maintenance_due, purchase_date, purchase_cost_cents, warranty_end, version,
				create_time, update_time)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			u.ID, u.CompanyID, u.ItemID, u.SerialNumber, u.ManufacturerSerial, u.Lot, postgres.Date(u.LotExpiry),
			string(u.Status), u.WarehouseID, postgres.Date(u.NextMaintenanceDue), postgres.Date(u.PurchaseDate),
			u.PurchaseCostCents, postgres.Date(u.WarrantyEnd), u.Version, u.CreateTime, u.UpdateTime)
		if err != nil {
			return postgres.AlreadyExists(err, unitUniqueKeys, u.SerialNumber)
		}
		if err := logTransaction(ctx, tx, u, domain.UnitTransaction{Kind: domain.TxReceive, Time: u.UpdateTime}, "", "", actorID); err != nil {
			return err
		}
		_, err = moveStock(ctx, tx, u.CompanyID, u.ItemID, domain.StockMove{}, domain.StockMove{WarehouseID: u.WarehouseID, Bucket: domain.Bucket(u.Status)})
		return err
	}, func(tx pgx.Tx, id string) (*domain.Unit, error) { return getUnit(ctx, tx, id, "") })
}

// ApplyTransaction locks unit id, lets check refuse it (a stale etag),
// applies t to it (domain.Unit.Apply), and saves the projection, the
// transaction and the stock counters it moves in one transaction.
// Concurrent transactions on one unit serialize on its row lock: the
// second sees the first's status, so two rents of one unit cannot both
// succeed. Nothing is written when the transaction is refused.
func (s *Store) ApplyTransaction(ctx context.Context, id string, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (app.Transition, error) {
	var out app.Transition
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		u, err := getUnit(ctx, tx, id, " for update of u")
		if err != nil {
			return err
		}
		out, err = applyLocked(ctx, tx, u, t, actorID, check)
		return err
	})
	if err != nil {
		return app.Transition{}, postgres.Wrap("apply unit transaction", err)
	}
	return out, nil
}

// applyLocked lets check (when set) refuse u, whose row the caller has
// locked, applies t to it, and saves the projection, the transaction and
// the stock counters it moves. Nothing is written when check or the
// domain refuses the transaction.
func applyLocked(ctx context.Context, tx pgx.Tx, u *domain.Unit, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (app.Transition, error) {
	if check != nil {
		if err := check(u); err != nil {
			return app.Transition{}, err
		}
	}
	t = u.Sequenced(t)
	out := app.Transition{Unit: u, FromStatus: u.Status, FromWarehouse: u.WarehouseID}
	from, to, err := u.Apply(t)
	if err != nil {
		return app.Transition{}, err
	}
	if err := saveProjection(ctx, tx, u); err != nil {
		return app.Transition{}, err
	}
	if err := logTransaction(ctx, tx, u, t, out.FromStatus, out.FromWarehouse, actorID); err != nil {
		return app.Transition{}, err
	}
	out.Low, err = moveStock(ctx, tx, u.CompanyID, u.ItemID, from, to)
	return out, err
}

// saveProjection writes a unit's projected status, warehouse, patients and
// order line.
func saveProjection(ctx context.Context, tx pgx.Tx, u *domain.Unit) error {
	_, err := tx.Exec(ctx, `
		update units set status = $2, warehouse_id = $3, current_patient_id = nullif($4, '')::uuid,
			last_patient_id = nullif($5, '')::uuid, version = $6, update_time = $7, order_line_id = nullif($8, '')::uuid
		where id = $1`,
		u.ID, string(u.Status), u.WarehouseID, u.CurrentPatientID, u.LastPatientID, u.Version, u.UpdateTime, u.OrderLineID)
	return err
}

// logTransaction appends one transaction of u (already projected) to the
// log.
func logTransaction(ctx context.Context, tx pgx.Tx, u *domain.Unit, t domain.UnitTransaction, fromStatus domain.UnitStatus, fromWarehouse, actorID string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	var from any
	if fromStatus != "" {
		from = string(fromStatus)
	}
	_, err = tx.Exec(ctx, `
		insert into unit_transactions (id, company_id, unit_id, kind, from_status, to_status, from_warehouse_id,
			to_warehouse_id, patient_id, actor_id, occur_time, order_line_id, note)
		values ($1, $2, $3, $4, $5, $6, nullif($7, '')::uuid, $8, nullif($9, '')::uuid, $10, $11, nullif($12, '')::uuid, $13)`,
		id.String(), u.CompanyID, u.ID, string(t.Kind), from, string(u.Status), fromWarehouse, u.WarehouseID,
		t.PatientID, actorID, t.Time, t.OrderLineID, t.Note)
	return err
}

// bucketColumns are the stock columns of the buckets; the map is the only
// source of the column names spliced into SQL.
var bucketColumns = map[domain.StockBucket]string{
	domain.BucketOnHand:      "on_hand",
	domain.BucketCommitted:   "committed",
	domain.BucketRented:      "rented",
	domain.BucketSold:        "sold",
	domain.BucketUnavailable: "unavailable",
}

// moveStock takes one unit out of from's counter and puts it into to's
// (either may be BucketNone), creating the stock row on first use. The
// counters' CHECK (>= 0) turns a move out of an empty counter into an
// error instead of a negative count.
//
// It returns the level when the move took on hand down to the item's
// reorder point (from above it), so the caller can announce low stock
// once per crossing; nil otherwise.
func moveStock(ctx context.Context, tx pgx.Tx, companyID, itemID string, from, to domain.StockMove) (*app.StockLevel, error) {
	var low *app.StockLevel
	if from.Bucket != domain.BucketNone {
		col, err := bucketColumn(from.Bucket)
		if err != nil {
			return nil, err
		}
		level, err := scanStockLevel(tx.QueryRow(ctx, `
			with moved as (
				update stock set `+col+` = `+col+` - 1
				where company_id = $1 and warehouse_id = $2 and item_id = $3
				returning *)
			select `+stockColumns+` from moved s join items i on i.id = s.item_id`, companyID, from.WarehouseID, itemID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("store: no stock row of item %s in warehouse %s to take a unit out of", itemID, from.WarehouseID)
		}
		if err != nil {
			return nil, fmt.Errorf("store: taking a unit out of %s: %w", col, err)
		}
		if from.Bucket == domain.BucketOnHand && level.Low && level.OnHand == level.ReorderPoint &&
			!(to.Bucket == domain.BucketOnHand && to.WarehouseID == from.WarehouseID) {
			low = level
		}
	}
	if to.Bucket != domain.BucketNone {
		col, err := bucketColumn(to.Bucket)
		if err != nil {
			return nil, err
		}
		_, err = tx.Exec(ctx, `
			insert into stock (company_id, warehouse_id, item_id, `+col+`) values ($1, $2, $3, 1)
			on conflict (company_id, warehouse_id, item_id) do update set `+col+` = stock.`+col+` + 1`,
			companyID, to.WarehouseID, itemID)
		if err != nil {
			return nil, fmt.Errorf("store: putting a unit into %s: %w", col, err)
		}
	}
	return low, nil
}

func bucketColumn(b domain.StockBucket) (string, error) {
	col, ok := bucketColumns[b]
	if !ok {
		return "", fmt.Errorf("store: no stock counter for bucket %q", b)
	}
	return col, nil
}
