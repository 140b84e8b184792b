package app

import (
	"context"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// EventResupplyShipped is recorded for each shipment of recurring supplies.
const EventResupplyShipped = "orders.resupply.shipped.v1"

// ResupplyRepository stores resupply schedules, the patients'
// confirmations, shipments and the payers' windows.
type ResupplyRepository interface {
	GetResupplySchedule(ctx context.Context, id string) (*domain.ResupplySchedule, error)
	CreateResupplySchedule(ctx context.Context, s *domain.ResupplySchedule, nextContact civil.Date, requestID string,
		fingerprint []byte) (*domain.ResupplySchedule, bool, error)
	// UpdateResupplySchedule runs fn on schedule id under its row lock and
	// saves it, due for contact on the day fn returns.
	UpdateResupplySchedule(ctx context.Context, id string, fn func(*domain.ResupplySchedule) (civil.Date, error)) (*domain.ResupplySchedule, error)
	ListDueResupplies(ctx context.Context, q DueResupplyQuery) ([]*domain.ResupplySchedule, error)
	// ResupplyWindow is the payer's windows, the defaults when it has none.
	ResupplyWindow(ctx context.Context, payerID string) (domain.ResupplyWindow, error)
	SetResupplyWindow(ctx context.Context, companyID, payerID string, w domain.ResupplyWindow) error
	CreateResupplyConfirmation(ctx context.Context, c *domain.ResupplyConfirmation, requestID string,
		fingerprint []byte) (*domain.ResupplyConfirmation, bool, error)
	// LatestConfirmation is the schedule's latest confirmation made on or
	// before day, nil when none.
	LatestConfirmation(ctx context.Context, scheduleID string, day civil.Date) (*domain.ResupplyConfirmation, error)
	CreateResupplyShipment(ctx context.Context, p *domain.ResupplyShipment, requestID string,
		fingerprint []byte) (*domain.ResupplyShipment, bool, error)
	// CreateClaimLines inserts claims and returns those it created.
	CreateClaimLines(ctx context.Context, claims []domain.ClaimLine) ([]domain.ClaimLine, error)
	ShipmentRecordedFor(ctx context.Context, requestID string, fingerprint []byte) (*domain.ResupplyShipment, bool, error)
}

// DueResupplyQuery selects a page of a branch's due list by next contact
// and id. After holds the previous page's last keys; nil starts at the
// first.
type DueResupplyQuery struct {
	BranchID string
	AsOf     civil.Date
	After    []string
	Limit    int
}

// Resupplies are the resupply commands and queries.
type Resupplies struct{ s *supplier }

// DueSchedule is a schedule with the windows that apply to it.
type DueSchedule struct {
	*domain.ResupplySchedule
	Window domain.ResupplyWindow
}

// withWindow pairs s with its payer's windows.
func (h Resupplies) withWindow(ctx context.Context, s *domain.ResupplySchedule) (DueSchedule, error) {
	w, err := h.s.Store.ResupplyWindow(ctx, s.PayerID)
	return DueSchedule{ResupplySchedule: s, Window: w}, err
}

// Get returns schedule id of the caller's company with its windows.
func (h Resupplies) Get(ctx context.Context, id string) (DueSchedule, error) {
	s, err := usecase.Get(ctx, "id", id, h.s.Store.GetResupplySchedule)
	if err != nil {
		return DueSchedule{}, err
	}
	return h.withWindow(ctx, s)
}

// CreateResupplySchedule starts a patient's recurring supplies.
// Violations name fields of the request ("schedule.items[0].hcpcs").
type CreateResupplySchedule struct {
	PatientID, BranchID, PayerID string
	// OrderID is the delivered order whose recurring supply lines the
	// shipments bill; "" for none.
	OrderID   string
	Items     []domain.ResupplyItem
	RequestID string
}

// CreateSchedule checks the patient with clinical, the branch with
// company and the payer with clinical, fills usual quantities and
// intervals, and stores the schedule.
func (h Resupplies) CreateSchedule(ctx context.Context, cmd CreateResupplySchedule) (DueSchedule, error) {
	s, err := usecase.Create(ctx, h.s.UnitOfWork, h.s.Events, usecase.Creation[*domain.ResupplySchedule]{
		Field: "schedule", RequestID: cmd.RequestID, Fingerprint: func() ([]byte, error) {
			return usecase.Fingerprint(h.s.Keyring, "orders", "CreateResupplySchedule", cmd)
		},
		Build: func(caller identity.Principal, id string) (*domain.ResupplySchedule, error) {
			items, err := domain.CheckResupplyItems(cmd.Items)
			checks := []usecase.FieldCheck{{Err: err},
				{Err: usecase.CheckID("patientId", cmd.PatientID)}, {Err: usecase.CheckID("branchId", cmd.BranchID)}}
			if cmd.PayerID != "" {
				checks = append(checks, usecase.FieldCheck{Err: usecase.CheckID("payerId", cmd.PayerID)})
			}
			if cmd.OrderID != "" {
				checks = append(checks, usecase.FieldCheck{Err: usecase.CheckID("orderId", cmd.OrderID)})
			}
			if err := usecase.InvalidFields(checks...); err != nil {
				return nil, err
			}
			checks = []usecase.FieldCheck{{Err: h.s.Peers.CheckLocation(ctx, "branchId", cmd.BranchID, false)}}
			if _, err := h.s.Peers.Coverages(ctx, "patientId", cmd.PatientID, h.s.today()); err != nil {
				checks = append(checks, usecase.FieldCheck{Err: err})
			}
			if cmd.PayerID != "" {
				checks = append(checks, usecase.FieldCheck{Err: h.s.Peers.CheckPayer(ctx, "payerId", cmd.PayerID)})
			}
			now := h.s.Now.Stamp()
			s := &domain.ResupplySchedule{ID: id, CompanyID: caller.CompanyID, PatientID: cmd.PatientID, BranchID: cmd.BranchID,
				PayerID: cmd.PayerID, OrderID: cmd.OrderID, Items: items, Status: domain.ResupplyActive, Version: 1,
				CreateTime: now, UpdateTime: now}
			if cmd.OrderID != "" {
				checks = append(checks, usecase.FieldCheck{Err: h.checkOrder(ctx, s)})
			}
			return s, usecase.InvalidFields(checks...)
		},
		Store: func(ctx context.Context, s *domain.ResupplySchedule, requestID string, fingerprint []byte) (*domain.ResupplySchedule, bool, error) {
			w, err := h.s.Store.ResupplyWindow(ctx, s.PayerID)
			if err != nil {
				return nil, false, err
			}
			return h.s.Store.CreateResupplySchedule(ctx, s, s.NextContact(w), requestID, fingerprint)
		},
		// A schedule is a plan, not a change of the patient's equipment:
		// the call's audit record is its trail; shipments are events.
		Events: func(identity.Principal, *domain.ResupplySchedule) []usecase.Event { return nil },
	})
	if err != nil {
		return DueSchedule{}, err
	}
	return h.withWindow(ctx, s)
}

// checkOrder refuses a schedule billed from an order it cannot bill from
// (see domain.CheckScheduleOrder); an order the company does not have is a
// violation of "orderId".
func (h Resupplies) checkOrder(ctx context.Context, s *domain.ResupplySchedule) error {
	o, err := h.s.Store.GetOrder(ctx, s.OrderID)
	if errs.KindOf(err) == errs.KindNotFound {
		return errs.Invalid(errs.FieldViolation{Field: "orderId", Description: "names no order of the company"})
	}
	if err != nil {
		return err
	}
	return domain.CheckScheduleOrder(s, o)
}

// ListDueResupplies pages through a branch's due list.
type ListDueResupplies struct {
	BranchID  string
	AsOf      civil.Date
	PageSize  int32
	PageToken string
}

// DuePage is one page of the due list.
type DuePage = usecase.Page[DueSchedule]

// ListDue returns the branch's schedules with a contact window open by
// AsOf (today when zero), the earliest first.
func (h Resupplies) ListDue(ctx context.Context, q ListDueResupplies) (DuePage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return DuePage{}, err
	}
	if err := usecase.CheckID("branchId", q.BranchID); err != nil {
		return DuePage{}, err
	}
	switch {
	case q.AsOf.IsZero():
		q.AsOf = h.s.today()
	case !q.AsOf.IsValid():
		return DuePage{}, errs.Invalid(errs.FieldViolation{Field: "asOf", Description: domain.DateInvalid})
	}
	scope := []string{"ListDueResupplies", caller.CompanyID, q.BranchID, q.AsOf.String()}
	schedules, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 2,
		func(keys []string) bool {
			_, err := civil.Parse(keys[0])
			return err == nil && usecase.CheckID("", keys[1]) == nil
		},
		func(after []string, limit int) ([]*domain.ResupplySchedule, error) {
			return h.s.Store.ListDueResupplies(ctx, DueResupplyQuery{BranchID: q.BranchID, AsOf: q.AsOf, After: after, Limit: limit})
		},
		// The stored next-contact day, which the listing orders by.
		func(s *domain.ResupplySchedule) []string { return []string{s.DueFrom.String(), s.ID} })
	if err != nil {
		return DuePage{}, err
	}
	// One read of the windows per payer on the page, not per schedule.
	windows := map[string]domain.ResupplyWindow{}
	out := make([]DueSchedule, len(schedules))
	for i, s := range schedules {
		w, ok := windows[s.PayerID]
		if !ok {
			if w, err = h.s.Store.ResupplyWindow(ctx, s.PayerID); err != nil {
				return DuePage{}, err
			}
			windows[s.PayerID] = w
		}
		out[i] = DueSchedule{ResupplySchedule: s, Window: w}
	}
	return DuePage{Items: out, NextPageToken: next}, nil
}

// RecordConfirmation keeps the patient's confirmation of what they need.
// Violations name fields of the request ("confirmation.channel").
type RecordConfirmation struct {
	ScheduleID   string
	Confirmation domain.ResupplyConfirmation
	RequestID    string
}

// RecordConfirmation checks the confirmation against the schedule and
// keeps it.
func (h Resupplies) RecordConfirmation(ctx context.Context, cmd RecordConfirmation) (*domain.ResupplyConfirmation, error) {
	s, err := usecase.Get(ctx, "scheduleId", cmd.ScheduleID, h.s.Store.GetResupplySchedule)
	if err != nil {
		return nil, err
	}
	return usecase.Create(ctx, h.s.UnitOfWork, h.s.Events, usecase.Creation[*domain.ResupplyConfirmation]{
		Field: "confirmation", RequestID: cmd.RequestID, Fingerprint: func() ([]byte, error) {
			return usecase.Fingerprint(h.s.Keyring, "orders", "RecordResupplyConfirmation", cmd)
		},
		Build: func(caller identity.Principal, id string) (*domain.ResupplyConfirmation, error) {
			c, err := domain.CheckConfirmation(s, cmd.Confirmation, h.s.today())
			if err != nil {
				return nil, err
			}
			c.ID, c.CompanyID, c.ScheduleID, c.ActorID, c.CreateTime = id, caller.CompanyID, s.ID, caller.Subject, h.s.Now.Stamp()
			return &c, nil
		},
		Store: h.s.Store.CreateResupplyConfirmation,
		// A confirmation is what the patient said, not a change of their
		// equipment: it has no event, and the call's audit record is its
		// trail.
		Events: func(identity.Principal, *domain.ResupplyConfirmation) []usecase.Event { return nil },
	})
}

// RecordShipment ships supplies of a schedule. Violations name fields of
// the request ("shipment.items[0].quantity").
type RecordShipment struct {
	ScheduleID string
	Shipment   domain.ResupplyShipment
	RequestID  string
}

// RecordShipment checks the shipment under the refill rule (the payer's
// windows, the latest confirmation on or before the ship date) with the
// schedule locked, keeps it, moves the schedule's supplies on and records
// ResupplyShipped.
func (h Resupplies) RecordShipment(ctx context.Context, cmd RecordShipment) (*domain.ResupplyShipment, error) {
	if err := usecase.CheckID("scheduleId", cmd.ScheduleID); err != nil {
		return nil, err
	}
	if p, ok, err := replay(ctx, h.s, "RecordResupplyShipment", cmd.RequestID, cmd, func(fp []byte) (*domain.ResupplyShipment, bool, error) {
		return h.s.Store.ShipmentRecordedFor(ctx, cmd.RequestID, fp)
	}); ok || err != nil {
		return p, err
	}
	return usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (*domain.ResupplyShipment, []usecase.Event, error) {
		caller, id, fingerprint, err := h.s.newRecord(ctx, "RecordResupplyShipment", cmd)
		if err != nil {
			return nil, nil, err
		}
		p := cmd.Shipment
		p.ID, p.CompanyID, p.ScheduleID, p.ActorID, p.CreateTime = id, caller.CompanyID, cmd.ScheduleID, caller.Subject, h.s.Now.Stamp()
		s, err := h.s.Store.UpdateResupplySchedule(ctx, cmd.ScheduleID, func(s *domain.ResupplySchedule) (civil.Date, error) {
			w, err := h.s.Store.ResupplyWindow(ctx, s.PayerID)
			if err != nil {
				return civil.Date{}, err
			}
			var confirmed *domain.ResupplyConfirmation
			if p.ShipDate.IsValid() {
				if confirmed, err = h.s.Store.LatestConfirmation(ctx, s.ID, p.ShipDate); err != nil {
					return civil.Date{}, err
				}
			}
			items, err := domain.CheckShipment(s, p, confirmed, w, h.s.today())
			if err != nil {
				return civil.Date{}, usecase.UnderField("shipment", err)
			}
			p.ConfirmationID = confirmed.ID
			s.Items, s.UpdateTime = items, p.CreateTime
			return s.NextContact(w), nil
		})
		if errs.KindOf(err) == errs.KindNotFound {
			return nil, nil, errs.Invalid(errs.FieldViolation{Field: "scheduleId", Description: "names no resupply schedule of the company"})
		}
		if err != nil {
			return nil, nil, err
		}
		out, replayed, err := h.s.Store.CreateResupplyShipment(ctx, &p, cmd.RequestID, fingerprint)
		if replayed {
			usecase.NoteReplay(ctx)
		}
		if err != nil || replayed {
			return out, nil, err
		}
		codes := make([]string, len(out.Items))
		for i, it := range out.Items {
			codes[i] = it.HCPCS
		}
		events := []usecase.Event{{Type: EventResupplyShipped, CompanyID: s.CompanyID, ResourceID: s.ID,
			Payload: &ordersv1.ResupplyShipped{CompanyId: s.CompanyID, ScheduleId: s.ID, ActorId: caller.Subject,
				OccurTime: timestamp(out.CreateTime), PatientId: s.PatientID, BranchId: s.BranchID, ShipmentId: out.ID,
				ShipDate: protoconv.DateProto(out.ShipDate), Hcpcs: codes}}}
		claims, err := h.billShipment(ctx, s, out)
		return out, append(events, claims...), err
	})
}

// billShipment creates, for a schedule billed from an order, a claim line
// per supply of shipment p, in the unit of work of ctx, and returns their
// events.
func (h Resupplies) billShipment(ctx context.Context, s *domain.ResupplySchedule, p *domain.ResupplyShipment) ([]usecase.Event, error) {
	if s.OrderID == "" {
		return nil, nil
	}
	o, err := h.s.Store.GetOrder(ctx, s.OrderID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(p.Items))
	for i := range ids {
		if ids[i], err = usecase.NewID(); err != nil {
			return nil, err
		}
	}
	created, err := h.s.Store.CreateClaimLines(ctx, domain.ShipmentClaims(o, p, s.Items, ids, p.CreateTime))
	if err != nil {
		return nil, err
	}
	events := make([]usecase.Event, len(created))
	for i := range created {
		events[i] = claimCreated(&created[i], p.ActorID, p.CreateTime)
	}
	return events, nil
}

// SetWindow sets a payer's refill windows.
type SetWindow struct {
	PayerID string
	Window  domain.ResupplyWindow
}

// SetWindow checks the payer with clinical and the windows' bounds, and
// keeps them for the company. Schedules already written keep their next
// contact day until they next change.
func (h Resupplies) SetWindow(ctx context.Context, cmd SetWindow) (domain.ResupplyWindow, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return domain.ResupplyWindow{}, err
	}
	if err := usecase.InvalidFields(usecase.FieldCheck{Err: usecase.CheckID("payerId", cmd.PayerID)},
		usecase.FieldCheck{Err: domain.CheckResupplyWindow(cmd.Window)}); err != nil {
		return domain.ResupplyWindow{}, err
	}
	if err := h.s.Peers.CheckPayer(ctx, "payerId", cmd.PayerID); err != nil {
		return domain.ResupplyWindow{}, err
	}
	return cmd.Window, h.s.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		return h.s.Store.SetResupplyWindow(ctx, caller.CompanyID, cmd.PayerID, cmd.Window)
	})
}
