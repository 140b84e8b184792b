package domain

import (
	"fmt"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Money is an amount in integer cents of one currency.
type Money struct {
	Cents    int64
	Currency string
}

// Price is what one item (by HCPCS) is billed and allowed on one price list
// during a period: for a purchase, and per month for a rental. A list has
// at most one price in force for an item on any day.
type Price struct {
	ID        string
	CompanyID string
	ListID    string
	ItemID    string
	HCPCS     string
	// Billable is what the supplier charges; Allowable what the payer
	// allows (the fee schedule amount).
	PurchaseBillable, PurchaseAllowable Money
	RentalBillable, RentalAllowable     Money
	// From is the first day in force; To the last, inclusive, or zero for
	// no end yet.
	From, To civil.Date
	// Version increases by one with every change (an end set or moved);
	// the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// PriceValues are what a price is created with.
type PriceValues struct {
	ItemID string
	HCPCS  string
	// An amount's empty currency is USD.
	PurchaseBillable, PurchaseAllowable Money
	RentalBillable, RentalAllowable     Money
	From, To                            civil.Date
}

// NewPrice returns price id of company on list listID built from v,
// created at now, its HCPCS code normalized and its currencies USD. It
// checks the price's own values (violations on "itemId", "hcpcs" and those
// of CheckPrice); whether its period overlaps another's is for CheckPrice
// with the list's prices.
func NewPrice(id, companyID, listID string, v PriceValues, now time.Time) (*Price, error) {
	p := &Price{
		ID: id, CompanyID: companyID, ListID: listID, ItemID: v.ItemID,
		PurchaseBillable: usd(v.PurchaseBillable), PurchaseAllowable: usd(v.PurchaseAllowable),
		RentalBillable: usd(v.RentalBillable), RentalAllowable: usd(v.RentalAllowable),
		From: v.From, To: v.To, Version: 1, CreateTime: now, UpdateTime: now,
	}
	var viol errs.Violations
	if v.ItemID == "" {
		viol.Add("itemId", PriceItemRequired)
	}
	if code, ok := usformat.NormalizeHCPCS(v.HCPCS); ok {
		p.HCPCS = code
	} else {
		viol.Add("hcpcs", LineHCPCSInvalid)
	}
	viol.Merge("", CheckPrice(*p, nil))
	if err := viol.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// usd is m with an empty currency read as USD.
func usd(m Money) Money {
	if m.Currency == "" {
		m.Currency = "USD"
	}
	return m
}

// End makes to the last day of p at now: the end of a period that had
// none, or an end moved. Moving an end earlier frees days; moving it later
// may reach a following period of the item, so others (the list's prices
// of the item and code) are checked as for a new price. Violations name
// "effectiveTo"; nothing changes on an error.
func (p *Price) End(to civil.Date, others []Price, now time.Time) error {
	if to.IsZero() || !to.IsValid() {
		return errs.Invalid(errs.FieldViolation{Field: "effectiveTo", Description: DateInvalid})
	}
	next := *p
	next.To = to
	if err := CheckPrice(next, others); err != nil {
		return err
	}
	next.UpdateTime = now
	*p = next
	return nil
}

// InForceOn reports whether p applies on day d.
func (p Price) InForceOn(d civil.Date) bool {
	return !d.Before(p.From) && (p.To.IsZero() || !d.After(p.To))
}

// overlaps reports whether p and q price the same item on the same list on
// a common day.
func (p Price) overlaps(q Price) bool {
	if p.ListID != q.ListID || p.ItemID != q.ItemID || p.HCPCS != q.HCPCS {
		return false
	}
	pEndsBefore := !p.To.IsZero() && p.To.Before(q.From)
	qEndsBefore := !q.To.IsZero() && q.To.Before(p.From)
	return !pEndsBefore && !qEndsBefore
}

// PriceInForce returns, of prices, the one that applies on day d to item
// and hcpcs; ok is false when none does.
func PriceInForce(prices []Price, itemID, hcpcs string, d civil.Date) (Price, bool) {
	for _, p := range prices {
		if p.ItemID == itemID && p.HCPCS == hcpcs && p.InForceOn(d) {
			return p, true
		}
	}
	return Price{}, false
}

// ReasonPricePeriodOverlap refuses a price whose period overlaps another
// of the same item on the same list.
const ReasonPricePeriodOverlap = "PRICE_PERIOD_OVERLAP"

// MaxPriceCents bounds every amount of a price: $1,000,000.
const MaxPriceCents = 100_000_000

// Field violation descriptions of a price.
const (
	PriceToBeforeFrom   = "must not be before effectiveFrom"
	PriceAmountNegative = "must not be negative"
	PriceAmountTooLarge = "must be at most 100000000 cents ($1,000,000)"
	PriceCurrency       = "must be USD"
	PriceItemRequired   = "must name the item"
)

// CheckPrice checks p's own values (violations on "effectiveFrom",
// "effectiveTo" and the amounts' "<name>.amountCents" and
// "<name>.currencyCode"), then refuses it when its period overlaps one of
// others (FAILED_PRECONDITION PRICE_PERIOD_OVERLAP, naming both prices).
// others may include p itself (an update): it is skipped by id.
func CheckPrice(p Price, others []Price) error {
	var viol errs.Violations
	if !p.From.IsValid() {
		viol.Add("effectiveFrom", DateInvalid)
	}
	if !p.To.IsZero() && (!p.To.IsValid() || p.To.Before(p.From)) {
		viol.Add("effectiveTo", PriceToBeforeFrom)
	}
	for _, a := range []struct {
		field string
		m     Money
	}{
		{"purchaseBillable", p.PurchaseBillable}, {"purchaseAllowable", p.PurchaseAllowable},
		{"rentalBillable", p.RentalBillable}, {"rentalAllowable", p.RentalAllowable},
	} {
		switch {
		case a.m.Cents < 0:
			viol.Add(a.field+".amountCents", PriceAmountNegative)
		case a.m.Cents > MaxPriceCents:
			viol.Add(a.field+".amountCents", PriceAmountTooLarge)
		}
		if a.m.Currency != "" && a.m.Currency != "USD" {
			viol.Add(a.field+".currencyCode", PriceCurrency)
		}
	}
	if err := viol.Err(); err != nil {
		return err
	}
	for _, q := range others {
		if q.ID != p.ID && p.overlaps(q) {
			return errs.Unmet(ReasonPricePeriodOverlap,
				fmt.Sprintf("the price from %s overlaps price %s (from %s) of the same item on this list", p.From, q.ID, q.From),
				errs.PreconditionViolation{Type: "PRICE_PERIOD", Subject: q.ID,
					Description: "overlaps the period of the new price"}).
				With("price_id", p.ID).With("overlapping_price_id", q.ID)
		}
	}
	return nil
}
