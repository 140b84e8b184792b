package domain

import (
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
)

// PayerType says what kind of insurer a payer is; claims and eligibility
// rules differ by type.
type PayerType string

// Payer types; the empty type is refused.
const (
	PayerTypeUnspecified PayerType = ""
	PayerMedicare        PayerType = "medicare"
	PayerMedicaid        PayerType = "medicaid"
	PayerCommercial      PayerType = "commercial"
	PayerOther           PayerType = "other"
)

// Payer is an insurer the company bills: Medicare (a DME MAC), a state
// Medicaid program, a commercial insurer or another. Its plans are the
// products patients are covered under.
type Payer struct {
	ID        string
	CompanyID string
	Name      string
	// PayerCode is the clearinghouse's id of the payer, upper-case letters
	// and digits, unique within the company.
	PayerCode string
	Type      PayerType
	Address   contact.Address
	Phone     contact.Phone
	// Active payers take new coverages and pass eligibility checks.
	Active bool
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// PayerField names a writable field of a payer by its API (proto) name.
// Besides the constants, the parts of the address and phone may be named
// alone: "address.city", "phone.number".
type PayerField string

// The writable fields of a payer.
const (
	PayerName    PayerField = "name"
	PayerCode    PayerField = "payer_code"
	PayerTypeF   PayerField = "type"
	PayerAddress PayerField = "address"
	PayerPhone   PayerField = "phone"
	PayerActive  PayerField = "active"
)

// PayerFields lists every writable field of a payer, in API order.
var PayerFields = []PayerField{PayerName, PayerCode, PayerTypeF, PayerAddress, PayerPhone, PayerActive}

// PayerValues are the values a client sends for a payer's writable fields.
type PayerValues struct {
	Name      string
	PayerCode string
	Type      PayerType
	Address   contact.Address
	Phone     contact.Phone
	Active    bool
}

// Payer and plan field limits, matching the API's.
const (
	maxPayerName = 100
	maxPayerCode = 20
	maxPlanName  = 100
	maxPlanCode  = 30
)

// NewPayer returns an active payer of company built from values, created
// at now. Active is not read: a payer starts active and is deactivated by
// an update. Violations name fields relative to the payer ("payerCode",
// "address.state").
func NewPayer(id, companyID string, values PayerValues, now time.Time) (*Payer, error) {
	p := &Payer{ID: id, CompanyID: companyID, Active: true, Version: 1, CreateTime: now, UpdateTime: now}
	if err := p.apply([]PayerField{PayerName, PayerCode, PayerTypeF, PayerAddress, PayerPhone}, values); err != nil {
		return nil, err
	}
	return p, nil
}

// Update writes the named fields of values into p at now; all or nothing.
func (p *Payer) Update(fields []PayerField, values PayerValues, now time.Time) error {
	if err := p.apply(fields, values); err != nil {
		return err
	}
	p.UpdateTime = now
	return nil
}

// apply checks and writes the named fields, all or none.
func (p *Payer) apply(fields []PayerField, values PayerValues) error {
	var v errs.Violations
	next := *p
	var edit contactEdit
	edit.address(string(PayerAddress), "address", &next.Address, values.Address, false)
	edit.phone(string(PayerPhone), "phone", &next.Phone, values.Phone)
	for _, f := range fields {
		if edit.set(string(f)) {
			continue
		}
		switch f {
		case PayerName:
			next.Name = strings.TrimSpace(values.Name)
			v.CheckLine("name", next.Name, true, maxPayerName)
		case PayerCode:
			code, err := NormalizePayerCode(values.PayerCode)
			v.Merge("payerCode", err)
			next.PayerCode = code
		case PayerTypeF:
			next.Type = values.Type
			switch next.Type {
			case PayerMedicare, PayerMedicaid, PayerCommercial, PayerOther:
			default:
				v.Add("type", "must be medicare, medicaid, commercial or other")
			}
		case PayerActive:
			next.Active = values.Active
		default:
			v.Addf(string(f), "is not a writable field of a payer")
		}
	}
	edit.check(&v)
	if err := v.Err(); err != nil {
		return err
	}
	*p = next
	return nil
}

// NormalizePayerCode trims and upper-cases a clearinghouse payer code and
// checks that it is 1-20 letters and digits; the violation names field ""
// (the code itself). Lookups normalize the same way, so "cms04" finds CMS04.
func NormalizePayerCode(raw string) (string, error) {
	id := strings.ToUpper(strings.TrimSpace(raw))
	if id == "" || len(id) > maxPayerCode || strings.IndexFunc(id, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < '0' || r > '9') }) >= 0 {
		return "", errs.Invalid(errs.FieldViolation{Description: "must be 1-20 upper-case letters and digits, such as CMS04"})
	}
	return id, nil
}

// Plan is one product of a payer that patients are covered under (a
// Medicare Advantage plan, a commercial PPO, ...).
type Plan struct {
	ID        string
	CompanyID string
	// PayerID is the id of the payer (the resource, not its clearinghouse
	// id) the plan belongs to; it never changes.
	PayerID string
	Name    string
	// PlanCode is the payer's own code for the plan, or "".
	PlanCode string
	// Active plans take new coverages and pass eligibility checks.
	Active bool
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// PlanField names a writable field of a plan by its API (proto) name.
type PlanField string

// The writable fields of a plan.
const (
	PlanName   PlanField = "name"
	PlanCode   PlanField = "plan_code"
	PlanActive PlanField = "active"
)

// PlanFields lists every writable field of a plan, in API order.
var PlanFields = []PlanField{PlanName, PlanCode, PlanActive}

// PlanValues are the values a client sends for a plan's writable fields.
type PlanValues struct {
	Name     string
	PlanCode string
	Active   bool
}

// NewPlan returns an active plan of payer built from values, created at
// now. Active is not read, as for NewPayer. The payer must be the
// company's; the caller has loaded it.
func NewPlan(id string, payer *Payer, values PlanValues, now time.Time) (*Plan, error) {
	p := &Plan{ID: id, CompanyID: payer.CompanyID, PayerID: payer.ID, Active: true, Version: 1, CreateTime: now, UpdateTime: now}
	if err := p.apply([]PlanField{PlanName, PlanCode}, values); err != nil {
		return nil, err
	}
	return p, nil
}

// Update writes the named fields of values into p at now; all or nothing.
func (p *Plan) Update(fields []PlanField, values PlanValues, now time.Time) error {
	if err := p.apply(fields, values); err != nil {
		return err
	}
	p.UpdateTime = now
	return nil
}

// apply checks and writes the named fields, all or none.
func (p *Plan) apply(fields []PlanField, values PlanValues) error {
	var v errs.Violations
	next := *p
	for _, f := range fields {
		switch f {
		case PlanName:
			next.Name = strings.TrimSpace(values.Name)
			v.CheckLine("name", next.Name, true, maxPlanName)
		case PlanCode:
			next.PlanCode = strings.TrimSpace(values.PlanCode)
			v.CheckLine("planCode", next.PlanCode, false, maxPlanCode)
		case PlanActive:
			next.Active = values.Active
		default:
			v.Addf(string(f), "is not a writable field of a plan")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	*p = next
	return nil
}
