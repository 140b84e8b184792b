package app

import (
	"context"
	"strconv"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usformat"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// Price list event types. PriceChanged is recorded for a price added and
// for one whose period's end was set or moved.
const (
	EventPriceListCreated = "orders.price_list.created.v1"
	EventPriceChanged     = "orders.price.changed.v1"
)

// PriceListRepository stores price lists and their prices.
type PriceListRepository interface {
	// PriceFor returns the price an order of payerID's patient is priced
	// at on day for item and hcpcs: from the payer's list when it has one,
	// else the default list. found is false when that list has no price in
	// force; listID is "" when the company has no list at all.
	PriceFor(ctx context.Context, payerID, itemID, hcpcs string, day civil.Date) (listID string, p domain.Price, found bool, err error)

	GetPriceList(ctx context.Context, id string) (*domain.PriceList, error)
	ListPriceLists(ctx context.Context, q PriceListQuery) ([]*domain.PriceList, error)
	// CreatePriceList stores l under the AIP-155 key requestID; a second
	// default list, or a second list of one payer, is ALREADY_EXISTS
	// naming the list there is.
	CreatePriceList(ctx context.Context, l *domain.PriceList, requestID string, fingerprint []byte) (*domain.PriceList, bool, error)
	ListPrices(ctx context.Context, q PriceQuery) ([]*domain.Price, error)
	// CreatePrice stores p under the AIP-155 key requestID once admit
	// accepts it beside others, the list's prices of p's item and code,
	// read under the list's row lock: prices added to one list take
	// turns. A list the caller's company does not have is NOT_FOUND.
	CreatePrice(ctx context.Context, p *domain.Price, requestID string, fingerprint []byte,
		admit func(others []domain.Price) error) (*domain.Price, bool, error)
	// UpdatePrice runs fn on price id of list listID and the list's other
	// prices of its item and code, under the list's row lock, and saves
	// the price with its version advanced when fn returns nil.
	UpdatePrice(ctx context.Context, listID, id string, fn func(p *domain.Price, others []domain.Price) error) (*domain.Price, error)
}

// PriceListQuery selects a page of the company's price lists: the default
// first, then by name (case-insensitive) and id. After holds the previous
// page's last keys (whether it is a payer's list, "true" or "false"; its
// name; its id); nil starts at the first.
type PriceListQuery struct {
	After []string
	Limit int
}

// PriceQuery selects a page of one list's prices by item, HCPCS code and
// start. After holds the previous page's last keys (item id, code, start
// date); nil starts at the first.
type PriceQuery struct {
	ListID string
	// ItemID, when set, keeps the prices of one item; InForceOn, when
	// set, those in force on that day.
	ItemID    string
	InForceOn civil.Date
	After     []string
	Limit     int
}

// PriceLists are the price list commands and queries.
type PriceLists struct{ s *supplier }

// Get returns price list id of the caller's company.
func (h PriceLists) Get(ctx context.Context, id string) (*domain.PriceList, error) {
	return usecase.Get(ctx, "id", id, h.s.Store.GetPriceList)
}

// ListPriceLists pages through the company's price lists.
type ListPriceLists struct {
	PageSize  int32
	PageToken string
}

// PriceListPage is one page of price lists.
type PriceListPage = usecase.Page[*domain.PriceList]

// List returns one page of price lists, the default first, then by name.
func (h PriceLists) List(ctx context.Context, q ListPriceLists) (PriceListPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return PriceListPage{}, err
	}
	scope := []string{"ListPriceLists", caller.CompanyID}
	lists, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 3,
		func(keys []string) bool {
			_, err := strconv.ParseBool(keys[0])
			return err == nil && usecase.CheckID("", keys[2]) == nil
		},
		func(after []string, limit int) ([]*domain.PriceList, error) {
			return h.s.Store.ListPriceLists(ctx, PriceListQuery{After: after, Limit: limit})
		},
		func(l *domain.PriceList) []string { return []string{strconv.FormatBool(!l.Default()), l.Name, l.ID} })
	return PriceListPage{Items: lists, NextPageToken: next}, err
}

// CreatePriceList adds the default list (no payer) or a payer's list.
// Violations name fields of the request ("priceList.name",
// "priceList.payerId", "requestId").
type CreatePriceList struct {
	Values    domain.PriceListValues
	RequestID string
}

// Create checks the payer with clinical and adds the list, recording
// PriceListCreated. A second default list, or a second list of a payer,
// is ALREADY_EXISTS naming the list there is.
func (h PriceLists) Create(ctx context.Context, cmd CreatePriceList) (*domain.PriceList, error) {
	return usecase.Create(ctx, h.s.UnitOfWork, h.s.Events, usecase.Creation[*domain.PriceList]{
		Field: "priceList", RequestID: cmd.RequestID, Fingerprint: func() ([]byte, error) {
			return usecase.Fingerprint(h.s.Keyring, "orders", "CreatePriceList", cmd.Values)
		},
		Build: func(caller identity.Principal, id string) (*domain.PriceList, error) {
			l, err := domain.NewPriceList(id, caller.CompanyID, cmd.Values, h.s.Now.Stamp())
			checks := []usecase.FieldCheck{{Err: err}}
			if payer := cmd.Values.PayerID; payer != "" {
				if err := usecase.CheckID("payerId", payer); err != nil {
					checks = append(checks, usecase.FieldCheck{Err: err})
				} else {
					checks = append(checks, usecase.FieldCheck{Err: h.s.Peers.CheckPayer(ctx, "payerId", payer)})
				}
			}
			return l, usecase.InvalidFields(checks...)
		},
		Store: h.s.Store.CreatePriceList,
		Events: func(caller identity.Principal, l *domain.PriceList) []usecase.Event {
			return []usecase.Event{{Type: EventPriceListCreated, CompanyID: l.CompanyID, ResourceID: l.ID,
				Payload: &ordersv1.PriceListCreated{CompanyId: l.CompanyID, PriceListId: l.ID, ActorId: caller.Subject,
					OccurTime: timestamp(l.CreateTime), PayerId: l.PayerID}}}
		},
	})
}

// CreatePrice adds a price to a list. Violations name fields of the
// request ("priceListId", "price.hcpcs", "price.purchaseBillable.amountCents",
// "requestId").
type CreatePrice struct {
	ListID    string
	Values    domain.PriceValues
	RequestID string
}

// CreatePrice checks the item with serials and adds the price to a list
// of the caller's company (NOT_FOUND otherwise), recording PriceChanged.
// A period sharing a day with another price of the item and code on the
// list is FAILED_PRECONDITION PRICE_PERIOD_OVERLAP naming both, checked
// under the list's lock.
func (h PriceLists) CreatePrice(ctx context.Context, cmd CreatePrice) (*domain.Price, error) {
	if _, err := usecase.Get(ctx, "priceListId", cmd.ListID, h.s.Store.GetPriceList); err != nil {
		return nil, err
	}
	return usecase.Create(ctx, h.s.UnitOfWork, h.s.Events, usecase.Creation[*domain.Price]{
		Field: "price", RequestID: cmd.RequestID,
		Fingerprint: func() ([]byte, error) {
			return usecase.Fingerprint(h.s.Keyring, "orders", "CreatePrice", struct {
				ListID string
				Values domain.PriceValues
			}{cmd.ListID, cmd.Values})
		},
		Build: func(caller identity.Principal, id string) (*domain.Price, error) {
			p, err := domain.NewPrice(id, caller.CompanyID, cmd.ListID, cmd.Values, h.s.Now.Stamp())
			checks := []usecase.FieldCheck{{Err: err}}
			if item := cmd.Values.ItemID; item != "" {
				_, err := h.s.Peers.Item(ctx, "itemId", item)
				checks = append(checks, usecase.FieldCheck{Err: err})
			}
			return p, usecase.InvalidFields(checks...)
		},
		Store: func(ctx context.Context, p *domain.Price, requestID string, fingerprint []byte) (*domain.Price, bool, error) {
			return h.s.Store.CreatePrice(ctx, p, requestID, fingerprint, func(others []domain.Price) error {
				return domain.CheckPrice(*p, others)
			})
		},
		Events: func(caller identity.Principal, p *domain.Price) []usecase.Event {
			return []usecase.Event{priceChanged(caller, p)}
		},
	})
}

// ListPrices pages through a list's prices.
type ListPrices struct {
	ListID    string
	PageSize  int32
	PageToken string
	// ItemID and InForceOn narrow the listing when set.
	ItemID    string
	InForceOn civil.Date
}

// PricePage is one page of prices.
type PricePage = usecase.Page[*domain.Price]

// ListPrices returns one page of a list's prices by item, code and start;
// a list the company does not have is NOT_FOUND rather than an empty
// page. Violations name "priceListId", "itemId" and "inForceOn".
func (h PriceLists) ListPrices(ctx context.Context, q ListPrices) (PricePage, error) {
	var checks []usecase.FieldCheck
	if q.ItemID != "" {
		checks = append(checks, usecase.FieldCheck{Field: "itemId", Err: usecase.CheckID("", q.ItemID)})
	}
	if !q.InForceOn.IsZero() && !q.InForceOn.IsValid() {
		checks = append(checks, usecase.FieldCheck{Field: "inForceOn", Err: errs.Invalid(errs.FieldViolation{Description: domain.DateInvalid})})
	}
	if err := usecase.InvalidFields(checks...); err != nil {
		return PricePage{}, err
	}
	if _, err := usecase.Get(ctx, "priceListId", q.ListID, h.s.Store.GetPriceList); err != nil {
		return PricePage{}, err
	}
	caller, _ := usecase.Caller(ctx)
	scope := []string{"ListPrices", caller.CompanyID, q.ListID, q.ItemID, q.InForceOn.String()}
	prices, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 3,
		func(keys []string) bool {
			d, err := civil.Parse(keys[2])
			return usecase.CheckID("", keys[0]) == nil && usformat.ValidHCPCS(keys[1]) && err == nil && d.IsValid()
		},
		func(after []string, limit int) ([]*domain.Price, error) {
			return h.s.Store.ListPrices(ctx, PriceQuery{ListID: q.ListID, ItemID: q.ItemID, InForceOn: q.InForceOn, After: after, Limit: limit})
		},
		func(p *domain.Price) []string { return []string{p.ItemID, p.HCPCS, p.From.String()} })
	return PricePage{Items: prices, NextPageToken: next}, err
}

// EndPrice sets or moves the last day of a price. Violations name
// "priceListId", "id", "effectiveTo" and "etag".
type EndPrice struct {
	ListID, ID, Etag string
	To               civil.Date
}

// EndPrice makes cmd.To the price's last day, under the list's lock, and
// records PriceChanged. A stale etag is ABORTED; an end before the start
// is INVALID_ARGUMENT; an end reaching into the next period of the item
// is PRICE_PERIOD_OVERLAP.
func (h PriceLists) EndPrice(ctx context.Context, cmd EndPrice) (*domain.Price, error) {
	if err := usecase.CheckID("priceListId", cmd.ListID); err != nil {
		return nil, err
	}
	now := h.s.Now.Stamp()
	// others are the list's prices of the item and code, read by the store
	// under the list's lock just before the change is applied.
	var others []domain.Price
	return usecase.Apply(ctx, h.s.UnitOfWork, h.s.Events, usecase.Update[*domain.Price]{
		IDField: "id", ID: cmd.ID, Etag: cmd.Etag,
		Version: func(p *domain.Price) int64 { return p.Version },
		Store: func(ctx context.Context, id string, fn func(*domain.Price) error) (*domain.Price, error) {
			return h.s.Store.UpdatePrice(ctx, cmd.ListID, id, func(p *domain.Price, siblings []domain.Price) error {
				others = siblings
				return fn(p)
			})
		},
		Apply: func(p *domain.Price) error { return p.End(cmd.To, others, now) },
		Events: func(caller identity.Principal, p *domain.Price) []usecase.Event {
			return []usecase.Event{priceChanged(caller, p)}
		},
	})
}

// priceChanged is PriceChanged: p as it is now, added or with its end
// set or moved.
func priceChanged(caller identity.Principal, p *domain.Price) usecase.Event {
	return usecase.Event{Type: EventPriceChanged, CompanyID: p.CompanyID, ResourceID: p.ID,
		Payload: &ordersv1.PriceChanged{CompanyId: p.CompanyID, PriceId: p.ID, ActorId: caller.Subject,
			OccurTime: timestamp(p.UpdateTime), PriceListId: p.ListID, ItemId: p.ItemID, Hcpcs: p.HCPCS,
			EffectiveFrom: protoconv.DateProto(p.From), EffectiveTo: protoconv.DateProto(p.To)}}
}
