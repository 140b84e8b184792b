package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Recurring supplies (CPAP masks, cushions, filters, tubing) ship again and
// again, each only when the patient still needs it and the current supply
// is about to run out. CMS's refill rule: the supplier contacts the patient
// no sooner than 30 days before the supply on hand runs out, and delivers
// no sooner than 10 days before. A payer may set other windows.

// SupplyUsage is how much of a supply a patient uses: Quantity units every
// IntervalMonths months.
type SupplyUsage struct {
	Description    string
	Quantity       int32
	IntervalMonths int
}

// UsualSupplies are the usual replacement quantities and intervals of the
// PAP supplies (Medicare's usual maximums), by HCPCS code. A schedule item
// without its own quantity and interval takes these.
var UsualSupplies = map[string]SupplyUsage{
	"A7030": {"Full face mask", 1, 3},
	"A7031": {"Full face mask cushion", 1, 1},
	"A7032": {"Nasal mask cushion", 2, 1},
	"A7033": {"Nasal pillows", 2, 1},
	"A7034": {"Nasal mask", 1, 3},
	"A7035": {"Headgear", 1, 6},
	"A7036": {"Chinstrap", 1, 6},
	"A7037": {"Tubing", 1, 3},
	"A4604": {"Heated tubing", 1, 3},
	"A7038": {"Disposable filter", 2, 1},
	"A7039": {"Non-disposable filter", 1, 6},
	"A7046": {"Humidifier water chamber", 1, 6},
}

// ResupplyWindow is a payer's refill rule: contact no sooner than
// ContactDays before the supply runs out (and a confirmation at most that
// old when the supply ships); ship no sooner than ShipLeadDays before.
type ResupplyWindow struct {
	ContactDays  int
	ShipLeadDays int
}

// DefaultResupplyWindow is CMS's.
var DefaultResupplyWindow = ResupplyWindow{ContactDays: 30, ShipLeadDays: 10}

// Bounds of a resupply window.
const (
	MaxContactDays  = 90
	MaxShipLeadDays = 30
)

// CheckResupplyWindow refuses a window outside its bounds, naming
// "contactDays" and "shipLeadDays".
func CheckResupplyWindow(w ResupplyWindow) error {
	var v errs.Violations
	if w.ContactDays < 1 || w.ContactDays > MaxContactDays {
		v.Addf("contactDays", "must be between 1 and %d", MaxContactDays)
	}
	if w.ShipLeadDays < 0 || w.ShipLeadDays > MaxShipLeadDays {
		v.Addf("shipLeadDays", "must be between 0 and %d", MaxShipLeadDays)
	}
	if w.ShipLeadDays > w.ContactDays {
		v.Add("shipLeadDays", "must not be more than contactDays: a supply ships after the patient confirms")
	}
	return v.Err()
}

// ContactFrom is the first day the patient may be contacted about an item
// whose supply runs out on runsOut.
func (w ResupplyWindow) ContactFrom(runsOut civil.Date) civil.Date {
	return runsOut.AddDays(-w.ContactDays)
}

// ShipFrom is the first day an item whose supply runs out on runsOut may
// ship.
func (w ResupplyWindow) ShipFrom(runsOut civil.Date) civil.Date {
	return runsOut.AddDays(-w.ShipLeadDays)
}

// ResupplyItem is one supply on a schedule.
type ResupplyItem struct {
	HCPCS string
	// ItemID is serials' item shipped, when named.
	ItemID         string
	Quantity       int32
	IntervalMonths int
	// SuppliedThrough is the day the supply on hand runs out.
	SuppliedThrough civil.Date
}

// Resupply schedule statuses.
const (
	ResupplyActive = "active"
	ResupplyEnded  = "ended"
)

// ResupplySchedule is a patient's recurring supplies, filled from a branch
// and billed to a payer whose window applies.
type ResupplySchedule struct {
	ID, CompanyID string
	PatientID     string
	BranchID      string
	// PayerID is the payer whose window applies; "" for the defaults.
	PayerID string
	// OrderID is the order whose recurring supply lines the shipments
	// bill; "" when they are billed elsewhere.
	OrderID string
	Items   []ResupplyItem
	// DueFrom is the next-contact day as stored when the schedule was
	// last written (the due list's key); zero on a schedule not yet
	// stored.
	DueFrom    civil.Date
	Status     string
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// NextContact is the first day the schedule has an item to ask the
// patient about under w: the earliest of its items' contact days.
func (s *ResupplySchedule) NextContact(w ResupplyWindow) civil.Date {
	var first civil.Date
	for _, it := range s.Items {
		if c := w.ContactFrom(it.SuppliedThrough); first.IsZero() || c.Before(first) {
			first = c
		}
	}
	return first
}

// Item returns the schedule's item of code hcpcs.
func (s *ResupplySchedule) Item(hcpcs string) (*ResupplyItem, bool) {
	for i := range s.Items {
		if s.Items[i].HCPCS == hcpcs {
			return &s.Items[i], true
		}
	}
	return nil, false
}

// Bounds of a schedule.
const (
	MaxResupplyItems    = 12
	MaxIntervalMonths   = 12
	MaxResupplyQuantity = 99
)

// CheckResupplyItems checks a schedule's items and fills a missing
// quantity and interval from UsualSupplies. Violations name
// "items[i].hcpcs|quantity|intervalMonths|suppliedThrough" and "items".
func CheckResupplyItems(items []ResupplyItem) ([]ResupplyItem, error) {
	var v errs.Violations
	if len(items) < 1 || len(items) > MaxResupplyItems {
		v.Addf("items", "must hold 1 to %d supplies", MaxResupplyItems)
	}
	out := make([]ResupplyItem, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		f := fmt.Sprintf("items[%d]", i)
		code, ok := usformat.NormalizeHCPCS(it.HCPCS)
		switch {
		case !ok:
			v.Add(f+".hcpcs", LineHCPCSInvalid)
		case seen[code]:
			v.Add(f+".hcpcs", "repeats an earlier supply")
		}
		seen[code] = true
		it.HCPCS = code
		usual, known := UsualSupplies[code]
		if it.Quantity == 0 && known {
			it.Quantity = usual.Quantity
		}
		if it.IntervalMonths == 0 && known {
			it.IntervalMonths = usual.IntervalMonths
		}
		if it.Quantity < 1 || it.Quantity > MaxResupplyQuantity {
			v.Addf(f+".quantity", "must be between 1 and %d (or unset for a usual supply)", MaxResupplyQuantity)
		}
		if it.IntervalMonths < 1 || it.IntervalMonths > MaxIntervalMonths {
			v.Addf(f+".intervalMonths", "must be between 1 and %d (or unset for a usual supply)", MaxIntervalMonths)
		}
		if !it.SuppliedThrough.IsValid() {
			v.Add(f+".suppliedThrough", "must be the day the supply on hand runs out")
		}
		out[i] = it
	}
	return out, v.Err()
}

// checkSupply checks one supply named in a confirmation or a shipment
// (field "items[i]"): a code of the schedule, once (seen holds the codes
// named before), in a quantity up to the schedule's. It returns the code
// normalized.
func (s *ResupplySchedule) checkSupply(v *errs.Violations, field, hcpcs string, quantity int32, seen map[string]bool) string {
	code, _ := usformat.NormalizeHCPCS(hcpcs)
	scheduled, ok := s.Item(code)
	switch {
	case !ok:
		v.Add(field+".hcpcs", "must be a supply of the schedule")
	case seen[code]:
		v.Add(field+".hcpcs", "repeats an earlier supply")
	case quantity < 1 || quantity > scheduled.Quantity:
		v.Addf(field+".quantity", "must be between 1 and the schedule's %d", scheduled.Quantity)
	}
	seen[code] = true
	return code
}

// Confirmation channels: how the patient told the supplier what they
// still need.
var ConfirmationChannels = []string{"phone", "sms", "email", "portal", "in_person"}

// ConfirmedItem is a supply the patient still needs, and how many days of
// it they have left.
type ConfirmedItem struct {
	HCPCS         string
	Quantity      int32
	RemainingDays int32
}

// ResupplyConfirmation is the patient's answer, kept as evidence: the
// refill rule needs it before a supply ships.
type ResupplyConfirmation struct {
	ID, CompanyID, ScheduleID string
	Channel                   string
	ConfirmDate               civil.Date
	Items                     []ConfirmedItem
	ActorID                   string
	CreateTime                time.Time
}

// MaxRemainingDays bounds the days of supply a patient says they have.
const MaxRemainingDays = 365

// CheckConfirmation checks a confirmation of schedule s made on c's date
// (not after today). Violations name "channel", "confirmDate" and
// "items[i].hcpcs|quantity|remainingDays".
func CheckConfirmation(s *ResupplySchedule, c ResupplyConfirmation, today civil.Date) (ResupplyConfirmation, error) {
	var v errs.Violations
	c.Channel = strings.ToLower(strings.TrimSpace(c.Channel))
	if !slices.Contains(ConfirmationChannels, c.Channel) {
		v.Add("channel", "must be one of "+strings.Join(ConfirmationChannels, ", "))
	}
	switch {
	case !c.ConfirmDate.IsValid():
		v.Add("confirmDate", DateInvalid)
	case c.ConfirmDate.After(today):
		v.Add("confirmDate", "must not be after today")
	}
	if len(c.Items) == 0 {
		v.Add("items", "must name at least one supply the patient still needs")
	}
	seen := map[string]bool{}
	for i, it := range c.Items {
		f := fmt.Sprintf("items[%d]", i)
		c.Items[i].HCPCS = s.checkSupply(&v, f, it.HCPCS, it.Quantity, seen)
		if it.RemainingDays < 0 || it.RemainingDays > MaxRemainingDays {
			v.Addf(f+".remainingDays", "must be between 0 and %d", MaxRemainingDays)
		}
	}
	return c, v.Err()
}

// ShippedItem is a supply shipped.
type ShippedItem struct {
	HCPCS    string
	Quantity int32
}

// ResupplyShipment is supplies shipped on a day against a confirmation.
type ResupplyShipment struct {
	ID, CompanyID, ScheduleID string
	ShipDate                  civil.Date
	Items                     []ShippedItem
	// ConfirmationID is the confirmation that allowed it.
	ConfirmationID string
	ActorID        string
	CreateTime     time.Time
}

// Reasons a shipment is refused.
const (
	ReasonResupplyNotConfirmed = "RESUPPLY_NOT_CONFIRMED"
	ReasonResupplyTooEarly     = "RESUPPLY_TOO_EARLY"
)

// CheckShipment checks shipment p of schedule s under window w, against
// the schedule's latest confirmation made on or before the ship date
// (nil when none), and returns the schedule's items as the shipment leaves
// them. Field violations name "shipDate" and "items[i].hcpcs|quantity".
// The refill rule's refusals are FAILED_PRECONDITION naming the rule and
// each item:
//
//   - RESUPPLY_NOT_CONFIRMED: no confirmation of the item made within the
//     w.ContactDays before the ship date, and within w.ContactDays before
//     the item's supply runs out;
//   - RESUPPLY_TOO_EARLY: the ship date is more than w.ShipLeadDays before
//     the item's supply runs out.
//
// A supply shipped before the current one runs out is supplied through one
// interval after that; one shipped after it lapsed, through one interval
// after the ship date.
func CheckShipment(s *ResupplySchedule, p ResupplyShipment, confirmed *ResupplyConfirmation, w ResupplyWindow, today civil.Date) ([]ResupplyItem, error) {
	var v errs.Violations
	switch {
	case !p.ShipDate.IsValid():
		v.Add("shipDate", DateInvalid)
	case p.ShipDate.After(today):
		v.Add("shipDate", "must not be after today")
	}
	if len(p.Items) == 0 {
		v.Add("items", "must name at least one supply")
	}
	items := slices.Clone(s.Items)
	seen := map[string]bool{}
	for i, it := range p.Items {
		p.Items[i].HCPCS = s.checkSupply(&v, fmt.Sprintf("items[%d]", i), it.HCPCS, it.Quantity, seen)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var unconfirmed, early []errs.PreconditionViolation
	for _, it := range p.Items {
		k := slices.IndexFunc(items, func(r ResupplyItem) bool { return r.HCPCS == it.HCPCS })
		runsOut := items[k].SuppliedThrough
		subject := "supplies/" + it.HCPCS
		if !confirms(confirmed, it.HCPCS, p.ShipDate, runsOut, w) {
			unconfirmed = append(unconfirmed, errs.PreconditionViolation{Type: "CONFIRMATION", Subject: subject,
				Description: fmt.Sprintf("needs the patient's confirmation made within the %d days before the shipment (on or after %s) and before the supply runs out on %s",
					w.ContactDays, p.ShipDate.AddDays(-w.ContactDays), runsOut)})
		}
		if p.ShipDate.Before(w.ShipFrom(runsOut)) {
			early = append(early, errs.PreconditionViolation{Type: "SHIP_WINDOW", Subject: subject,
				Description: fmt.Sprintf("ships no sooner than %d days before the supply runs out on %s: on or after %s",
					w.ShipLeadDays, runsOut, w.ShipFrom(runsOut))})
		}
		from := runsOut
		if p.ShipDate.After(runsOut) {
			from = p.ShipDate
		}
		items[k].SuppliedThrough = from.AddMonths(items[k].IntervalMonths)
	}
	if len(unconfirmed) > 0 {
		return nil, errs.Unmet(ReasonResupplyNotConfirmed,
			fmt.Sprintf("a supply ships only after the patient confirms the need within %d days before it", w.ContactDays), unconfirmed...)
	}
	if len(early) > 0 {
		return nil, errs.Unmet(ReasonResupplyTooEarly,
			fmt.Sprintf("a supply ships no sooner than %d days before the current supply runs out", w.ShipLeadDays), early...)
	}
	return items, nil
}

// confirms reports whether c confirms the need of hcpcs for a shipment on
// ship of a supply running out on runsOut: made at most w.ContactDays
// before the shipment and no sooner than w.ContactDays before the supply
// runs out.
func confirms(c *ResupplyConfirmation, hcpcs string, ship, runsOut civil.Date, w ResupplyWindow) bool {
	if c == nil || c.ConfirmDate.After(ship) || c.ConfirmDate.DaysUntil(ship) > w.ContactDays ||
		c.ConfirmDate.Before(w.ContactFrom(runsOut)) {
		return false
	}
	return slices.ContainsFunc(c.Items, func(it ConfirmedItem) bool { return it.HCPCS == hcpcs && it.Quantity > 0 })
}

// supplyLine is o's recurring supply line of code hcpcs.
func supplyLine(o *Order, hcpcs string) (OrderLine, bool) {
	for _, l := range o.Lines {
		if l.HCPCS == hcpcs && l.Type == LineRecurringSale {
			return l, true
		}
	}
	return OrderLine{}, false
}

// Field violation descriptions of a schedule billed from an order.
const (
	ScheduleOrderOtherPatient = "must be an order of the schedule's patient"
	ScheduleOrderOpen         = "must be an order that was delivered"
	ScheduleItemNotOnOrder    = "must be the code of a recurring supply line of the order"
)

// CheckScheduleOrder refuses a schedule whose shipments could not bill
// order o: an order of another patient or not delivered, or a supply
// without a recurring supply line of its code. Violations name "orderId"
// and "items[i].hcpcs".
func CheckScheduleOrder(s *ResupplySchedule, o *Order) error {
	var v errs.Violations
	switch {
	case o.PatientID != s.PatientID:
		v.Add("orderId", ScheduleOrderOtherPatient)
	case o.Status != StatusDelivered && o.Status != StatusClosed:
		v.Add("orderId", ScheduleOrderOpen)
	}
	for i, it := range s.Items {
		if _, ok := supplyLine(o, it.HCPCS); !ok {
			v.Add(fmt.Sprintf("items[%d].hcpcs", i), ScheduleItemNotOnOrder)
		}
	}
	return v.Err()
}

// ShipmentClaims are the claim lines of shipment p of schedule s billed
// from order o, one per supply shipped (ids gives each its id): the order
// line's code, modifiers and per-unit amounts times the quantity shipped,
// the codes its diagnosis pointers name, the order's primary coverage and
// providers, and the period the shipment supplies, from the ship date
// through the day before the supply runs out again (supplied, the
// schedule's items after the shipment).
func ShipmentClaims(o *Order, p *ResupplyShipment, supplied []ResupplyItem, ids []string, now time.Time) []ClaimLine {
	party := o.ClaimParty()
	var out []ClaimLine
	for i, it := range p.Items {
		l, ok := supplyLine(o, it.HCPCS)
		k := slices.IndexFunc(supplied, func(r ResupplyItem) bool { return r.HCPCS == it.HCPCS })
		if !ok || k < 0 || i >= len(ids) {
			continue
		}
		through := supplied[k].SuppliedThrough.AddDays(-1)
		if through.Before(p.ShipDate) {
			through = p.ShipDate
		}
		qty := int64(it.Quantity)
		out = append(out, ClaimLine{ID: ids[i], CompanyID: o.CompanyID, OrderID: o.ID, LineID: l.ID, ShipmentID: p.ID,
			ClaimParty: party, HCPCS: l.HCPCS, Modifiers: l.Modifiers, Units: it.Quantity,
			Period:         RentalPeriod{From: p.ShipDate, Through: through},
			Charge:         usd(Money{Cents: l.Billable.Cents * qty, Currency: l.Billable.Currency}),
			Expected:       usd(Money{Cents: l.Allowable.Cents * qty, Currency: l.Allowable.Currency}),
			DiagnosisCodes: o.diagnosisCodes(l), PlaceOfService: PlaceOfServiceHome, CreateTime: now})
	}
	return out
}
