package domain

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// LineType says how a line is sold and billed, which decides its claims:
// a sale once, supplies again and again, or a rental month by month under
// one of Medicare's payment categories.
type LineType string

// Line types.
const (
	LineOneTimeSale    LineType = "one_time_sale"
	LineRecurringSale  LineType = "recurring_sale"
	LineMonthlyRental  LineType = "monthly_rental"
	LineCappedRental   LineType = "capped_rental"
	LineRentToPurchase LineType = "rent_to_purchase"
	LineOxygenRental   LineType = "oxygen_rental"
)

// LineTypes lists every line type.
var LineTypes = []LineType{LineOneTimeSale, LineRecurringSale, LineMonthlyRental, LineCappedRental, LineRentToPurchase, LineOxygenRental}

// Rental reports whether lines of type t rent the equipment (bill monthly
// until pickup or their cap) rather than sell it.
func (t LineType) Rental() bool {
	switch t {
	case LineMonthlyRental, LineCappedRental, LineRentToPurchase, LineOxygenRental:
		return true
	}
	return false
}

// Bounds of a line.
const (
	// MaxLineQuantity is the most units of one line: a box of supplies
	// counts as one, so thousands mean a mistake, not an order.
	MaxLineQuantity = 9999
	// MaxDiagnosisPointers is how many of the order's diagnoses one line may
	// point at, as on a claim line.
	MaxDiagnosisPointers = 4
	// MaxOrderDiagnoses is how many ICD-10 codes one order carries.
	MaxOrderDiagnoses = 12
)

// LineValues are what a line is drafted with.
type LineValues struct {
	// ItemID is serials' item.
	ItemID string
	// Serialized is the item's flag in serials: one unit per line, and a
	// serial number before delivery.
	Serialized bool
	HCPCS      string
	Modifiers  []string
	Quantity   int32
	Type       LineType
	// DiagnosisPointers are 1-based positions in the order's diagnoses.
	DiagnosisPointers []int32
	// SerialNumber is the unit's, when already chosen (a serialized item
	// only).
	SerialNumber string
}

// Line is a checked line, its codes normalized.
type Line struct {
	LineValues
}

// Field violation descriptions of a line.
const (
	LineHCPCSInvalid        = "must be a HCPCS Level II code: a letter A to V and four digits, such as E0601"
	LineQuantityRange       = "must be between 1 and 9999"
	LineQuantitySerialized  = "must be 1: a serialized item's line is one unit"
	LineTypeUnknown         = "must be one of the line types"
	LinePointersCount       = "must point at 1 to 4 of the order's diagnoses"
	LinePointerRange        = "must be the position (from 1) of one of the order's %d diagnoses"
	LinePointerRepeated     = "repeats an earlier pointer"
	LineSerialNotSerialized = "must be empty: the item is not serialized"
	LineItemRequired        = "must name the item"
)

// CheckLine checks v against an order with diagnoses diagnoses and returns
// the line with its codes normalized. Violations name the line's fields:
// "hcpcs", "modifiers[i]" (or "modifiers" when there are too many),
// "quantity", "type", "diagnosisPointers" and "diagnosisPointers[i]",
// "serialNumber", "itemId".
func CheckLine(v LineValues, diagnoses int) (Line, error) {
	var viol errs.Violations
	if v.ItemID == "" {
		viol.Add("itemId", LineItemRequired)
	}
	if code, ok := usformat.NormalizeHCPCS(v.HCPCS); ok {
		v.HCPCS = code
	} else {
		viol.Add("hcpcs", LineHCPCSInvalid)
	}
	if mods, err := usformat.ParseHCPCSModifiers(v.Modifiers); err != nil {
		viol.Add(modifierViolation(err))
	} else {
		v.Modifiers = mods
	}
	switch {
	case v.Quantity < 1 || v.Quantity > MaxLineQuantity:
		viol.Add("quantity", LineQuantityRange)
	case v.Serialized && v.Quantity != 1:
		viol.Add("quantity", LineQuantitySerialized)
	}
	if !slices.Contains(LineTypes, v.Type) {
		viol.Add("type", LineTypeUnknown)
	}
	if n := len(v.DiagnosisPointers); n < 1 || n > MaxDiagnosisPointers {
		viol.Add("diagnosisPointers", LinePointersCount)
	}
	for i, p := range v.DiagnosisPointers {
		switch {
		case p < 1 || int(p) > diagnoses:
			viol.Add(fmt.Sprintf("diagnosisPointers[%d]", i), fmt.Sprintf(LinePointerRange, diagnoses))
		case slices.Contains(v.DiagnosisPointers[:i], p):
			viol.Add(fmt.Sprintf("diagnosisPointers[%d]", i), LinePointerRepeated)
		}
	}
	if v.SerialNumber != "" && !v.Serialized {
		viol.Add("serialNumber", LineSerialNotSerialized)
	}
	if err := viol.Err(); err != nil {
		return Line{}, err
	}
	return Line{LineValues: v}, nil
}

// modifierViolation names the modifier a usformat error is about, and
// says what is wrong with it.
func modifierViolation(err error) (field, description string) {
	var fe *usformat.FormatError
	if !errors.As(err, &fe) {
		return "modifiers", err.Error()
	}
	if fe.Entry >= 0 {
		return fmt.Sprintf("modifiers[%d]", fe.Entry), fe.Description
	}
	return "modifiers", fe.Description
}

// ReasonSerialMissing refuses a delivery of a serialized line without its
// unit's serial number.
const ReasonSerialMissing = "SERIAL_NUMBER_MISSING"

// ReadyToDeliver refuses a serialized line that has no serial number yet:
// proof of delivery names the unit the patient received.
func (l Line) ReadyToDeliver(field string) error {
	if l.Serialized && l.SerialNumber == "" {
		return errs.Unmet(ReasonSerialMissing, "a serialized item is delivered by its serial number",
			errs.PreconditionViolation{Type: "SERIAL_NUMBER", Subject: field, Description: "the line's unit has no serial number"})
	}
	return nil
}
