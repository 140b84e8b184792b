package app

import (
	"context"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// Written order event types.
const (
	EventWrittenOrderCreated = "clinical.written_order.created.v1"
	EventWrittenOrderUpdated = "clinical.written_order.updated.v1"
	EventWrittenOrderSigned  = "clinical.written_order.signed.v1"
	EventWrittenOrderRevoked = "clinical.written_order.revoked.v1"
)

// ReasonPrescriberInactive: a written order names a prescriber who has
// been deactivated, and so may not be named on new orders.
const ReasonPrescriberInactive = "PRESCRIBER_INACTIVE"

// PrescriberInactive is the FAILED_PRECONDITION error that refuses to name
// the deactivated prescriber id on a written order.
func PrescriberInactive(id string) error {
	return errs.FailedPrecondition(ReasonPrescriberInactive,
		"the prescriber is inactive and may not be named on a written order").With("prescriber_id", id)
}

// WrittenOrderRepository stores written orders. Creating or changing an
// order checks in the same transaction that its patient and prescriber are
// the caller's company's (NOT_FOUND otherwise) and that a newly named
// prescriber is active (PrescriberInactive).
type WrittenOrderRepository interface {
	GetWrittenOrder(ctx context.Context, id string) (*domain.WrittenOrder, error)
	ListWrittenOrders(ctx context.Context, q WrittenOrderQuery) ([]*domain.WrittenOrder, error)
	// PatientWrittenOrders returns every order of the patient, whatever
	// its status, oldest first.
	PatientWrittenOrders(ctx context.Context, patientID string) ([]domain.WrittenOrder, error)
	CreateWrittenOrder(ctx context.Context, o *domain.WrittenOrder, requestID string, requestHash []byte) (out *domain.WrittenOrder, replayed bool, err error)
	UpdateWrittenOrder(ctx context.Context, id string, fn func(*domain.WrittenOrder) error) (*domain.WrittenOrder, error)
}

// WrittenOrderQuery selects written orders of the caller's company, newest
// first (by id: UUIDv7 ids grow with creation time).
type WrittenOrderQuery struct {
	// PatientID keeps one patient's orders; "" keeps all.
	PatientID string
	// Status keeps the orders that read as it on Today (expired: signed
	// orders whose length of need ran out before Today; signed: those that
	// did not); "" keeps all.
	Status domain.WrittenOrderStatus
	Today  civil.Date
	// AfterID resumes after this order; "" starts at the newest.
	AfterID string
	Limit   int
}

// WrittenOrders are the written order commands and queries.
type WrittenOrders struct{ c *clinic }

// WrittenOrderView is a written order as it reads on AsOf. Its Status is
// the effective status, expired for a signed order whose length of need
// ran out before AsOf; it shadows the stored status, which stays at
// WrittenOrder.Status.
type WrittenOrderView struct {
	*domain.WrittenOrder
	Status domain.WrittenOrderStatus
	AsOf   civil.Date
}

// Get returns written order id of the caller's company.
func (h WrittenOrders) Get(ctx context.Context, id string) (WrittenOrderView, error) {
	return h.viewOf(usecase.Get(ctx, "id", id, h.c.Store.GetWrittenOrder))
}

// ListWrittenOrders pages through the company's written orders, newest
// first.
type ListWrittenOrders struct {
	PageSize  int32
	PageToken string
	// PatientID keeps one patient's orders; "" keeps all.
	PatientID string
	// Status keeps the orders that read as it today; "" keeps all.
	Status domain.WrittenOrderStatus
}

// WrittenOrderPage is one page of written orders.
type WrittenOrderPage = usecase.Page[WrittenOrderView]

// List returns one page. The token is bound to the caller's company and
// the filter. Violations name "patientId" and "status".
func (h WrittenOrders) List(ctx context.Context, q ListWrittenOrders) (WrittenOrderPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return WrittenOrderPage{}, err
	}
	var checks []usecase.FieldCheck
	if q.PatientID != "" {
		checks = append(checks, usecase.FieldCheck{Field: "patientId", Err: usecase.CheckID("", q.PatientID)})
	}
	switch q.Status {
	case "", domain.WrittenOrderDraft, domain.WrittenOrderSigned, domain.WrittenOrderRevoked, domain.WrittenOrderExpired:
	default:
		checks = append(checks, usecase.FieldCheck{Field: "status", Err: errs.Invalid(errs.FieldViolation{Description: "is not a written order status"})})
	}
	if err := usecase.InvalidFields(checks...); err != nil {
		return WrittenOrderPage{}, err
	}
	today := h.c.today()
	scope := []string{"ListWrittenOrders", caller.CompanyID, q.PatientID, string(q.Status)}
	found, next, err := usecase.KeysetPage(h.c.Pages, q.PageSize, q.PageToken, scope,
		func(key string) bool { return usecase.CheckID("", key) == nil },
		func(after string, limit int) ([]*domain.WrittenOrder, error) {
			return h.c.Store.ListWrittenOrders(ctx, WrittenOrderQuery{
				PatientID: q.PatientID, Status: q.Status, Today: today, AfterID: after, Limit: limit,
			})
		},
		func(o *domain.WrittenOrder) string { return o.ID })
	if err != nil {
		return WrittenOrderPage{}, err
	}
	out := WrittenOrderPage{Items: make([]WrittenOrderView, len(found)), NextPageToken: next}
	for i, o := range found {
		out.Items[i] = WrittenOrderView{WrittenOrder: o, Status: o.EffectiveStatus(today), AsOf: today}
	}
	return out, nil
}

// CreateWrittenOrder adds a draft written order. Violations name fields of
// the request ("writtenOrder.items[0].hcpcs", "requestId").
type CreateWrittenOrder struct {
	Values domain.WrittenOrderValues
	// RequestID is the AIP-155 idempotency key; "" means none.
	RequestID string
}

// Create adds the draft and records WrittenOrderCreated. The patient and
// the prescriber must be the company's (NOT_FOUND otherwise) and the
// prescriber active. A repeated request returns the order created the
// first time, as it is now, and records nothing.
func (h WrittenOrders) Create(ctx context.Context, cmd CreateWrittenOrder) (WrittenOrderView, error) {
	return h.viewOf(create(ctx, h.c, creation[*domain.WrittenOrder]{
		method: "CreateWrittenOrder", field: "writtenOrder", requestID: cmd.RequestID, fingerprint: cmd.Values,
		build: func(caller identity.Principal, id string) (*domain.WrittenOrder, error) {
			return domain.NewWrittenOrder(id, caller.CompanyID, cmd.Values, h.c.Now.Stamp())
		},
		store: h.c.Store.CreateWrittenOrder,
		event: func(caller identity.Principal, o *domain.WrittenOrder) usecase.Event {
			return writtenOrderEvent(EventWrittenOrderCreated, o, &clinicalv1.WrittenOrderCreated{
				CompanyId: o.CompanyID, WrittenOrderId: o.ID, ActorId: caller.Subject,
				OccurTime: timestamp(o.CreateTime), PatientId: o.PatientID, PrescriberId: o.PrescriberID,
				HcpcsCodes: hcpcsCodes(o), Status: writtenOrderStatusProto(o.Status),
			})
		},
	}))
}

// UpdateWrittenOrder changes fields of a draft written order. Violations
// name fields of the request ("writtenOrder.id", "writtenOrder.etag",
// "writtenOrder.diagnoses[1]").
type UpdateWrittenOrder struct {
	ID   string
	Etag string
	// Fields to write; the caller resolves an empty update mask to every
	// writable field.
	Fields []domain.WrittenOrderField
	Values domain.WrittenOrderValues
}

// Update applies cmd to a draft and records WrittenOrderUpdated. A signed
// or revoked order is FAILED_PRECONDITION (domain.ReasonWrittenOrderTransition).
func (h WrittenOrders) Update(ctx context.Context, cmd UpdateWrittenOrder) (WrittenOrderView, error) {
	return h.change(ctx, "writtenOrder", "writtenOrder.id", cmd.ID, cmd.Etag,
		func(o *domain.WrittenOrder, now time.Time) error { return o.Update(cmd.Fields, cmd.Values, now) },
		func(caller identity.Principal, o *domain.WrittenOrder, _ domain.WrittenOrderStatus) usecase.Event {
			return writtenOrderEvent(EventWrittenOrderUpdated, o, &clinicalv1.WrittenOrderUpdated{
				CompanyId: o.CompanyID, WrittenOrderId: o.ID, ActorId: caller.Subject, OccurTime: timestamp(o.UpdateTime),
				PatientId: o.PatientID, ChangedFields: fieldNames(cmd.Fields), PrescriberId: o.PrescriberID,
				HcpcsCodes: hcpcsCodes(o), Version: o.Version,
			})
		})
}

// SignWrittenOrder records the prescriber's signature of a draft.
// Violations name "id", "etag" and "signatureDate".
type SignWrittenOrder struct {
	ID string
	// SignatureDate is the date the prescriber signed; zero means the one
	// the draft holds.
	SignatureDate civil.Date
	Etag          string
}

// Sign signs the draft and records WrittenOrderSigned. An incomplete order
// is FAILED_PRECONDITION with domain.ReasonWrittenOrderIncomplete and a
// precondition violation per gap; an order that is not a draft is
// FAILED_PRECONDITION with domain.ReasonWrittenOrderTransition.
func (h WrittenOrders) Sign(ctx context.Context, cmd SignWrittenOrder) (WrittenOrderView, error) {
	today := h.c.today()
	return h.change(ctx, "", "id", cmd.ID, cmd.Etag,
		func(o *domain.WrittenOrder, now time.Time) error { return o.Sign(cmd.SignatureDate, today, now) },
		func(caller identity.Principal, o *domain.WrittenOrder, _ domain.WrittenOrderStatus) usecase.Event {
			return writtenOrderEvent(EventWrittenOrderSigned, o, &clinicalv1.WrittenOrderSigned{
				CompanyId: o.CompanyID, WrittenOrderId: o.ID, ActorId: caller.Subject, OccurTime: timestamp(o.UpdateTime),
				PatientId: o.PatientID, PrescriberId: o.PrescriberID, HcpcsCodes: hcpcsCodes(o),
				FaceToFaceRequired: o.FaceToFaceRequired(),
			})
		})
}

// RevokeWrittenOrder withdraws a draft or signed order. Violations name
// "id", "etag" and "reason".
type RevokeWrittenOrder struct {
	ID     string
	Reason string
	Etag   string
}

// Revoke withdraws the order and records WrittenOrderRevoked, which
// carries the status the order had and never the reason. Revoking a
// revoked order is FAILED_PRECONDITION (domain.ReasonWrittenOrderTransition).
func (h WrittenOrders) Revoke(ctx context.Context, cmd RevokeWrittenOrder) (WrittenOrderView, error) {
	return h.change(ctx, "", "id", cmd.ID, cmd.Etag,
		func(o *domain.WrittenOrder, now time.Time) error { return o.Revoke(cmd.Reason, now) },
		func(caller identity.Principal, o *domain.WrittenOrder, before domain.WrittenOrderStatus) usecase.Event {
			return writtenOrderEvent(EventWrittenOrderRevoked, o, &clinicalv1.WrittenOrderRevoked{
				CompanyId: o.CompanyID, WrittenOrderId: o.ID, ActorId: caller.Subject, OccurTime: timestamp(o.UpdateTime),
				PatientId: o.PatientID, HcpcsCodes: hcpcsCodes(o), PreviousStatus: writtenOrderStatusProto(before),
			})
		})
}

// change runs one move of written order id as one unit of work: it checks
// the etag, applies move under the row lock, and records the event made
// from the changed order and the status it had before. field roots the
// domain's violations in the request ("writtenOrder", or "" for an action
// whose fields are the request's own).
func (h WrittenOrders) change(ctx context.Context, field, idField, id, tag string,
	move func(*domain.WrittenOrder, time.Time) error,
	event func(identity.Principal, *domain.WrittenOrder, domain.WrittenOrderStatus) usecase.Event) (WrittenOrderView, error) {
	now := h.c.Now.Stamp()
	var before domain.WrittenOrderStatus
	return h.viewOf(update(ctx, h.c, change[*domain.WrittenOrder]{
		field: field, idField: idField, id: id, etag: tag,
		version: func(o *domain.WrittenOrder) int64 { return o.Version },
		store:   h.c.Store.UpdateWrittenOrder,
		apply: func(o *domain.WrittenOrder) error {
			before = o.Status
			return move(o, now)
		},
		event: func(caller identity.Principal, o *domain.WrittenOrder) usecase.Event { return event(caller, o, before) },
	}))
}

// viewOf is the result of a read or command on one order, as it reads
// today.
func (h WrittenOrders) viewOf(o *domain.WrittenOrder, err error) (WrittenOrderView, error) {
	if err != nil {
		return WrittenOrderView{}, err
	}
	today := h.c.today()
	return WrittenOrderView{WrittenOrder: o, Status: o.EffectiveStatus(today), AsOf: today}, nil
}

// writtenOrderEvent is an event about order o.
func writtenOrderEvent(typ string, o *domain.WrittenOrder, payload proto.Message) usecase.Event {
	return usecase.Event{Type: typ, CompanyID: o.CompanyID, ResourceID: o.ID, Payload: payload}
}

// hcpcsCodes lists the HCPCS codes of an order's items, in item order: the
// only item detail events carry.
func hcpcsCodes(o *domain.WrittenOrder) []string {
	out := make([]string, len(o.Items))
	for i, item := range o.Items {
		out[i] = item.HCPCS
	}
	return out
}

// writtenOrderStatusProto is the API value of a status:
// WRITTEN_ORDER_STATUS_ and its name in upper case.
func writtenOrderStatusProto(s domain.WrittenOrderStatus) clinicalv1.WrittenOrderStatus {
	return clinicalv1.WrittenOrderStatus(clinicalv1.WrittenOrderStatus_value["WRITTEN_ORDER_STATUS_"+strings.ToUpper(string(s))])
}
