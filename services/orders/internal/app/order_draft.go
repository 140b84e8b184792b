package app

import (
	"context"
	"fmt"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// drafted is a draft checked with the services that own what it names and
// priced: everything a create or an update writes.
type drafted struct {
	values       domain.OrderValues
	lines        []domain.OrderLine
	prescriberID string
	coverages    []domain.Coverage
	priceListID  string
	// orderingNPI and renderingNPI are the prescriber's and the branch's
	// (else the company's) NPIs, what the order's claims will name.
	orderingNPI, renderingNPI string
}

// applyTo writes the draft onto o.
func (d drafted) applyTo(o *domain.Order) {
	o.PatientID, o.WrittenOrderID = d.values.PatientID, d.values.WrittenOrderID
	o.BranchID, o.WarehouseID = d.values.BranchID, d.values.WarehouseID
	o.OrderDate, o.Diagnoses = d.values.OrderDate, d.values.Diagnoses
	o.PrescriberID, o.Coverages, o.PriceListID = d.prescriberID, d.coverages, d.priceListID
	o.OrderingNPI, o.RenderingNPI = d.orderingNPI, d.renderingNPI
	o.Lines = d.lines
}

// draft checks values for an order (current is nil for a new one): the
// items with serials, the written order, patient and coverages with
// clinical, the branch and warehouse with company; then prices each line
// from the primary payer's list, or the default list, in force on the
// order date. Every field problem is reported at once, under field; a peer
// that cannot be asked ends the check.
func (h Orders) draft(ctx context.Context, field string, values domain.OrderValues, current *domain.Order) (drafted, error) {
	var checks []usecase.FieldCheck
	for i := range values.Lines {
		lv := &values.Lines[i]
		if lv.ItemID == "" {
			continue
		}
		item, err := h.s.Peers.Item(ctx, fmt.Sprintf("lines[%d].itemId", i), lv.ItemID)
		if err != nil {
			checks = append(checks, usecase.FieldCheck{Field: field, Err: err})
			continue
		}
		lv.Serialized = item.Serialized
		if lv.HCPCS == "" {
			lv.HCPCS = item.HCPCS
		}
	}
	values, lines, err := domain.CheckOrderValues(values)
	checks = append(checks, usecase.FieldCheck{Field: field, Err: err})
	if err := usecase.InvalidFields(checks...); err != nil {
		return drafted{}, err
	}
	checks = nil
	d := drafted{values: values}
	if current == nil {
		wo, err := h.s.Peers.WrittenOrder(ctx, "writtenOrderId", values.WrittenOrderID)
		switch {
		case err != nil:
			checks = append(checks, usecase.FieldCheck{Field: field, Err: err})
		case wo.PatientID != values.PatientID:
			checks = append(checks, fieldViolation(field, "writtenOrderId", "names a written order of another patient"))
		case wo.Revoked:
			checks = append(checks, fieldViolation(field, "writtenOrderId", "names a revoked written order"))
		default:
			d.prescriberID = wo.PrescriberID
		}
	} else {
		d.prescriberID, d.orderingNPI = current.PrescriberID, current.OrderingNPI
	}
	if current == nil || current.BranchID != values.BranchID {
		checks = append(checks, usecase.FieldCheck{Field: field, Err: h.s.Peers.CheckLocation(ctx, "branchId", values.BranchID, false)})
	}
	if current == nil || current.WarehouseID != values.WarehouseID {
		checks = append(checks, usecase.FieldCheck{Field: field, Err: h.s.Peers.CheckLocation(ctx, "warehouseId", values.WarehouseID, true)})
	}
	d.coverages, err = h.s.Peers.Coverages(ctx, "patientId", d.values.PatientID, values.OrderDate)
	checks = append(checks, usecase.FieldCheck{Field: field, Err: err})
	if err := usecase.InvalidFields(checks...); err != nil {
		return drafted{}, err
	}
	if err := h.providers(ctx, &d, current); err != nil {
		return drafted{}, err
	}
	if d.lines, err = h.keepLineIDs(field, values.LineIDs, lines, current); err != nil {
		return drafted{}, err
	}
	if err := h.price(ctx, &d); err != nil {
		return drafted{}, err
	}
	return d, nil
}

// providers sets the NPIs the order's claims will name: the prescriber's
// (asked once, when the order is created) and the branch's, or the
// company's when the branch has none (asked again when the branch
// changes).
func (h Orders) providers(ctx context.Context, d *drafted, current *domain.Order) error {
	if current == nil {
		npi, err := h.s.Peers.PrescriberNPI(ctx, d.prescriberID)
		if err != nil {
			return err
		}
		d.orderingNPI = npi
	}
	if current != nil && current.BranchID == d.values.BranchID {
		d.renderingNPI = current.RenderingNPI
		return nil
	}
	npi, err := h.s.Peers.RenderingNPI(ctx, d.values.BranchID)
	d.renderingNPI = npi
	return err
}

// fieldViolation is a check that failed on field under prefix.
func fieldViolation(prefix, field, description string) usecase.FieldCheck {
	return usecase.FieldCheck{Field: prefix, Err: errs.Invalid(errs.FieldViolation{Field: field, Description: description})}
}

// keepLineIDs gives each line its id: the one sent back, which must be a
// line of the order being updated, or a new one.
func (h Orders) keepLineIDs(field string, ids []string, lines []domain.Line, current *domain.Order) ([]domain.OrderLine, error) {
	var v errs.Violations
	out := make([]domain.OrderLine, len(lines))
	for i, l := range lines {
		out[i].Line = l
		if i < len(ids) && ids[i] != "" {
			if current == nil || current.LineIndex(ids[i]) < 0 {
				v.Add(usecase.JoinField(field, fmt.Sprintf("lines[%d].id", i)), "must be empty or the id of one of the order's lines")
				continue
			}
			out[i].ID = ids[i]
			continue
		}
		id, err := usecase.NewID()
		if err != nil {
			return nil, err
		}
		out[i].ID = id
	}
	return out, v.Err()
}

// price sets each line's amounts from the price list the order is priced
// from on its date: a sale line's purchase amounts, a rental line's
// monthly ones. A line without a price is FAILED_PRECONDITION
// PRICE_NOT_FOUND naming it.
func (h Orders) price(ctx context.Context, d *drafted) error {
	payer := ""
	if len(d.coverages) > 0 {
		payer = d.coverages[0].PayerID
	}
	var missing []errs.PreconditionViolation
	for i := range d.lines {
		l := &d.lines[i]
		listID, p, found, err := h.s.Store.PriceFor(ctx, payer, l.ItemID, l.HCPCS, d.values.OrderDate)
		if err != nil {
			return err
		}
		d.priceListID = listID
		if !found {
			missing = append(missing, errs.PreconditionViolation{Type: "PRICE", Subject: fmt.Sprintf("lines[%d]", i),
				Description: fmt.Sprintf("no price of item %s under %s is in force on %s", l.ItemID, l.HCPCS, d.values.OrderDate)})
			continue
		}
		if l.Type.Rental() {
			l.Billable, l.Allowable = p.RentalBillable, p.RentalAllowable
		} else {
			l.Billable, l.Allowable = p.PurchaseBillable, p.PurchaseAllowable
		}
	}
	if len(missing) > 0 {
		return errs.Unmet(ReasonPriceNotFound, "lines of the order have no price in force on the order date", missing...)
	}
	return nil
}
