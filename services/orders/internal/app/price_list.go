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
}

// PriceLists are the price list commands and queries.
type PriceLists struct{ s *supplier }
