package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Coverage is one of the patient's coverages as the order copied it from
// clinical: which payer pays in which rank.
type Coverage struct {
	Rank       int32
	CoverageID string
	PayerID    string
}

// OrderLine is a line of an order as it stands: what was ordered, the unit
// held for it, the amounts it was priced at and where its billing is.
type OrderLine struct {
	ID string
	Line
	// UnitID is the unit reserved for the line (or delivered on it).
	UnitID string
	// Billable and Allowable are per unit: the purchase price of a sale
	// line, the monthly price of a rental line.
	Billable, Allowable Money
	// BillingStart is the date of service of a delivered line; BillingEnd
	// the pickup date of a rental line that came back.
	BillingStart, BillingEnd civil.Date
	// FulfillmentProblem is serials' reason for not moving the line's
	// unit; "" when nothing is wrong.
	FulfillmentProblem string
}

// Order is one equipment order.
type Order struct {
	ID, CompanyID string
	PatientID     string
	BranchID      string
	WarehouseID   string
	// WrittenOrderID is clinical's signed written order the order fulfils,
	// PrescriberID its prescriber.
	WrittenOrderID string
	PrescriberID   string
	// OrderingNPI is the prescriber's NPI and RenderingNPI the supplier's
	// (the branch's, else the company's), as the order was drafted: what
	// its claims name.
	OrderingNPI, RenderingNPI string
	Coverages                 []Coverage
	OrderDate                 civil.Date
	// Diagnoses are ICD-10-CM codes without the dot; lines point at them
	// by position from 1.
	Diagnoses   []string
	Lines       []OrderLine
	Status      OrderStatus
	PriceListID string
	// OverrideReason is why the order was submitted despite the readiness
	// gaps OverriddenGaps.
	OverrideReason string
	OverriddenGaps []string
	CancelReason   string
	Version        int64
	CreateTime     time.Time
	UpdateTime     time.Time
}

// OrderValues are what a draft is written with.
type OrderValues struct {
	PatientID      string
	BranchID       string
	WarehouseID    string
	WrittenOrderID string
	OrderDate      civil.Date
	Diagnoses      []string
	// Lines carry their ids when an update keeps them.
	Lines   []LineValues
	LineIDs []string
}

// OrderField is a field of a draft that an update may write.
type OrderField string

// Writable order fields.
const (
	FieldBranch    OrderField = "branch_id"
	FieldWarehouse OrderField = "warehouse_id"
	FieldOrderDate OrderField = "order_date"
	FieldDiagnoses OrderField = "diagnoses"
	FieldLines     OrderField = "lines"
)

// OrderFields lists every writable field.
var OrderFields = []OrderField{FieldBranch, FieldWarehouse, FieldOrderDate, FieldDiagnoses, FieldLines}

// Bounds of an order.
const (
	// MaxOrderLines is how many lines one order carries.
	MaxOrderLines = 20
	// MaxReason bounds a free-text reason (cancel, override).
	MaxReason = 500
)

// Field violation descriptions of an order.
const (
	OrderDiagnosesRequired = "must hold 1 to 12 ICD-10-CM codes"
	OrderDiagnosisInvalid  = "must be an ICD-10-CM code such as E11.9"
	OrderLinesRequired     = "must hold 1 to 20 lines"
	OrderIDRequired        = "must name the %s"
	OrderLineIDRepeated    = "repeats an earlier line's id"
)

// CheckOrderValues checks v and returns it with codes normalized.
// Violations name "patientId", "branchId", "warehouseId",
// "writtenOrderId", "orderDate", "diagnoses[i]" and "lines[i].<field>".
func CheckOrderValues(v OrderValues) (OrderValues, []Line, error) {
	var viol errs.Violations
	for _, f := range []struct{ field, what, value string }{
		{"patientId", "patient", v.PatientID}, {"branchId", "branch", v.BranchID},
		{"warehouseId", "warehouse", v.WarehouseID}, {"writtenOrderId", "written order", v.WrittenOrderID},
	} {
		if f.value == "" {
			viol.Add(f.field, fmt.Sprintf(OrderIDRequired, f.what))
		}
	}
	if !v.OrderDate.IsValid() {
		viol.Add("orderDate", DateInvalid)
	}
	diagnoses, err := usformat.ParseDiagnoses(v.Diagnoses)
	switch {
	case err != nil:
		viol.Add(diagnosisViolation(err))
	case len(diagnoses) == 0 || len(diagnoses) > MaxOrderDiagnoses:
		viol.Add("diagnoses", OrderDiagnosesRequired)
	}
	v.Diagnoses = diagnoses
	if len(v.Lines) == 0 || len(v.Lines) > MaxOrderLines {
		viol.Add("lines", OrderLinesRequired)
	}
	lines := make([]Line, len(v.Lines))
	ids := map[string]bool{}
	for i, lv := range v.Lines {
		l, err := CheckLine(lv, len(v.Diagnoses))
		viol.Merge(fmt.Sprintf("lines[%d]", i), err)
		lines[i] = l
		if i < len(v.LineIDs) && v.LineIDs[i] != "" {
			if ids[v.LineIDs[i]] {
				viol.Add(fmt.Sprintf("lines[%d].id", i), OrderLineIDRepeated)
			}
			ids[v.LineIDs[i]] = true
		}
	}
	if err := viol.Err(); err != nil {
		return OrderValues{}, nil, err
	}
	return v, lines, nil
}

// diagnosisViolation names the diagnosis a usformat error is about.
func diagnosisViolation(err error) (field, description string) {
	var fe *usformat.FormatError
	if errors.As(err, &fe) && fe.Entry >= 0 {
		return fmt.Sprintf("diagnoses[%d]", fe.Entry), fe.Description
	}
	if errors.As(err, &fe) {
		return "diagnoses", fe.Description
	}
	return "diagnoses", OrderDiagnosisInvalid
}

// Transition moves o by cmd, or refuses it (NextOrderStatus). The store
// advances the version when it saves the change.
func (o *Order) Transition(cmd OrderCommand, now time.Time) error {
	to, err := NextOrderStatus(o.Status, cmd)
	if err != nil {
		return err
	}
	o.Status = to
	o.UpdateTime = now
	return nil
}

// LineIndex returns the position of line id in o, or -1.
func (o *Order) LineIndex(id string) int {
	for i, l := range o.Lines {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// CheckedLines returns the lines as the domain's delivery and pickup rules
// read them.
func (o *Order) CheckedLines() []Line {
	out := make([]Line, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = l.Line
	}
	return out
}

// ReasonRentalsActive refuses to close an order with rental lines still
// out.
const ReasonRentalsActive = "RENTALS_ACTIVE"

// Close ends a delivered order whose rental lines have all come back.
func (o *Order) Close(now time.Time) error {
	if o.Status == StatusDelivered {
		var out []string
		for _, l := range o.Lines {
			if l.Type.Rental() && l.BillingEnd.IsZero() {
				out = append(out, l.ID)
			}
		}
		if len(out) > 0 {
			return errs.Unmet(ReasonRentalsActive, "rental lines are still with the patient: record their pickup first",
				errs.PreconditionViolation{Type: "RENTAL_ACTIVE", Subject: strings.Join(out, ","),
					Description: "the rental line has not been picked up"})
		}
	}
	return o.Transition(CmdClose, now)
}

// Cancel stops an open order with a reason.
func (o *Order) Cancel(reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	var v errs.Violations
	v.CheckLine("reason", reason, true, MaxReason)
	if err := v.Err(); err != nil {
		return err
	}
	if err := o.Transition(CmdCancel, now); err != nil {
		return err
	}
	o.CancelReason = reason
	return nil
}

// Submit moves a draft on; gaps are the readiness requirements overridden
// with reason (both empty when the order was ready).
func (o *Order) Submit(gaps []string, reason string, now time.Time) error {
	if err := o.Transition(CmdSubmit, now); err != nil {
		return err
	}
	o.OverriddenGaps = gaps
	o.OverrideReason = reason
	return nil
}

// SortCoverages orders coverages by rank, primary first.
func SortCoverages(cs []Coverage) {
	slices.SortStableFunc(cs, func(a, b Coverage) int { return int(a.Rank - b.Rank) })
}

// Values are o's draft values, as an update starts from them.
func (o *Order) Values() OrderValues {
	v := OrderValues{PatientID: o.PatientID, BranchID: o.BranchID, WarehouseID: o.WarehouseID,
		WrittenOrderID: o.WrittenOrderID, OrderDate: o.OrderDate, Diagnoses: slices.Clone(o.Diagnoses)}
	for _, l := range o.Lines {
		v.Lines = append(v.Lines, l.LineValues)
		v.LineIDs = append(v.LineIDs, l.ID)
	}
	return v
}
