package app

import (
	"context"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// ReservationRepository holds units for order lines and releases them;
// reserving reads the item first.
type ReservationRepository interface {
	GetItem(ctx context.Context, id string) (*domain.Item, error)
	ReserveUnit(ctx context.Context, r Reservation, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (tr Transition, held bool, err error)
	ReleaseReservation(ctx context.Context, orderLineID string, t domain.UnitTransaction, actorID string) (Transition, error)
}

// ReserveUnit asks for a unit for an order line; SerialNumber may be
// empty (any free unit).
type ReserveUnit struct {
	OrderLineID, ItemID, WarehouseID, SerialNumber string
}

// Reserve holds a unit of the item for an order line, the line being the
// reservation's key: while a unit is reserved for the line, asking again
// returns it and records nothing, so a retried approval never holds two
// units. Otherwise it reserves the unit with the serial number (which
// must be on hand in the warehouse, not recalled, its maintenance and lot
// current: domain.CheckReservable), or without one the first such unit of
// the item, and records UnitTransitioned (and StockLow). No such unit is
// FAILED_PRECONDITION NO_UNIT_AVAILABLE; a serial the item does not have,
// or an item the company does not have, is a violation of its field.
func (h Units) Reserve(ctx context.Context, cmd ReserveUnit) (*domain.Unit, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	var serial string
	var serialErr error
	if cmd.SerialNumber != "" {
		serial, serialErr = domain.NormalizeSerial(cmd.SerialNumber)
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "orderLineId", Err: usecase.CheckID("", cmd.OrderLineID)},
		usecase.FieldCheck{Field: "itemId", Err: usecase.CheckID("", cmd.ItemID)},
		usecase.FieldCheck{Field: "warehouseId", Err: usecase.CheckID("", cmd.WarehouseID)},
		usecase.FieldCheck{Field: "serialNumber", Err: serialErr}); err != nil {
		return nil, err
	}
	item, err := h.s.Store.GetItem(ctx, cmd.ItemID)
	if errs.Is(err, errs.KindNotFound) {
		return nil, errs.Invalid(errs.FieldViolation{Field: "itemId", Description: "names no item of the company"})
	}
	if err != nil {
		return nil, err
	}
	if !item.Serialized {
		return nil, errs.Invalid(errs.FieldViolation{Field: "itemId", Description: "is not serialized: it has no units to reserve"})
	}
	today := h.s.today()
	t := domain.UnitTransaction{Kind: domain.TxReserve, OrderLineID: cmd.OrderLineID, Time: h.s.Now.Stamp()}
	r := Reservation{OrderLineID: cmd.OrderLineID, ItemID: cmd.ItemID, WarehouseID: cmd.WarehouseID, SerialNumber: serial, Today: today}
	var held bool
	tr, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (Transition, []usecase.Event, error) {
		var tr Transition
		var err error
		tr, held, err = h.s.Store.ReserveUnit(ctx, r, t, caller.Subject, func(u *domain.Unit) error {
			return domain.CheckReservable(u, cmd.WarehouseID, today)
		})
		if err != nil || held || tr.Unit == nil {
			return tr, nil, err
		}
		return tr, transitionEvents(caller, tr, t), nil
	})
	switch {
	case err != nil:
		return nil, err
	case held && tr.Unit.ItemID != cmd.ItemID:
		return nil, errs.Unmet(domain.ReasonOrderLineHoldsAnotherItem,
			"the order line holds a unit of another item; release it before reserving another",
			errs.PreconditionViolation{Type: "RESERVED", Subject: "units/" + tr.Unit.ID, Description: "is reserved for the order line"})
	case held:
		return tr.Unit, nil
	case tr.Unit == nil && serial != "":
		return nil, errs.Invalid(errs.FieldViolation{Field: "serialNumber", Description: "names no unit of the item"})
	case tr.Unit == nil:
		return nil, errs.Unmet(domain.ReasonNoUnitAvailable,
			"no unit of the item on hand in the warehouse can be reserved (none, or only units recalled, overdue for maintenance or of an expired lot)",
			errs.PreconditionViolation{Type: domain.ReasonNoUnitAvailable, Subject: "items/" + cmd.ItemID,
				Description: "has no unit free to reserve in warehouse " + cmd.WarehouseID})
	}
	h.s.forgetSerial(ctx, tr.Unit.CompanyID, tr.Unit.SerialNumber)
	return tr.Unit, nil
}

// Release cancels the reservation held for an order line, recording
// UnitTransitioned, and returns the unit released: on hand again, without
// the line. A line holding none releases nothing and returns "", so a
// release may be retried.
func (h Units) Release(ctx context.Context, orderLineID string) (string, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return "", err
	}
	if err := usecase.CheckID("orderLineId", orderLineID); err != nil {
		return "", err
	}
	t := domain.UnitTransaction{Kind: domain.TxCancelReservation, OrderLineID: orderLineID, Time: h.s.Now.Stamp()}
	tr, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (Transition, []usecase.Event, error) {
		tr, err := h.s.Store.ReleaseReservation(ctx, orderLineID, t, caller.Subject)
		if err != nil || tr.Unit == nil {
			return tr, nil, err
		}
		return tr, transitionEvents(caller, tr, t), nil
	})
	if err != nil || tr.Unit == nil {
		return "", err
	}
	h.s.forgetSerial(ctx, tr.Unit.CompanyID, tr.Unit.SerialNumber)
	return tr.Unit.ID, nil
}
