package app

import (
	"context"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
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
