package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// ReserveUnit holds a unit for r's order line by t (a RESERVE), in one
// transaction under a lock of the line, so two requests for one line are
// served one after the other:
//
//   - the unit the line already holds is returned with held true, and
//     nothing is written;
//   - else the unit of the item with r.SerialNumber, locked (waiting for
//     a concurrent change of it), or without a serial the first free unit
//     of the item on hand in r's warehouse that domain.CheckReservable
//     accepts on r.Today: the soonest-expiring lot first, then the unit on
//     the shelf the longest, skipping units other transactions hold
//     locked, so concurrent reservations of two lines never pick one unit;
//   - check may refuse the unit (the caller's rules), then t is applied as
//     ApplyTransaction applies it.
//
// No such unit is a zero Transition (nil Unit) and no error.
func (s *Store) ReserveUnit(ctx context.Context, r app.Reservation, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (app.Transition, bool, error) {
	var out app.Transition
	var held bool
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := lockOrderLine(ctx, tx, r.OrderLineID); err != nil {
			return err
		}
		u, err := reservedFor(ctx, tx, r.OrderLineID)
		if err != nil {
			return err
		}
		if u != nil {
			out, held = app.Transition{Unit: u, FromStatus: u.Status, FromWarehouse: u.WarehouseID}, true
			return nil
		}
		if r.SerialNumber != "" {
			u, err = optionalUnit(tx.QueryRow(ctx, `select `+unitColumns+` from units u join items i on i.id = u.item_id
				where u.item_id = $1 and u.serial_number = $2 for update of u`, r.ItemID, r.SerialNumber))
		} else {
			u, err = optionalUnit(tx.QueryRow(ctx, freeUnitSQL, r.ItemID, r.WarehouseID, postgres.Date(r.Today)))
		}
		if err != nil || u == nil {
			return err
		}
		out, err = applyLocked(ctx, tx, u, t, actorID, check)
		return err
	})
	if err != nil {
		return app.Transition{}, false, postgres.Wrap("reserve unit", err)
	}
	return out, held, nil
}

// freeUnitSQL locks the first unit of an item ($1) a reservation out of
// warehouse $2 may take on day $3: on hand there, not recalled, its
// maintenance not overdue and its lot not expired (the SQL form of
// domain.CheckReservable), from the index of an item's units by status
// (units_item_status).
const freeUnitSQL = `
	select ` + unitColumns + ` from units u join items i on i.id = u.item_id
	where u.item_id = $1 and u.status = 'on_hand' and u.warehouse_id = $2 and not u.recalled
		and (u.next_maintenance_due is null or u.next_maintenance_due >= $3)
		and (u.lot_expiry is null or u.lot_expiry >= $3)
	order by u.lot_expiry nulls last, u.update_time, u.id
	limit 1
	for update of u skip locked`

// ReleaseReservation cancels by t (a CANCEL_RESERVATION) the reservation
// held for an order line, under the line's lock, and returns the
// transition; nothing reserved for the line is a zero Transition (nil
// Unit) and no error, so a release may be retried.
func (s *Store) ReleaseReservation(ctx context.Context, orderLineID string, t domain.UnitTransaction, actorID string) (app.Transition, error) {
	var out app.Transition
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := lockOrderLine(ctx, tx, orderLineID); err != nil {
			return err
		}
		u, err := reservedFor(ctx, tx, orderLineID)
		if err != nil || u == nil {
			return err
		}
		out, err = applyLocked(ctx, tx, u, t, actorID, nil)
		return err
	})
	if err != nil {
		return app.Transition{}, postgres.Wrap("release reservation", err)
	}
	return out, nil
}

// lockOrderLine takes a lock of an order line's reservation until the
// transaction ends. Requests for one line queue on it, so the second sees
// what the first reserved; the unique index units_order_line_reserved
// backs it.
func lockOrderLine(ctx context.Context, tx pgx.Tx, orderLineID string) error {
	_, err := tx.Exec(ctx, `select pg_advisory_xact_lock(hashtextextended('serials.order_line/' || $1::uuid::text, 0))`, orderLineID)
	return err
}

// reservedFor returns the unit reserved for an order line, locked, or nil
// (by index, units_order_line_reserved).
func reservedFor(ctx context.Context, tx pgx.Tx, orderLineID string) (*domain.Unit, error) {
	return optionalUnit(tx.QueryRow(ctx, `select `+unitColumns+` from units u join items i on i.id = u.item_id
		where u.order_line_id = $1 and u.status = 'reserved' for update of u`, orderLineID))
}

// optionalUnit scans a unit, or nil when the query found none.
func optionalUnit(row pgx.Row) (*domain.Unit, error) {
	u, err := scanUnit(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return u, err
}
