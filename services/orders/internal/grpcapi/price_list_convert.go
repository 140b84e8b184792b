package grpcapi

import (
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

func priceListToProto(l *domain.PriceList) *ordersv1.PriceList {
	return &ordersv1.PriceList{Id: l.ID, Name: l.Name, PayerId: l.PayerID, DefaultList: l.Default(),
		CreateTime: protoconv.Time(l.CreateTime)}
}

func priceToProto(p *domain.Price) *ordersv1.Price {
	return &ordersv1.Price{
		Id: p.ID, PriceListId: p.ListID, ItemId: p.ItemID, Hcpcs: p.HCPCS,
		PurchaseBillable: money(p.PurchaseBillable), PurchaseAllowable: money(p.PurchaseAllowable),
		RentalBillable: money(p.RentalBillable), RentalAllowable: money(p.RentalAllowable),
		EffectiveFrom: protoconv.DateProto(p.From), EffectiveTo: protoconv.DateProto(p.To),
		CreateTime: protoconv.Time(p.CreateTime), Etag: etag.FromVersion(p.Version),
	}
}

// moneyOf reads an amount; unset is zero, in the currency the domain
// takes for empty.
func moneyOf(m *commonv1.Money) domain.Money {
	return domain.Money{Cents: m.GetAmountCents(), Currency: m.GetCurrencyCode()}
}
