package domain

import (
	"fmt"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
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
	ID     string
	ListID string
	ItemID string
	HCPCS  string
	// Billable is what the supplier charges; Allowable what the payer
	// allows (the fee schedule amount).
	PurchaseBillable, PurchaseAllowable Money
	RentalBillable, RentalAllowable     Money
	// From is the first day in force; To the last, inclusive, or zero for
	// no end yet.
	From, To civil.Date
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

// Field violation descriptions of a price.
const (
	PriceToBeforeFrom   = "must not be before effectiveFrom"
	PriceAmountNegative = "must not be negative"
	PriceCurrency       = "must be USD"
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
		if a.m.Cents < 0 {
			viol.Add(a.field+".amountCents", PriceAmountNegative)
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
