package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

func day(y int, m time.Month, d int) civil.Date { return civil.Date{Year: y, Month: m, Day: d} }

func price(id string, from, to civil.Date) domain.Price {
	return domain.Price{ID: id, ListID: "medicare", ItemID: "cpap", HCPCS: "E0601", From: from, To: to,
		RentalBillable: domain.Money{Cents: 12000, Currency: "USD"}}
}

// TestPriceInForceAtPeriodBoundaries: a period's first and last day are in
// it; the day after the last belongs to the next period; an open period
// runs on.
func TestPriceInForceAtPeriodBoundaries(t *testing.T) {
	prices := []domain.Price{
		price("2026", day(2026, 1, 1), day(2026, 12, 31)),
		price("2027", day(2027, 1, 1), civil.Date{}),
	}
	tests := []struct {
		on   civil.Date
		want string // "" for none
	}{
		{day(2025, 12, 31), ""},
		{day(2026, 1, 1), "2026"},
		{day(2026, 6, 15), "2026"},
		{day(2026, 12, 31), "2026"},
		{day(2027, 1, 1), "2027"},
		{day(2031, 2, 28), "2027"},
	}
	for _, tt := range tests {
		got, ok := domain.PriceInForce(prices, "cpap", "E0601", tt.on)
		if (tt.want == "") == ok || (ok && got.ID != tt.want) {
			t.Errorf("on %s: %q, %v; want %q", tt.on, got.ID, ok, tt.want)
		}
	}
	if _, ok := domain.PriceInForce(prices, "cpap", "E0562", day(2026, 6, 1)); ok {
		t.Error("a price for another HCPCS applied")
	}
}

func TestCheckPrice(t *testing.T) {
	existing := []domain.Price{price("2026", day(2026, 1, 1), day(2026, 12, 31))}
	tests := []struct {
		name        string
		p           domain.Price
		wantFields  []string
		wantOverlap bool
	}{
		{"the next year, adjacent", price("2027", day(2027, 1, 1), civil.Date{}), nil, false},
		{"the year before, adjacent", price("2025", day(2025, 1, 1), day(2025, 12, 31)), nil, false},
		{"starting on the last day", price("x", day(2026, 12, 31), civil.Date{}), nil, true},
		{"ending on the first day", price("x", day(2025, 6, 1), day(2026, 1, 1)), nil, true},
		{"open-ended from before", price("x", day(2020, 1, 1), civil.Date{}), nil, true},
		{"the same price updated", price("2026", day(2026, 2, 1), day(2026, 12, 31)), nil, false},
		{"another list", func() domain.Price { p := price("x", day(2026, 1, 1), civil.Date{}); p.ListID = "default"; return p }(), nil, false},
		{"dates reversed", price("x", day(2028, 2, 1), day(2028, 1, 31)), []string{"effectiveTo"}, false},
		{"no start", price("x", civil.Date{}, civil.Date{}), []string{"effectiveFrom"}, false},
		{"negative amount", func() domain.Price {
			p := price("x", day(2028, 1, 1), civil.Date{})
			p.PurchaseAllowable = domain.Money{Cents: -1, Currency: "EUR"}
			return p
		}(), []string{"purchaseAllowable.amountCents", "purchaseAllowable.currencyCode"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.CheckPrice(tt.p, existing)
			var e *errs.Error
			isErr := errors.As(err, &e)
			switch {
			case tt.wantFields != nil:
				var got []string
				if isErr && e.Kind == errs.KindInvalid {
					for _, f := range e.Fields {
						got = append(got, f.Field)
					}
				}
				if diff := cmp.Diff(tt.wantFields, got); diff != "" {
					t.Errorf("violations (-want +got):\n%s", diff)
				}
			case tt.wantOverlap:
				if !isErr || e.Reason != domain.ReasonPricePeriodOverlap || e.Metadata["price_id"] != tt.p.ID || e.Metadata["overlapping_price_id"] != "2026" {
					t.Errorf("CheckPrice = %v; want PRICE_PERIOD_OVERLAP naming %s and 2026", err, tt.p.ID)
				}
			case err != nil:
				t.Errorf("CheckPrice = %v, want nil", err)
			}
		})
	}
}
