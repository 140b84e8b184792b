package app

import (
	"context"
	"strconv"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usformat"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// Item event types.
const (
	EventItemCreated = "serials.item.created.v1"
	EventItemUpdated = "serials.item.updated.v1"
)

// ItemRepository stores the item master.
type ItemRepository interface {
	GetItem(ctx context.Context, id string) (*domain.Item, error)
	ListItems(ctx context.Context, q ItemQuery) ([]*domain.Item, error)
	CreateItem(ctx context.Context, it *domain.Item, requestID string, requestHash []byte) (*domain.Item, bool, error)
	UpdateItem(ctx context.Context, id string, fn func(*domain.Item) error) (*domain.Item, error)
}

// Items are the item master's commands and queries.
type Items struct{ s *serials }

// Get returns item id of the caller's company.
func (h Items) Get(ctx context.Context, id string) (*domain.Item, error) {
	return usecase.Get(ctx, "id", id, h.s.Store.GetItem)
}

// ListItems pages through the company's items.
type ListItems struct {
	PageSize     int32
	PageToken    string
	HCPCS        string
	ShowInactive bool
}

// ItemPage is one page of items.
type ItemPage = usecase.Page[*domain.Item]

// List returns one page, ordered by code; the token is bound to the
// caller's company and the filter.
func (h Items) List(ctx context.Context, q ListItems) (ItemPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return ItemPage{}, err
	}
	query := ItemQuery{HCPCS: q.HCPCS, ShowInactive: q.ShowInactive}
	if query.HCPCS != "" {
		code, ok := usformat.NormalizeHCPCS(q.HCPCS)
		if !ok {
			return ItemPage{}, errs.Invalid(errs.FieldViolation{Field: "hcpcs", Description: "must be an HCPCS Level II code: a letter A-V and four digits"})
		}
		query.HCPCS = code
	}
	scope := []string{"ListItems", caller.CompanyID, query.HCPCS, strconv.FormatBool(query.ShowInactive)}
	found, next, err := usecase.KeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, nil,
		func(after string, limit int) ([]*domain.Item, error) {
			query.After, query.Limit = after, limit
			return h.s.Store.ListItems(ctx, query)
		},
		func(it *domain.Item) string { return it.Code })
	return ItemPage{Items: found, NextPageToken: next}, err
}

// CreateItem adds an item. Violations name fields of the request
// ("item.code", "item.serialRule.pattern").
type CreateItem struct {
	Values    domain.ItemValues
	RequestID string
}

// Create adds the item, active, and records ItemCreated. A repeated
// request returns the item created the first time and records nothing.
func (h Items) Create(ctx context.Context, cmd CreateItem) (*domain.Item, error) {
	return usecase.Create(ctx, h.s.UnitOfWork, h.s.Events, usecase.Creation[*domain.Item]{
		Field: "item", RequestID: cmd.RequestID,
		Fingerprint: func() ([]byte, error) { return usecase.Fingerprint(h.s.Keyring, "serials", "CreateItem", cmd.Values) },
		Build: func(caller identity.Principal, id string) (*domain.Item, error) {
			return domain.NewItem(id, caller.CompanyID, cmd.Values, h.s.Now.Stamp())
		},
		Store: h.s.Store.CreateItem,
		Events: func(caller identity.Principal, it *domain.Item) []usecase.Event {
			return []usecase.Event{{Type: EventItemCreated, CompanyID: it.CompanyID, ResourceID: it.ID,
				Payload: &serialsv1.ItemCreated{CompanyId: it.CompanyID, ItemId: it.ID, ActorId: caller.Subject,
					OccurTime: protoconv.Time(it.CreateTime), Code: it.Code, Hcpcs: it.HCPCS}}}
		},
	})
}

// UpdateItem changes the named fields of an item.
type UpdateItem struct {
	ID, Etag string
	// Fields to write; the caller resolves an empty mask to every
	// writable field.
	Fields []domain.ItemField
	Values domain.ItemValues
}

// Update applies cmd and records ItemUpdated. ValidateSerial's cache of
// the company is dropped: an item's HCPCS code answers lookups by HCPCS.
func (h Items) Update(ctx context.Context, cmd UpdateItem) (*domain.Item, error) {
	now := h.s.Now.Stamp()
	it, err := usecase.Apply(ctx, h.s.UnitOfWork, h.s.Events, usecase.Update[*domain.Item]{
		Field: "item", IDField: "item.id", ID: cmd.ID, Etag: cmd.Etag,
		Version: func(it *domain.Item) int64 { return it.Version },
		Store:   h.s.Store.UpdateItem,
		Apply:   func(it *domain.Item) error { return it.Update(cmd.Fields, cmd.Values, now) },
		Events: func(caller identity.Principal, it *domain.Item) []usecase.Event {
			changed := make([]string, len(cmd.Fields))
			for i, f := range cmd.Fields {
				changed[i] = string(f)
			}
			return []usecase.Event{{Type: EventItemUpdated, CompanyID: it.CompanyID, ResourceID: it.ID,
				Payload: &serialsv1.ItemUpdated{CompanyId: it.CompanyID, ItemId: it.ID, ActorId: caller.Subject,
					OccurTime: protoconv.Time(it.UpdateTime), ChangedFields: changed, Version: it.Version}}}
		},
	})
	if err == nil {
		// The item was read under the caller's company, so it names it.
		h.s.forgetCompany(ctx, it.CompanyID)
	}
	return it, err
}
