package grpcapi

import (
	"context"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// Price lists and prices carry no PHI: the audit interceptor's record of
// each call, naming the ids of its request and response, is their whole
// trail.

// GetPriceList returns one price list.
func (s *PriceListServer) GetPriceList(ctx context.Context, req *ordersv1.GetPriceListRequest) (*ordersv1.PriceList, error) {
	return priceListReply(s.app.PriceLists.Get(ctx, req.GetId()))
}

// ListPriceLists returns one page of price lists, the default first.
func (s *PriceListServer) ListPriceLists(ctx context.Context, req *ordersv1.ListPriceListsRequest) (*ordersv1.ListPriceListsResponse, error) {
	page, err := s.app.PriceLists.List(ctx, app.ListPriceLists{PageSize: req.GetPageSize(), PageToken: req.GetPageToken()})
	if err != nil {
		return nil, err
	}
	return &ordersv1.ListPriceListsResponse{PriceLists: protoconv.Map(page.Items, priceListToProto), NextPageToken: page.NextPageToken}, nil
}

// CreatePriceList adds the default list or a payer's; output-only fields
// are ignored.
func (s *PriceListServer) CreatePriceList(ctx context.Context, req *ordersv1.CreatePriceListRequest) (*ordersv1.PriceList, error) {
	l := req.GetPriceList()
	return priceListReply(s.app.PriceLists.Create(ctx, app.CreatePriceList{
		Values: domain.PriceListValues{Name: l.GetName(), PayerID: l.GetPayerId()}, RequestID: req.GetRequestId(),
	}))
}

// CreatePrice adds a price to a list; output-only fields are ignored.
func (s *PriceListServer) CreatePrice(ctx context.Context, req *ordersv1.CreatePriceRequest) (*ordersv1.Price, error) {
	p := req.GetPrice()
	return priceReply(s.app.PriceLists.CreatePrice(ctx, app.CreatePrice{
		ListID: req.GetPriceListId(), RequestID: req.GetRequestId(),
		Values: domain.PriceValues{
			ItemID: p.GetItemId(), HCPCS: p.GetHcpcs(),
			PurchaseBillable: moneyOf(p.GetPurchaseBillable()), PurchaseAllowable: moneyOf(p.GetPurchaseAllowable()),
			RentalBillable: moneyOf(p.GetRentalBillable()), RentalAllowable: moneyOf(p.GetRentalAllowable()),
			From: protoconv.Date(p.GetEffectiveFrom()), To: protoconv.Date(p.GetEffectiveTo()),
		},
	}))
}

// ListPrices returns one page of a list's prices.
func (s *PriceListServer) ListPrices(ctx context.Context, req *ordersv1.ListPricesRequest) (*ordersv1.ListPricesResponse, error) {
	page, err := s.app.PriceLists.ListPrices(ctx, app.ListPrices{
		ListID: req.GetPriceListId(), PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
		ItemID: req.GetItemId(), InForceOn: protoconv.Date(req.GetInForceOn()),
	})
	if err != nil {
		return nil, err
	}
	return &ordersv1.ListPricesResponse{Prices: protoconv.Map(page.Items, priceToProto), NextPageToken: page.NextPageToken}, nil
}

// EndPrice sets or moves the last day of a price.
func (s *PriceListServer) EndPrice(ctx context.Context, req *ordersv1.EndPriceRequest) (*ordersv1.Price, error) {
	return priceReply(s.app.PriceLists.EndPrice(ctx, app.EndPrice{
		ListID: req.GetPriceListId(), ID: req.GetId(), Etag: req.GetEtag(), To: protoconv.Date(req.GetEffectiveTo()),
	}))
}

// priceListReply renders the list a use case returned, or passes its
// error on unchanged.
func priceListReply(l *domain.PriceList, err error) (*ordersv1.PriceList, error) {
	if err != nil {
		return nil, err
	}
	return priceListToProto(l), nil
}

// priceReply renders the price a use case returned, or passes its error
// on unchanged.
func priceReply(p *domain.Price, err error) (*ordersv1.Price, error) {
	if err != nil {
		return nil, err
	}
	return priceToProto(p), nil
}
