package domain

import (
	"fmt"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// PlaceOfServiceHome is CMS place of service 12, the patient's home, where
// rented equipment is used.
const PlaceOfServiceHome = "12"

// ClaimParty is what a claim names besides the line: the coverage billed
// and the providers. It is copied when the line is delivered, so that a
// billing run needs nothing from another service.
type ClaimParty struct {
	PatientID    string
	CoverageID   string
	PayerID      string
	CoverageRank int32
	// OrderingNPI is the prescriber's, RenderingNPI the supplier's.
	OrderingNPI, RenderingNPI string
}

// ClaimParty is what o's claims name besides the line: its patient, its
// primary coverage (the first by rank) and its providers.
func (o *Order) ClaimParty() ClaimParty {
	party := ClaimParty{PatientID: o.PatientID, OrderingNPI: o.OrderingNPI, RenderingNPI: o.RenderingNPI}
	if len(o.Coverages) > 0 {
		c := o.Coverages[0]
		party.CoverageID, party.PayerID, party.CoverageRank = c.CoverageID, c.PayerID, c.Rank
	}
	return party
}

// diagnosisCodes are the codes line l's pointers resolve to in o.
func (o *Order) diagnosisCodes(l OrderLine) []string {
	var codes []string
	for _, p := range l.DiagnosisPointers {
		if p >= 1 && int(p) <= len(o.Diagnoses) {
			codes = append(codes, o.Diagnoses[p-1])
		}
	}
	return codes
}

// Rental is a delivered rental line: what its claims carry, and where its
// billing stands.
type Rental struct {
	LineID, CompanyID, OrderID string
	RentalLine
	ClaimParty
	HCPCS string
	// DiagnosisCodes are the codes the line's pointers resolve to.
	DiagnosisCodes []string
	SerialNumber   string
	UnitID         string
	// ContinuesLineID is the rental this one continues after a break in
	// need; PriorMonths (in RentalLine) its counted months.
	ContinuesLineID string
	// NextDue is the first day of the next month to decide; zero when
	// nothing more will be billed.
	NextDue civil.Date
	// PickupReason is why the equipment came back, once it did.
	PickupReason PickupReason
	// Close is how the rules ended the rental, if they did.
	Close *RentalClose
}

// NewRental is the rental a delivery on dateOfService starts for line l of
// order o, continuing previous (the patient's last rental of the same code
// and type, nil when none) when the break between them allows.
func NewRental(o *Order, l OrderLine, party ClaimParty, dateOfService civil.Date, previous *Rental) Rental {
	r := Rental{LineID: l.ID, CompanyID: o.CompanyID, OrderID: o.ID, ClaimParty: party, HCPCS: l.HCPCS,
		SerialNumber: l.SerialNumber, UnitID: l.UnitID, NextDue: dateOfService,
		RentalLine: RentalLine{Type: l.Type, DateOfService: dateOfService, Modifiers: l.Modifiers,
			Billable: l.Billable, Allowable: l.Allowable, Quantity: l.Quantity}}
	r.DiagnosisCodes = o.diagnosisCodes(l)
	if previous != nil && previous.Close == nil && !previous.PickupDate.IsZero() &&
		ContinuesRental(previous.PickupReason, previous.PickupDate, dateOfService) {
		// The months it counted are those up to its pickup, whether or not
		// a billing run has decided them yet.
		counted := previous.RentalLine
		counted.Decided = 0
		r.ContinuesLineID = previous.LineID
		r.PriorMonths = previous.PriorMonths + BillRental(counted, previous.PickupDate).Decided
	}
	return r
}

// ClaimLine is one 837P service line: a rental month of an order line, or
// a supply line of a resupply shipment (ShipmentID set, Period.Month 0).
type ClaimLine struct {
	ID, CompanyID, OrderID, LineID string
	ShipmentID                     string
	ClaimParty
	HCPCS          string
	Modifiers      []string
	Units          int32
	Period         RentalPeriod
	Charge         Money
	Expected       Money
	DiagnosisCodes []string
	PlaceOfService string
	SerialNumber   string
	// ExportCount is how many times a billing partner exported it.
	ExportCount    int32
	LastExportTime time.Time
	LastExportedBy string
	CreateTime     time.Time
}

// Exported reports whether a billing partner has taken the line.
func (c *ClaimLine) Exported() bool { return c.ExportCount > 0 }

// Claim is the claim line of month m of rental r.
func (r *Rental) Claim(id string, m MonthCharge, now time.Time) ClaimLine {
	return ClaimLine{ID: id, CompanyID: r.CompanyID, OrderID: r.OrderID, LineID: r.LineID, ClaimParty: r.ClaimParty,
		HCPCS: r.HCPCS, Modifiers: m.Modifiers, Units: max(r.Quantity, 1), Period: m.Period,
		Charge: usd(m.Charge), Expected: usd(m.Expected), DiagnosisCodes: r.DiagnosisCodes,
		PlaceOfService: PlaceOfServiceHome, SerialNumber: r.SerialNumber, CreateTime: now}
}

// Apply moves r's billing state past decision b.
func (r *Rental) Apply(b RentalBilling) {
	r.Decided, r.NextDue = b.Decided, b.NextDue
	if b.Close != nil {
		r.Close = b.Close
		r.NextDue = civil.Date{}
	}
}

// ReasonClaimLineExported refuses a second export of a claim line without
// force.
const ReasonClaimLineExported = "CLAIM_LINE_ALREADY_EXPORTED"

// CheckExport refuses to export lines of which some were exported before,
// naming each, unless force: a billing partner that takes a line twice
// bills it twice, so a repeat must be meant.
func CheckExport(lines []*ClaimLine, force bool) error {
	if force {
		return nil
	}
	var again []errs.PreconditionViolation
	for _, c := range lines {
		if c.Exported() {
			again = append(again, errs.PreconditionViolation{Type: "EXPORTED", Subject: "claimLines/" + c.ID,
				Description: fmt.Sprintf("was exported %d time(s), last on %s by %s", c.ExportCount,
					c.LastExportTime.UTC().Format(time.RFC3339), c.LastExportedBy)})
		}
	}
	if len(again) == 0 {
		return nil
	}
	return errs.Unmet(ReasonClaimLineExported,
		fmt.Sprintf("%d of the claim lines were exported before; export them again with force", len(again)), again...)
}
