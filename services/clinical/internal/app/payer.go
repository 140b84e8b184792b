package app

import (
	"context"
	"strconv"
	"strings"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// Payer and plan event types.
const (
	EventPayerCreated = "clinical.payer.created.v1"
	EventPayerUpdated = "clinical.payer.updated.v1"
	EventPlanCreated  = "clinical.plan.created.v1"
	EventPlanUpdated  = "clinical.plan.updated.v1"
)

// PayerRepository stores payers and their plans.
type PayerRepository interface {
	GetPayer(ctx context.Context, id string) (*domain.Payer, error)
	ListPayers(ctx context.Context, q PayerQuery) ([]*domain.Payer, error)
	CreatePayer(ctx context.Context, p *domain.Payer, requestID string, requestHash []byte) (*domain.Payer, bool, error)
	UpdatePayer(ctx context.Context, id string, fn func(*domain.Payer) error) (*domain.Payer, error)
	GetPlan(ctx context.Context, payerID, id string) (*domain.Plan, error)
	ListPlans(ctx context.Context, q PlanQuery) ([]*domain.Plan, error)
	CreatePlan(ctx context.Context, p *domain.Plan, requestID string, requestHash []byte) (*domain.Plan, bool, error)
	UpdatePlan(ctx context.Context, payerID, id string, fn func(*domain.Plan) error) (*domain.Plan, error)
}

// PayerQuery selects a page of payers, ordered by name (case-insensitive)
// and id; After holds the previous page's last (lower-cased name, id).
type PayerQuery struct {
	Type         domain.PayerType
	ShowInactive bool
	After        []string
	Limit        int
}

// PlanQuery selects a page of a payer's plans, like PayerQuery.
type PlanQuery struct {
	PayerID      string
	ShowInactive bool
	After        []string
	Limit        int
}

// Payers are the payer and plan commands and queries.
type Payers struct{ c *clinic }

// Get returns payer id.
func (h Payers) Get(ctx context.Context, id string) (*domain.Payer, error) {
	return usecase.Get(ctx, "id", id, h.c.Store.GetPayer)
}

// ListPayers pages through the company's payers.
type ListPayers struct {
	PageSize     int32
	PageToken    string
	Type         domain.PayerType
	ShowInactive bool
}

// PayerPage is one page of payers.
type PayerPage = usecase.Page[*domain.Payer]

// List returns one page of payers.
func (h Payers) List(ctx context.Context, q ListPayers) (PayerPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return PayerPage{}, err
	}
	scope := []string{"ListPayers", caller.CompanyID, string(q.Type), strconv.FormatBool(q.ShowInactive)}
	payers, next, err := usecase.CompositeKeysetPage(h.c.Pages, q.PageSize, q.PageToken, scope, 2, validNameKey,
		func(after []string, limit int) ([]*domain.Payer, error) {
			return h.c.Store.ListPayers(ctx, PayerQuery{Type: q.Type, ShowInactive: q.ShowInactive, After: after, Limit: limit})
		},
		func(p *domain.Payer) []string { return []string{strings.ToLower(p.Name), p.ID} })
	return PayerPage{Items: payers, NextPageToken: next}, err
}

// validNameKey accepts a (name, id) page cursor whose id is a UUID.
func validNameKey(keys []string) bool { return usecase.CheckID("", keys[1]) == nil }

// CreatePayer adds a payer.
type CreatePayer struct {
	Values    domain.PayerValues
	RequestID string
}

// Create adds the payer and records PayerCreated.
func (h Payers) Create(ctx context.Context, cmd CreatePayer) (*domain.Payer, error) {
	return create(ctx, h.c, creation[*domain.Payer]{
		method: "CreatePayer", field: "payer", requestID: cmd.RequestID, fingerprint: cmd.Values,
		build: func(caller identity.Principal, id string) (*domain.Payer, error) {
			return domain.NewPayer(id, caller.CompanyID, cmd.Values, h.c.Now.Stamp())
		},
		store: h.c.Store.CreatePayer,
		event: func(caller identity.Principal, p *domain.Payer) usecase.Event {
			return usecase.Event{Type: EventPayerCreated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PayerCreated{CompanyId: p.CompanyID, PayerId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.CreateTime), Name: p.Name, PayerCode: p.PayerCode, Type: protoPayerType(p.Type)}}
		},
	})
}

// UpdatePayer changes the named fields of a payer.
type UpdatePayer struct {
	ID, Etag string
	Fields   []domain.PayerField
	Values   domain.PayerValues
}

// Update applies cmd and records PayerUpdated.
func (h Payers) Update(ctx context.Context, cmd UpdatePayer) (*domain.Payer, error) {
	now := h.c.Now.Stamp()
	return update(ctx, h.c, change[*domain.Payer]{
		field: "payer", idField: "payer.id", id: cmd.ID, etag: cmd.Etag,
		version: func(p *domain.Payer) int64 { return p.Version },
		store:   h.c.Store.UpdatePayer,
		apply:   func(p *domain.Payer) error { return p.Update(cmd.Fields, cmd.Values, now) },
		event: func(caller identity.Principal, p *domain.Payer) usecase.Event {
			return usecase.Event{Type: EventPayerUpdated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PayerUpdated{CompanyId: p.CompanyID, PayerId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.UpdateTime), ChangedFields: fieldNames(cmd.Fields), Name: p.Name,
					PayerCode: p.PayerCode, Type: protoPayerType(p.Type), Active: p.Active, Version: p.Version}}
		},
	})
}

// GetPlan returns plan id of payer payerID.
func (h Payers) GetPlan(ctx context.Context, payerID, id string) (*domain.Plan, error) {
	if err := usecase.CheckID("payerId", payerID); err != nil {
		return nil, err
	}
	return usecase.Get(ctx, "id", id, func(ctx context.Context, id string) (*domain.Plan, error) {
		return h.c.Store.GetPlan(ctx, payerID, id)
	})
}

// ListPlans pages through a payer's plans.
type ListPlans struct {
	PayerID      string
	PageSize     int32
	PageToken    string
	ShowInactive bool
}

// PlanPage is one page of plans.
type PlanPage = usecase.Page[*domain.Plan]

// ListPlans returns one page of a payer's plans; an unknown payer is
// NOT_FOUND rather than an empty page.
func (h Payers) ListPlans(ctx context.Context, q ListPlans) (PlanPage, error) {
	if _, err := usecase.Get(ctx, "payerId", q.PayerID, h.c.Store.GetPayer); err != nil {
		return PlanPage{}, err
	}
	caller, _ := usecase.Caller(ctx)
	scope := []string{"ListPlans", caller.CompanyID, q.PayerID, strconv.FormatBool(q.ShowInactive)}
	plans, next, err := usecase.CompositeKeysetPage(h.c.Pages, q.PageSize, q.PageToken, scope, 2, validNameKey,
		func(after []string, limit int) ([]*domain.Plan, error) {
			return h.c.Store.ListPlans(ctx, PlanQuery{PayerID: q.PayerID, ShowInactive: q.ShowInactive, After: after, Limit: limit})
		},
		func(p *domain.Plan) []string { return []string{strings.ToLower(p.Name), p.ID} })
	return PlanPage{Items: plans, NextPageToken: next}, err
}

// CreatePlan adds a plan to a payer.
type CreatePlan struct {
	PayerID   string
	Values    domain.PlanValues
	RequestID string
}

// CreatePlan adds the plan and records PlanCreated; the payer must be the
// company's.
func (h Payers) CreatePlan(ctx context.Context, cmd CreatePlan) (*domain.Plan, error) {
	payer, err := usecase.Get(ctx, "payerId", cmd.PayerID, h.c.Store.GetPayer)
	if err != nil {
		return nil, err
	}
	return create(ctx, h.c, creation[*domain.Plan]{
		method: "CreatePlan", field: "plan", requestID: cmd.RequestID,
		fingerprint: struct {
			PayerID string
			Values  domain.PlanValues
		}{cmd.PayerID, cmd.Values},
		build: func(_ identity.Principal, id string) (*domain.Plan, error) {
			return domain.NewPlan(id, payer, cmd.Values, h.c.Now.Stamp())
		},
		store: h.c.Store.CreatePlan,
		event: func(caller identity.Principal, p *domain.Plan) usecase.Event {
			return usecase.Event{Type: EventPlanCreated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PlanCreated{CompanyId: p.CompanyID, PlanId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.CreateTime), PayerId: p.PayerID, Name: p.Name, PlanCode: p.PlanCode}}
		},
	})
}

// UpdatePlan changes the named fields of a plan.
type UpdatePlan struct {
	PayerID, ID, Etag string
	Fields            []domain.PlanField
	Values            domain.PlanValues
}

// UpdatePlan applies cmd and records PlanUpdated.
func (h Payers) UpdatePlan(ctx context.Context, cmd UpdatePlan) (*domain.Plan, error) {
	if err := usecase.CheckID("plan.payerId", cmd.PayerID); err != nil {
		return nil, err
	}
	now := h.c.Now.Stamp()
	return update(ctx, h.c, change[*domain.Plan]{
		field: "plan", idField: "plan.id", id: cmd.ID, etag: cmd.Etag,
		version: func(p *domain.Plan) int64 { return p.Version },
		store: func(ctx context.Context, id string, fn func(*domain.Plan) error) (*domain.Plan, error) {
			return h.c.Store.UpdatePlan(ctx, cmd.PayerID, id, fn)
		},
		apply: func(p *domain.Plan) error { return p.Update(cmd.Fields, cmd.Values, now) },
		event: func(caller identity.Principal, p *domain.Plan) usecase.Event {
			return usecase.Event{Type: EventPlanUpdated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PlanUpdated{CompanyId: p.CompanyID, PlanId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.UpdateTime), PayerId: p.PayerID, ChangedFields: fieldNames(cmd.Fields),
					Name: p.Name, PlanCode: p.PlanCode, Active: p.Active, Version: p.Version}}
		},
	})
}

// protoPayerType is the API value of a payer type: PAYER_TYPE_ and its
// name in upper case.
func protoPayerType(t domain.PayerType) clinicalv1.PayerType {
	return clinicalv1.PayerType(clinicalv1.PayerType_value["PAYER_TYPE_"+strings.ToUpper(string(t))])
}
