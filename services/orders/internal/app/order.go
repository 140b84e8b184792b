package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// OrderRepository stores orders, their lines, deliveries and pickups.
type OrderRepository interface {
	GetOrder(ctx context.Context, id string) (*domain.Order, error)
	ListOrders(ctx context.Context, q OrderQuery) ([]*domain.Order, error)
	CreateOrder(ctx context.Context, o *domain.Order, requestID string, fingerprint []byte) (*domain.Order, bool, error)
	// UpdateOrder runs fn on the order under its row lock and saves it
	// with its version advanced when fn returns nil.
	UpdateOrder(ctx context.Context, id string, fn func(*domain.Order) error) (*domain.Order, error)
	DeliveryRepository
}

// OrderQuery selects orders of the caller's company, newest order date
// first.
type OrderQuery struct {
	PatientID, BranchID string
	Status              domain.OrderStatus
	// From and To bound the order date, inclusive; zero is open.
	From, To civil.Date
	// AfterDate and AfterID resume after that order; zero starts at the
	// newest.
	AfterDate civil.Date
	AfterID   string
	Limit     int
}

// Orders are the order commands and queries.
type Orders struct{ s *supplier }

// PermissionApprove lets a caller approve orders, and submit one despite
// readiness gaps.
const PermissionApprove = "orders.approve"

// Order event types.
const (
	EventOrderCreated   = "orders.order.created.v1"
	EventOrderUpdated   = "orders.order.updated.v1"
	EventOrderSubmitted = "orders.order.submitted.v1"
	EventOrderApproved  = "orders.order.approved.v1"
	EventOrderDelivered = "orders.order.delivered.v1"
	EventOrderPickedUp  = "orders.order.picked_up.v1"
	EventOrderClosed    = "orders.order.closed.v1"
	EventOrderCancelled = "orders.order.cancelled.v1"
	EventOrderFlagged   = "orders.order.line_flagged.v1"
)

// Reasons of refused order commands.
const (
	// ReasonPriceNotFound: a line's item has no price in force on the
	// order date on the list the order is priced from.
	ReasonPriceNotFound = "PRICE_NOT_FOUND"
	// ReasonReadinessGaps: clinical finds something missing before the
	// order's codes can bill.
	ReasonReadinessGaps = "READINESS_GAPS"
	// ReasonOrderChanged: the order changed while a command was checking
	// it with another service; the command may be retried.
	ReasonOrderChanged = "ORDER_CHANGED"
)

// Get returns order id of the caller's company.
func (h Orders) Get(ctx context.Context, id string) (*domain.Order, error) {
	return usecase.Get(ctx, "id", id, h.s.Store.GetOrder)
}

// ListOrders pages through the company's orders.
type ListOrders struct {
	PageSize  int32
	PageToken string
	PatientID string
	BranchID  string
	Status    domain.OrderStatus
	From, To  civil.Date
}

// OrderPage is one page of orders.
type OrderPage = usecase.Page[*domain.Order]

// List returns one page. The token is bound to the caller's company and
// the filters. Violations name "patientId", "branchId", "status",
// "orderDateFrom" and "orderDateTo".
func (h Orders) List(ctx context.Context, q ListOrders) (OrderPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return OrderPage{}, err
	}
	var checks []usecase.FieldCheck
	for _, f := range []struct{ field, id string }{{"patientId", q.PatientID}, {"branchId", q.BranchID}} {
		if f.id != "" {
			checks = append(checks, usecase.FieldCheck{Field: f.field, Err: usecase.CheckID("", f.id)})
		}
	}
	if q.Status != "" && !slices.Contains(domain.OrderStatuses, q.Status) {
		checks = append(checks, usecase.FieldCheck{Field: "status", Err: errs.Invalid(errs.FieldViolation{Description: "is not an order status"})})
	}
	for _, f := range []struct {
		field string
		d     civil.Date
	}{{"orderDateFrom", q.From}, {"orderDateTo", q.To}} {
		if !f.d.IsZero() && !f.d.IsValid() {
			checks = append(checks, usecase.FieldCheck{Field: f.field, Err: errs.Invalid(errs.FieldViolation{Description: domain.DateInvalid})})
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		checks = append(checks, usecase.FieldCheck{Field: "orderDateTo", Err: errs.Invalid(errs.FieldViolation{Description: "must not be before orderDateFrom"})})
	}
	if err := usecase.InvalidFields(checks...); err != nil {
		return OrderPage{}, err
	}
	scope := []string{"ListOrders", caller.CompanyID, q.PatientID, q.BranchID, string(q.Status), q.From.String(), q.To.String()}
	found, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 2,
		func(keys []string) bool {
			d, err := civil.Parse(keys[0])
			return err == nil && d.IsValid() && usecase.CheckID("", keys[1]) == nil
		},
		func(after []string, limit int) ([]*domain.Order, error) {
			oq := OrderQuery{PatientID: q.PatientID, BranchID: q.BranchID, Status: q.Status, From: q.From, To: q.To, Limit: limit}
			if after != nil {
				oq.AfterDate, _ = civil.Parse(after[0])
				oq.AfterID = after[1]
			}
			return h.s.Store.ListOrders(ctx, oq)
		},
		func(o *domain.Order) []string { return []string{o.OrderDate.String(), o.ID} })
	if err != nil {
		return OrderPage{}, err
	}
	return OrderPage{Items: found, NextPageToken: next}, nil
}

// CreateOrder drafts an order. Violations name fields of the request
// ("order.lines[0].hcpcs", "requestId").
type CreateOrder struct {
	Values    domain.OrderValues
	RequestID string
}

// Create checks the draft with clinical, company and serials, prices its
// lines and stores it, recording OrderChanged (created).
func (h Orders) Create(ctx context.Context, cmd CreateOrder) (*domain.Order, error) {
	draft, err := h.draft(ctx, "order", cmd.Values, nil)
	if err != nil {
		return nil, err
	}
	return usecase.Create(ctx, h.s.UnitOfWork, h.s.Events, usecase.Creation[*domain.Order]{
		Field: "order", RequestID: cmd.RequestID, Fingerprint: func() ([]byte, error) { return usecase.Fingerprint(h.s.Keyring, "orders", "CreateOrder", cmd.Values) },
		Build: func(caller identity.Principal, id string) (*domain.Order, error) {
			now := h.s.Now.Stamp()
			o := &domain.Order{ID: id, CompanyID: caller.CompanyID, Status: domain.StatusDraft, Version: 1,
				CreateTime: now, UpdateTime: now}
			draft.applyTo(o)
			return o, nil
		},
		Store: h.s.Store.CreateOrder,
		Events: func(caller identity.Principal, o *domain.Order) []usecase.Event {
			return []usecase.Event{orderChanged(EventOrderCreated, caller, o, "")}
		},
	})
}

// UpdateOrder changes fields of a draft. Violations name fields of the
// request ("order.id", "order.etag", "order.lines[1].quantity").
type UpdateOrder struct {
	ID, Etag string
	// Fields to write; the caller resolves an empty mask to all of them.
	Fields []domain.OrderField
	Values domain.OrderValues
}

// Update rewrites the named fields of a draft, checked and priced as a new
// draft is, and records OrderChanged (updated).
func (h Orders) Update(ctx context.Context, cmd UpdateOrder) (*domain.Order, error) {
	current, err := h.open(ctx, "order.id", cmd.ID, domain.CmdUpdate)
	if err != nil {
		return nil, err
	}
	values := current.Values()
	for _, f := range cmd.Fields {
		switch f {
		case domain.FieldBranch:
			values.BranchID = cmd.Values.BranchID
		case domain.FieldWarehouse:
			values.WarehouseID = cmd.Values.WarehouseID
		case domain.FieldOrderDate:
			values.OrderDate = cmd.Values.OrderDate
		case domain.FieldDiagnoses:
			values.Diagnoses = cmd.Values.Diagnoses
		case domain.FieldLines:
			values.Lines, values.LineIDs = cmd.Values.Lines, cmd.Values.LineIDs
		}
	}
	draft, err := h.draft(ctx, "order", values, current)
	if err != nil {
		return nil, err
	}
	return h.step(ctx, "order", "order.id", cmd.ID, cmd.Etag, EventOrderUpdated, func(o *domain.Order, now time.Time) error {
		if o.Version != current.Version {
			return orderChangedMeanwhile()
		}
		if err := o.Transition(domain.CmdUpdate, now); err != nil {
			return err
		}
		draft.applyTo(o)
		return nil
	})
}

// SubmitOrder submits a draft. Violations name "id", "etag" and
// "overrideReason".
type SubmitOrder struct {
	ID, Etag string
	// OverrideReason submits despite readiness gaps; it needs
	// PermissionApprove.
	OverrideReason string
}

// Submit asks clinical's readiness for the order's codes on its date.
// Gaps refuse it (READINESS_GAPS, a violation per gap) unless overridden
// with a reason by a caller allowed to approve; the order and its event
// keep the gaps and the reason.
func (h Orders) Submit(ctx context.Context, cmd SubmitOrder) (*domain.Order, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	var v errs.Violations
	v.CheckLine("overrideReason", cmd.OverrideReason, false, domain.MaxReason)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if cmd.OverrideReason != "" && !auth.Permits(caller.Roles, PermissionApprove) {
		return nil, errs.PermissionDenied("overriding readiness gaps needs the " + PermissionApprove + " permission")
	}
	current, err := h.open(ctx, "id", cmd.ID, domain.CmdSubmit)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, l := range current.Lines {
		if !slices.Contains(codes, l.HCPCS) {
			codes = append(codes, l.HCPCS)
		}
	}
	gaps, err := h.s.Peers.Readiness(ctx, current.PatientID, codes, current.OrderDate)
	if err != nil {
		return nil, err
	}
	var overridden []string
	if len(gaps) > 0 {
		if cmd.OverrideReason == "" {
			return nil, readinessGaps(gaps)
		}
		for _, g := range gaps {
			overridden = append(overridden, g.Code)
		}
	}
	reason := ""
	if len(overridden) > 0 {
		reason = cmd.OverrideReason
	}
	return h.step(ctx, "", "id", cmd.ID, cmd.Etag, EventOrderSubmitted, func(o *domain.Order, now time.Time) error {
		if o.Version != current.Version {
			return orderChangedMeanwhile()
		}
		return o.Submit(overridden, reason, now)
	})
}

// readinessGaps is the refusal of a submission with what clinical finds
// missing, one precondition violation per gap.
func readinessGaps(gaps []Gap) error {
	viol := make([]errs.PreconditionViolation, len(gaps))
	for i, g := range gaps {
		viol[i] = errs.PreconditionViolation{Type: g.Code, Subject: g.Resource, Description: g.Description}
	}
	return errs.Unmet(ReasonReadinessGaps,
		fmt.Sprintf("the order is not ready to bill: %d requirement(s) missing; fix them, or submit with an override reason", len(gaps)),
		viol...)
}

// ApproveOrder approves a submitted order. Violations name "id" and
// "etag".
type ApproveOrder struct{ ID, Etag string }

// Approve reserves a unit in serials for every serialized line, keyed by
// the line, then approves the order with the units on its lines. When a
// reservation or the approval fails, the reservations made for the order
// are released and the order stays submitted: no order is ever approved
// with a line unreserved, and a retry reserves nothing twice.
func (h Orders) Approve(ctx context.Context, cmd ApproveOrder) (*domain.Order, error) {
	current, err := h.open(ctx, "id", cmd.ID, domain.CmdApprove)
	if err != nil {
		return nil, err
	}
	held := map[string]Unit{}
	for _, l := range current.Lines {
		if !l.Serialized {
			continue
		}
		u, err := h.s.Peers.ReserveUnit(ctx, l.ID, l.ItemID, current.WarehouseID, l.SerialNumber)
		if err != nil {
			h.release(ctx, current)
			return nil, err
		}
		held[l.ID] = u
	}
	o, err := h.step(ctx, "", "id", cmd.ID, cmd.Etag, EventOrderApproved, func(o *domain.Order, now time.Time) error {
		if err := o.Transition(domain.CmdApprove, now); err != nil {
			return err
		}
		for i, l := range o.Lines {
			if u, ok := held[l.ID]; ok {
				o.Lines[i].UnitID, o.Lines[i].SerialNumber = u.ID, u.SerialNumber
			}
		}
		return nil
	})
	if err != nil {
		h.release(ctx, current)
		return nil, err
	}
	return o, nil
}

// release lets go of every reservation made for o's lines, whatever
// became of the caller's request: a failed release leaves a hold keyed by
// the line, which a retried approval reuses and a cancellation releases.
func (h Orders) release(ctx context.Context, o *domain.Order) {
	ctx = context.WithoutCancel(ctx)
	for _, l := range o.Lines {
		if l.Serialized {
			_ = h.s.Peers.ReleaseUnit(ctx, l.ID)
		}
	}
}

// CloseOrder closes a delivered order.
type CloseOrder struct{ ID, Etag string }

// Close ends a delivered order whose rental lines all came back.
func (h Orders) Close(ctx context.Context, cmd CloseOrder) (*domain.Order, error) {
	return h.step(ctx, "", "id", cmd.ID, cmd.Etag, EventOrderClosed, func(o *domain.Order, now time.Time) error {
		return o.Close(now)
	})
}

// CancelOrder cancels an open order.
type CancelOrder struct{ ID, Etag, Reason string }

// Cancel stops an open order; its event lists the units reserved for its
// lines, which serials releases.
func (h Orders) Cancel(ctx context.Context, cmd CancelOrder) (*domain.Order, error) {
	return h.step(ctx, "", "id", cmd.ID, cmd.Etag, EventOrderCancelled, func(o *domain.Order, now time.Time) error {
		return o.Cancel(cmd.Reason, now)
	})
}

// open returns order id (named by the request's field idField) when cmd
// may apply to it now, before the command asks another service anything;
// the command checks again under the order's lock.
func (h Orders) open(ctx context.Context, idField, id string, cmd domain.OrderCommand) (*domain.Order, error) {
	if err := usecase.CheckID(idField, id); err != nil {
		return nil, err
	}
	o, err := h.s.Store.GetOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := domain.NextOrderStatus(o.Status, cmd); err != nil {
		return nil, err
	}
	return o, nil
}

// step runs one change of an order under its lock with its etag checked,
// recording OrderChanged of type typ.
func (h Orders) step(ctx context.Context, field, idField, id, tag, typ string, apply func(*domain.Order, time.Time) error) (*domain.Order, error) {
	var before domain.OrderStatus
	now := h.s.Now.Stamp()
	return usecase.Apply(ctx, h.s.UnitOfWork, h.s.Events, usecase.Update[*domain.Order]{
		Field: field, IDField: idField, ID: id, Etag: tag,
		Version: func(o *domain.Order) int64 { return o.Version },
		Store:   h.s.Store.UpdateOrder,
		Apply: func(o *domain.Order) error {
			before = o.Status
			return apply(o, now)
		},
		Events: func(caller identity.Principal, o *domain.Order) []usecase.Event {
			return []usecase.Event{orderChanged(typ, caller, o, before)}
		},
	})
}

// orderChangedMeanwhile refuses a command whose order changed while it
// was asking another service about it.
func orderChangedMeanwhile() error {
	return errs.Aborted(ReasonOrderChanged, "the order changed while the command was checking it; read it again and retry")
}
