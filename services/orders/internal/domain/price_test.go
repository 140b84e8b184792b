package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
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

func TestNewPrice(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	valid := func() domain.PriceValues {
		return domain.PriceValues{ItemID: "cpap", HCPCS: " e0601 ", From: day(2026, 1, 1), To: day(2026, 12, 31),
			RentalBillable: domain.Money{Cents: 12000}, RentalAllowable: domain.Money{Cents: 9861, Currency: "USD"},
			PurchaseBillable: domain.Money{Cents: domain.MaxPriceCents}}
	}
	tests := []struct {
		name   string
		change func(*domain.PriceValues)
		want   []string
	}{
		{"valid", func(*domain.PriceValues) {}, nil},
		{"open-ended", func(v *domain.PriceValues) { v.To = civil.Date{} }, nil},
		{"one day", func(v *domain.PriceValues) { v.To = v.From }, nil},
		{"all amounts zero", func(v *domain.PriceValues) {
			v.PurchaseBillable, v.RentalBillable, v.RentalAllowable = domain.Money{}, domain.Money{}, domain.Money{}
		}, nil},
		{"no item", func(v *domain.PriceValues) { v.ItemID = "" }, []string{"itemId"}},
		{"a CPT code", func(v *domain.PriceValues) { v.HCPCS = "94660" }, []string{"hcpcs"}},
		{"no code", func(v *domain.PriceValues) { v.HCPCS = "" }, []string{"hcpcs"}},
		{"a code past V", func(v *domain.PriceValues) { v.HCPCS = "W0601" }, []string{"hcpcs"}},
		{"ends before it starts", func(v *domain.PriceValues) { v.To = day(2025, 12, 31) }, []string{"effectiveTo"}},
		{"no start", func(v *domain.PriceValues) { v.From = civil.Date{} }, []string{"effectiveFrom"}},
		{"February 30", func(v *domain.PriceValues) { v.From = day(2026, 2, 30) }, []string{"effectiveFrom"}},
		{"over a million dollars", func(v *domain.PriceValues) { v.PurchaseBillable.Cents = domain.MaxPriceCents + 1 },
			[]string{"purchaseBillable.amountCents"}},
		{"a negative allowable", func(v *domain.PriceValues) { v.RentalAllowable.Cents = -1 }, []string{"rentalAllowable.amountCents"}},
		{"euros", func(v *domain.PriceValues) { v.PurchaseAllowable = domain.Money{Cents: 100, Currency: "EUR"} },
			[]string{"purchaseAllowable.currencyCode"}},
		{"everything wrong at once", func(v *domain.PriceValues) {
			v.ItemID, v.HCPCS, v.From, v.RentalBillable.Cents = "", "x", civil.Date{}, -5
		}, []string{"itemId", "hcpcs", "effectiveFrom", "rentalBillable.amountCents"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := valid()
			tt.change(&v)
			p, err := domain.NewPrice("p1", "c1", "l1", v, now)
			if diff := cmp.Diff(tt.want, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if p.HCPCS != "E0601" || p.ListID != "l1" || p.CompanyID != "c1" || p.Version != 1 || !p.CreateTime.Equal(now) {
				t.Errorf("NewPrice = %+v", p)
			}
			for _, m := range []domain.Money{p.PurchaseBillable, p.PurchaseAllowable, p.RentalBillable, p.RentalAllowable} {
				if m.Currency != "USD" {
					t.Errorf("currency %q, want USD", m.Currency)
				}
			}
		})
	}
}

// TestEndPrice: an end moved earlier never overlaps; one set or moved
// later may reach the next period, and is refused naming it.
func TestEndPrice(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	open := price("open", day(2026, 1, 1), civil.Date{})
	closed := price("closed", day(2026, 1, 1), day(2026, 6, 30))
	next := price("next", day(2026, 7, 1), civil.Date{})
	tests := []struct {
		name        string
		p           domain.Price
		to          civil.Date
		others      []domain.Price
		wantFields  []string
		wantOverlap string
	}{
		{"an open price ends", open, day(2026, 6, 30), []domain.Price{open}, nil, ""},
		{"an open price ends on its first day", open, day(2026, 1, 1), nil, nil, ""},
		{"an end moved earlier", closed, day(2026, 3, 31), []domain.Price{closed, next}, nil, ""},
		{"an end moved later, before the next period", closed, day(2026, 6, 30), []domain.Price{closed, next}, nil, ""},
		{"an end moved later, into the next period", closed, day(2026, 7, 1), []domain.Price{closed, next}, nil, "next"},
		{"an open price ended after the next one starts", open, day(2026, 12, 31), []domain.Price{open, next}, nil, "next"},
		{"an end before the start", closed, day(2025, 12, 31), nil, []string{"effectiveTo"}, ""},
		{"no end", closed, civil.Date{}, nil, []string{"effectiveTo"}, ""},
		{"an impossible end", closed, day(2026, 4, 31), nil, []string{"effectiveTo"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			err := p.End(tt.to, tt.others, now)
			switch {
			case tt.wantFields != nil:
				if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
					t.Errorf("violations (-want +got):\n%s", diff)
				}
			case tt.wantOverlap != "":
				errstest.Check(t, err, false, errs.KindFailedPrecondition, domain.ReasonPricePeriodOverlap)
				if e := err.(*errs.Error); e.Metadata["overlapping_price_id"] != tt.wantOverlap || e.Metadata["price_id"] != tt.p.ID {
					t.Errorf("overlap metadata = %v", e.Metadata)
				}
			default:
				errstest.Check(t, err, true, 0, "")
				if p.To != tt.to || !p.UpdateTime.Equal(now) {
					t.Errorf("after End: to %s, update time %v", p.To, p.UpdateTime)
				}
				return
			}
			if diff := cmp.Diff(tt.p, p); diff != "" {
				t.Errorf("a refused End changed the price (-before +after):\n%s", diff)
			}
		})
	}
}
