package domain

import (
	"slices"

	"github.com/ariesone/ariesone/platform/civil"
)

// Rental billing follows Medicare's payment categories for rented
// equipment:
//
//   - capped rental (42 CFR 414.229): months 1 to 13, each with RR and
//     KH (month 1), KI (2-3) or KJ (4-13); months 4 to 13 are paid at 75%
//     of months 1 to 3 (7.5% of the purchase price instead of 10%). The
//     day after month 13 ends, title passes to the patient and the rental
//     closes;
//   - rent to purchase (inexpensive or routinely purchased items): months
//     1 to 10 with RR; the tenth payment completes the purchase, so title
//     passes to the patient when month 10 starts and nothing is billed
//     after it;
//   - oxygen equipment (42 CFR 414.226): 36 paid months within a 60-month
//     reasonable useful lifetime. Months 37 to 60 bill nothing (the
//     supplier still owes the equipment and its service); when month 61
//     would start the rental closes, and a new period needs a new order;
//   - monthly rental: RR every month until pickup.
//
// Every month is billed in advance, on its first day (the anniversary).
// A pickup ends billing: a month is billed only when it started before the
// pickup date (the equipment was with the patient when the month's
// payment fell due), and month 1 always, since the date of service is a
// day of use. A month that starts on the pickup date is not billed.

// RentalCloseReason says why the rules, rather than a pickup, ended a
// rental.
type RentalCloseReason string

// Rental close reasons.
const (
	// CloseCappedRentalPaid: the 13 months of a capped rental are paid;
	// title passes to the patient.
	CloseCappedRentalPaid RentalCloseReason = "capped_rental_paid"
	// ClosePurchased: a rent-to-purchase line reached month 10 and
	// converted to a purchase; title passes to the patient.
	ClosePurchased RentalCloseReason = "purchased"
	// CloseUsefulLifetimeEnded: an oxygen rental's 60 months are over;
	// the supplier keeps the equipment, a new period needs a new order.
	CloseUsefulLifetimeEnded RentalCloseReason = "useful_lifetime_ended"
)

// TitleToPatient reports whether a rental closed for r leaves the
// equipment the patient's.
func (r RentalCloseReason) TitleToPatient() bool {
	return r == CloseCappedRentalPaid || r == ClosePurchased
}

// rentalTerms is one rental type's category: how many months are paid,
// at the start of which month the rental closes, and why.
type rentalTerms struct {
	paidMonths int
	// closesAt is the month at whose start the rental closes; 0 never.
	closesAt int
	reason   RentalCloseReason
}

// Months of the payment categories.
const (
	CappedRentalMonths   = 13
	RentToPurchaseMonths = 10
	OxygenPaidMonths     = 36
	OxygenLifetimeMonths = 60
	// ReducedFromMonth is the first capped-rental month paid at the
	// reduced rate.
	ReducedFromMonth = 4
)

var termsOf = map[LineType]rentalTerms{
	LineCappedRental:   {paidMonths: CappedRentalMonths, closesAt: CappedRentalMonths + 1, reason: CloseCappedRentalPaid},
	LineRentToPurchase: {paidMonths: RentToPurchaseMonths, closesAt: RentToPurchaseMonths, reason: ClosePurchased},
	LineOxygenRental:   {paidMonths: OxygenPaidMonths, closesAt: OxygenLifetimeMonths + 1, reason: CloseUsefulLifetimeEnded},
	LineMonthlyRental:  {paidMonths: -1},
}

// Modifiers a rental's claim sets itself; a line's own copies of them are
// dropped so that each appears once, in its place.
const (
	ModRental      = "RR"
	ModCappedFirst = "KH"
	ModCappedNext  = "KI"
	ModCappedLater = "KJ"
	ModNew         = "NU"
	ModUsed        = "UE"
)

// billingModifiers are the modifiers a rental's claim decides; the line's
// own informational ones (KX, a flow-rate modifier) follow them.
var billingModifiers = []string{ModRental, ModCappedFirst, ModCappedNext, ModCappedLater, ModNew, ModUsed}

// MonthCharge is what one billing month of a rental produces: a claim with
// its modifiers and amounts, or nothing (an oxygen month past the 36th).
type MonthCharge struct {
	// Period's Month is the month counted across a continued rental.
	Period RentalPeriod
	Claim  bool
	// Modifiers are in claim order: pricing first, then the line's own.
	Modifiers []string
	// Charge is the supplier's billable amount, Expected the payer's
	// allowable, both for the line's quantity.
	Charge, Expected Money
}

// RentalClose is the end of a rental by its rules.
type RentalClose struct {
	// On is the first day the rental no longer runs.
	On     civil.Date
	Month  int
	Reason RentalCloseReason
}

// RentalLine is what billing needs of a delivered rental line.
type RentalLine struct {
	Type LineType
	// DateOfService anchors the line's months.
	DateOfService civil.Date
	// PriorMonths are the months counted on the earlier line this one
	// continues (continuous use): this line's month k is month
	// PriorMonths+k.
	PriorMonths int
	// Decided is how many of this line's months were decided already.
	Decided int
	// PickupDate ends the rental; zero while the equipment is out.
	PickupDate civil.Date
	// Modifiers are the line's own; Billable and Allowable the monthly
	// amounts per unit; Quantity the units.
	Modifiers           []string
	Billable, Allowable Money
	Quantity            int32
}

// RentalBilling is what a billing run decides for one rental line as of a
// day.
type RentalBilling struct {
	// Months are the line's months decided now, in order.
	Months []MonthCharge
	// Decided is how many of the line's months are decided after this.
	Decided int
	// Close is set when the rules end the rental now.
	Close *RentalClose
	// NextDue is the first day of the next month to decide; zero when the
	// rental will bill nothing more (picked up and settled, or closed).
	NextDue civil.Date
}

// BillRental decides every month of r that has started by asOf and was not
// decided before: claims by r's payment category, the close its rules
// reach, and when to look at it next. It decides nothing twice: a second
// call with the result's Decided returns no months.
func BillRental(r RentalLine, asOf civil.Date) RentalBilling {
	terms, ok := termsOf[r.Type]
	if !ok || !r.DateOfService.IsValid() {
		return RentalBilling{Decided: r.Decided}
	}
	last := RentalMonthOn(r.DateOfService, asOf)
	// billable is the last month a pickup leaves billable; -1 while out.
	billable := -1
	if !r.PickupDate.IsZero() {
		billable = max(1, RentalMonthOn(r.DateOfService, r.PickupDate.AddDays(-1)))
		last = min(last, billable)
	}
	out := RentalBilling{Decided: r.Decided}
	for k := r.Decided + 1; k <= last; k++ {
		month := r.PriorMonths + k
		period, _ := RentalMonth(r.DateOfService, k) // valid date, k >= 1
		period.Month = month
		if terms.closesAt > 0 && month >= terms.closesAt {
			out.Close = &RentalClose{On: period.From, Month: month, Reason: terms.reason}
			if month == terms.closesAt && month <= terms.paidMonths {
				out.Months = append(out.Months, monthCharge(r, period))
				out.Decided = k
			}
			return out
		}
		if terms.paidMonths < 0 || month <= terms.paidMonths {
			out.Months = append(out.Months, monthCharge(r, period))
		} else {
			out.Months = append(out.Months, MonthCharge{Period: period})
		}
		out.Decided = k
	}
	if billable >= 0 && out.Decided >= billable {
		return out
	}
	out.NextDue = r.DateOfService.AddMonths(out.Decided)
	return out
}

// monthCharge is the claim of a paid month.
func monthCharge(r RentalLine, p RentalPeriod) MonthCharge {
	mods := []string{ModRental}
	expected := r.Allowable.Cents
	if r.Type == LineCappedRental {
		switch {
		case p.Month == 1:
			mods = append(mods, ModCappedFirst)
		case p.Month < ReducedFromMonth:
			mods = append(mods, ModCappedNext)
		default:
			mods = append(mods, ModCappedLater)
			expected = (expected*3 + 2) / 4 // 75%, half a cent up
		}
	}
	for _, m := range r.Modifiers {
		if len(mods) < MaxModifiers && !slices.Contains(billingModifiers, m) && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	qty := int64(max(r.Quantity, 1))
	return MonthCharge{Period: p, Claim: true, Modifiers: mods,
		Charge:   Money{Cents: r.Billable.Cents * qty, Currency: r.Billable.Currency},
		Expected: Money{Cents: expected * qty, Currency: r.Allowable.Currency}}
}

// MaxModifiers is how many modifiers a claim line carries.
const MaxModifiers = 4

// MaxBreakInNeedDays is the longest break in need after which a rental
// continues its month count (42 CFR 414.230: a break of more than 60 days
// starts a new period).
const MaxBreakInNeedDays = 60

// breakReasons are the pickups that are a break in need: the patient
// stopped needing the equipment for a while (or went into hospice, which
// supplies it meanwhile), or the unit was swapped. A death, a switch to
// another supplier or an unpaid rental ends it for good.
var breakReasons = []PickupReason{PickupEndOfNeed, PickupHospice, PickupExchange}

// ContinuesRental reports whether a rental picked up on pickup for reason
// and delivered again on redelivery continues its month count (true) or
// starts a new period: the reason must be a break in need and the break,
// the days from pickup to redelivery, at most 60.
func ContinuesRental(reason PickupReason, pickup, redelivery civil.Date) bool {
	if !slices.Contains(breakReasons, reason) || redelivery.Before(pickup) {
		return false
	}
	return pickup.DaysUntil(redelivery) <= MaxBreakInNeedDays
}
