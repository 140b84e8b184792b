package app

import (
	"context"
	"fmt"
	"maps"
	"slices"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// DeliveryRepository stores proofs of delivery and pickups: inserted,
// never changed.
type DeliveryRepository interface {
	CreateDelivery(ctx context.Context, d *domain.Delivery, requestID string, fingerprint []byte) (*domain.Delivery, bool, error)
	// GetDelivery is NOT_FOUND unless delivery id is order orderID's.
	GetDelivery(ctx context.Context, orderID, id string) (*domain.Delivery, error)
	// ListDeliveries returns an order's deliveries, oldest first.
	ListDeliveries(ctx context.Context, orderID string) ([]*domain.Delivery, error)
	CreatePickup(ctx context.Context, p *domain.PickupRecord, requestID string, fingerprint []byte) (*domain.PickupRecord, bool, error)
	// DeliveryRecordedFor and PickupRecordedFor return what a completed
	// request with the key and fingerprint recorded, if any.
	DeliveryRecordedFor(ctx context.Context, orderID, requestID string, fingerprint []byte) (*domain.Delivery, bool, error)
	PickupRecordedFor(ctx context.Context, requestID string, fingerprint []byte) (*domain.PickupRecord, bool, error)
}

// ReasonDeliveryCorrection refuses a correction that would change what was
// handed over: a correction fixes the proof, not the units.
const ReasonDeliveryCorrection = "DELIVERY_CORRECTION_CHANGES_UNITS"

// GetDelivery returns delivery id of order orderID.
func (h Orders) GetDelivery(ctx context.Context, orderID, id string) (*domain.Delivery, error) {
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "orderId", Err: usecase.CheckID("", orderID)},
		usecase.FieldCheck{Field: "id", Err: usecase.CheckID("", id)}); err != nil {
		return nil, err
	}
	return h.s.Store.GetDelivery(ctx, orderID, id)
}

// ListDeliveries returns order orderID's deliveries, oldest first; an
// unknown order is NOT_FOUND.
func (h Orders) ListDeliveries(ctx context.Context, orderID string) ([]*domain.Delivery, error) {
	if _, err := h.Get(ctx, orderID); err != nil {
		return nil, usecase.UnderField("orderId", err)
	}
	return h.s.Store.ListDeliveries(ctx, orderID)
}

// RecordDelivery records a proof of delivery. Violations name fields of
// the request ("delivery.lines[0].serialNumber").
type RecordDelivery struct {
	OrderID   string
	Proof     domain.ProofOfDelivery
	RequestID string
}

// RecordDelivery keeps the proof of an approved order's delivery, which
// becomes delivered: every line's billing starts on the date of service,
// and a line whose serial differs from the reserved unit's takes the
// delivered unit (which must be of the line's item). OrderDelivered tells
// serials to rent or sell the units. A proof naming Corrects corrects a
// delivered order's proof without moving a unit.
func (h Orders) RecordDelivery(ctx context.Context, cmd RecordDelivery) (*domain.Delivery, error) {
	if err := usecase.CheckID("orderId", cmd.OrderID); err != nil {
		return nil, err
	}
	if d, ok, err := replay(ctx, h.s, "RecordDelivery", cmd.RequestID, cmd, func(fp []byte) (*domain.Delivery, bool, error) {
		return h.s.Store.DeliveryRecordedFor(ctx, cmd.OrderID, cmd.RequestID, fp)
	}); ok || err != nil {
		return d, err
	}
	current, err := h.s.Store.GetOrder(ctx, cmd.OrderID)
	if err != nil {
		return nil, err
	}
	correction := cmd.Proof.Corrects != ""
	if correction {
		if current.Status != domain.StatusDelivered {
			_, err := domain.NextOrderStatus(current.Status, domain.CmdCorrectDelivery)
			return nil, err
		}
		if _, err := h.s.Store.GetDelivery(ctx, current.ID, cmd.Proof.Corrects); err != nil {
			if errs.KindOf(err) == errs.KindNotFound {
				return nil, errs.Invalid(errs.FieldViolation{Field: "delivery.correctsDeliveryId", Description: "names no delivery of the order"})
			}
			return nil, err
		}
	} else if _, err := domain.NextOrderStatus(current.Status, domain.CmdRecordDelivery); err != nil {
		return nil, err
	}
	proof, err := resolveLines(current, cmd.Proof, "delivery")
	if err != nil {
		return nil, err
	}
	proof, swaps, err := domain.CheckDelivery(proof, current.CheckedLines(), current.OrderDate, h.s.today())
	if err != nil {
		return nil, usecase.UnderField("delivery", err)
	}
	if correction && len(swaps) > 0 {
		return nil, errs.Unmet(ReasonDeliveryCorrection, "a correction keeps the serial numbers delivered at first",
			errs.PreconditionViolation{Type: "SERIAL_NUMBER", Subject: fmt.Sprintf("lines[%d]", swaps[0].Line),
				Description: "differs from the unit delivered"})
	}
	delivered := map[int]Unit{}
	var checks []usecase.FieldCheck
	for _, sw := range swaps {
		l := current.Lines[sw.Line]
		u, err := h.s.Peers.Serial(ctx, fmt.Sprintf("delivery.lines[%d].serialNumber", lineField(proof, sw.Line)), sw.Delivers, l.ItemID)
		checks = append(checks, usecase.FieldCheck{Err: err})
		delivered[sw.Line] = u
	}
	if err := usecase.InvalidFields(checks...); err != nil {
		return nil, err
	}
	now := h.s.Now.Stamp()
	return usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (*domain.Delivery, []usecase.Event, error) {
		caller, id, fingerprint, err := h.s.newRecord(ctx, "RecordDelivery", cmd)
		if err != nil {
			return nil, nil, err
		}
		d, replayed, err := h.s.Store.CreateDelivery(ctx, &domain.Delivery{ID: id, CompanyID: caller.CompanyID, OrderID: current.ID,
			ProofOfDelivery: proof, ActorID: caller.Subject, CreateTime: now}, cmd.RequestID, fingerprint)
		if replayed {
			usecase.NoteReplay(ctx)
		}
		if err != nil || replayed {
			return d, nil, err
		}
		reserved := map[string]string{}
		o, err := h.s.Store.UpdateOrder(ctx, current.ID, func(o *domain.Order) error {
			if o.Version != current.Version {
				return orderChangedMeanwhile()
			}
			o.UpdateTime = now
			if correction {
				return nil
			}
			if err := o.Transition(domain.CmdRecordDelivery, now); err != nil {
				return err
			}
			for i := range o.Lines {
				l := &o.Lines[i]
				l.BillingStart = proof.SignatureDate
				if u, ok := delivered[i]; ok {
					reserved[l.ID] = l.UnitID
					l.UnitID, l.SerialNumber = u.ID, u.SerialNumber
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if !correction {
			if err := h.s.openRentals(ctx, o, proof.SignatureDate); err != nil {
				return nil, nil, err
			}
		}
		return d, []usecase.Event{orderEvent(EventOrderDelivered, o, &ordersv1.OrderDelivered{
			CompanyId: o.CompanyID, OrderId: o.ID, ActorId: caller.Subject, OccurTime: timestamp(now),
			PatientId: o.PatientID, BranchId: o.BranchID, DeliveryId: d.ID, SignatureDate: protoconv.DateProto(proof.SignatureDate),
			Lines: lineUnits(o, nil, reserved), CorrectsDeliveryId: proof.Corrects,
		})}, nil
	})
}

// openRentals starts billing the rental lines of o, delivered on
// dateOfService, in the unit of work of ctx. A line continues the
// patient's last rental of its code and type when that one was picked up
// for a break in need of at most 60 days; the claims name the order's
// primary coverage and its providers.
func (s *supplier) openRentals(ctx context.Context, o *domain.Order, dateOfService civil.Date) error {
	party := o.ClaimParty()
	var rentals []domain.Rental
	for _, l := range o.Lines {
		if !l.Type.Rental() {
			continue
		}
		previous, err := s.Store.LastRental(ctx, o.PatientID, l.HCPCS, l.Type)
		if err != nil {
			return err
		}
		rentals = append(rentals, domain.NewRental(o, l, party, dateOfService, previous))
	}
	return s.Store.OpenRentals(ctx, rentals)
}

// newRecord is what a command that inserts a record needs: its caller,
// the record's new id, and the request's fingerprint for its idempotency
// key.
func (s *supplier) newRecord(ctx context.Context, method string, cmd any) (identity.Principal, string, []byte, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return identity.Principal{}, "", nil, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return identity.Principal{}, "", nil, err
	}
	fingerprint, err := usecase.Fingerprint(s.Keyring, "orders", method, cmd)
	return caller, id, fingerprint, err
}

// replay returns what a completed request with the same key recorded,
// before the command checks preconditions that the first attempt changed.
func replay[T any](ctx context.Context, s *supplier, method, requestID string, cmd any, find func([]byte) (T, bool, error)) (T, bool, error) {
	var zero T
	if requestID == "" {
		return zero, false, nil
	}
	fingerprint, err := usecase.Fingerprint(s.Keyring, "orders", method, cmd)
	if err != nil {
		return zero, false, err
	}
	return find(fingerprint)
}

// lineField is the position in the request of the proof's entry for order
// line index line.
func lineField(p domain.ProofOfDelivery, line int) int {
	for i, d := range p.Lines {
		if d.Line == line {
			return i
		}
	}
	return 0
}

// resolveLines finds each delivered or picked-up line's position in the
// order by its id; an id not of the order is a violation of
// "<field>.lines[i].lineId".
func resolveLines(o *domain.Order, p domain.ProofOfDelivery, field string) (domain.ProofOfDelivery, error) {
	lines, err := resolve(o, p.Lines, field)
	p.Lines = lines
	return p, err
}

func resolve(o *domain.Order, lines []domain.DeliveredLine, field string) ([]domain.DeliveredLine, error) {
	var v errs.Violations
	out := make([]domain.DeliveredLine, len(lines))
	for i, d := range lines {
		d.Line = o.LineIndex(d.LineID)
		if d.Line < 0 {
			v.Add(fmt.Sprintf("%s.lines[%d].lineId", field, i), "must be the id of one of the order's lines")
		}
		out[i] = d
	}
	return out, v.Err()
}

// RecordPickup records rented equipment brought back. Violations name
// fields of the request ("pickup.lines[0].serialNumber").
type RecordPickup struct {
	OrderID   string
	Pickup    domain.Pickup
	RequestID string
}

// RecordPickup ends the named rental lines of a delivered order on the
// pickup date; OrderPickedUp tells serials to take the units back into
// maintenance with the reason in their history.
func (h Orders) RecordPickup(ctx context.Context, cmd RecordPickup) (*domain.PickupRecord, error) {
	if err := usecase.CheckID("orderId", cmd.OrderID); err != nil {
		return nil, err
	}
	if r, ok, err := replay(ctx, h.s, "RecordPickup", cmd.RequestID, cmd, func(fp []byte) (*domain.PickupRecord, bool, error) {
		return h.s.Store.PickupRecordedFor(ctx, cmd.RequestID, fp)
	}); ok || err != nil {
		return r, err
	}
	current, err := h.open(ctx, "orderId", cmd.OrderID, domain.CmdRecordPickup)
	if err != nil {
		return nil, err
	}
	lines, err := resolve(current, cmd.Pickup.Lines, "pickup")
	if err != nil {
		return nil, err
	}
	p := cmd.Pickup
	p.Lines = lines
	ended := make([]bool, len(current.Lines))
	for i, l := range current.Lines {
		ended[i] = !l.BillingEnd.IsZero()
	}
	if err := domain.CheckPickup(p, current.CheckedLines(), ended, current.Lines[0].BillingStart, h.s.today()); err != nil {
		return nil, usecase.UnderField("pickup", err)
	}
	now := h.s.Now.Stamp()
	return usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (*domain.PickupRecord, []usecase.Event, error) {
		caller, id, fingerprint, err := h.s.newRecord(ctx, "RecordPickup", cmd)
		if err != nil {
			return nil, nil, err
		}
		r, replayed, err := h.s.Store.CreatePickup(ctx, &domain.PickupRecord{ID: id, CompanyID: caller.CompanyID, OrderID: current.ID,
			Pickup: p, ActorID: caller.Subject, CreateTime: now}, cmd.RequestID, fingerprint)
		if replayed {
			usecase.NoteReplay(ctx)
		}
		if err != nil || replayed {
			return r, nil, err
		}
		picked := map[string]bool{}
		o, err := h.s.Store.UpdateOrder(ctx, current.ID, func(o *domain.Order) error {
			if o.Version != current.Version {
				return orderChangedMeanwhile()
			}
			if err := o.Transition(domain.CmdRecordPickup, now); err != nil {
				return err
			}
			for _, d := range p.Lines {
				o.Lines[d.Line].BillingEnd = p.Date
				picked[o.Lines[d.Line].ID] = true
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if err := h.s.Store.EndRentals(ctx, slices.Collect(maps.Keys(picked)), p.Date, p.Reason); err != nil {
			return nil, nil, err
		}
		return r, []usecase.Event{orderEvent(EventOrderPickedUp, o, &ordersv1.OrderPickedUp{
			CompanyId: o.CompanyID, OrderId: o.ID, ActorId: caller.Subject, OccurTime: timestamp(now),
			PatientId: o.PatientID, BranchId: o.BranchID, PickupId: r.ID, PickupDate: protoconv.DateProto(p.Date),
			Reason: PickupReasonProto(p.Reason), Lines: lineUnits(o, picked, nil),
		})}, nil
	})
}

// FlagLine is serials' refusal to move a line's unit.
type FlagLine struct {
	OrderID, LineID, UnitID string
	// Problem is serials' reason (UNIT_RECALLED).
	Problem string
	// Actor is who refused (the serials service).
	Actor string
}

// MaxProblem bounds a fulfilment problem's text.
const MaxProblem = 200

// Flag marks the line's fulfillment problem and records OrderLineFlagged,
// which notify turns into a notification for the branch. It runs in the
// unit of work and tenant of the consumer that read serials' event; an
// order or line this company does not have is ignored.
func (h Orders) Flag(ctx context.Context, f FlagLine) error {
	problem := f.Problem
	if problem == "" {
		problem = "UNKNOWN"
	}
	if len(problem) > MaxProblem {
		problem = problem[:MaxProblem]
	}
	if usecase.CheckID("", f.OrderID) != nil || usecase.CheckID("", f.LineID) != nil {
		return nil
	}
	now := h.s.Now.Stamp()
	return h.s.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		o, err := h.s.Store.UpdateOrder(ctx, f.OrderID, func(o *domain.Order) error {
			i := o.LineIndex(f.LineID)
			if i < 0 {
				return errs.NotFound("order line", f.LineID)
			}
			o.Lines[i].FulfillmentProblem = problem
			o.UpdateTime = now
			return nil
		})
		if errs.KindOf(err) == errs.KindNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		return usecase.RecordAll(ctx, h.s.Events, orderEvent(EventOrderFlagged, o, &ordersv1.OrderLineFlagged{
			CompanyId: o.CompanyID, OrderId: o.ID, ActorId: f.Actor, OccurTime: timestamp(now), BranchId: o.BranchID,
			LineId: f.LineID, UnitId: f.UnitID, Problem: problem,
		}))
	})
}
