package domain

import (
	"regexp"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Item is one product of the item master: what units are units of.
type Item struct {
	ID        string
	CompanyID string
	// Code is the company's own code, unique within it.
	Code         string
	Name         string
	HCPCS        string
	Manufacturer string
	Model        string
	// Serialized items are tracked unit by unit.
	Serialized bool
	// O2Tank items go round the fill cycle (ClassO2Tank).
	O2Tank    bool
	Barcode   string
	CostCents int64
	// ReorderPoint: a warehouse's on hand at or below it is low; 0 never.
	ReorderPoint int32
	SerialFormat SerialFormat
	Active       bool
	Version      int64
	CreateTime   time.Time
	UpdateTime   time.Time
}

// Class is the state machine the item's units follow.
func (it *Item) Class() UnitClass {
	if it.O2Tank {
		return ClassO2Tank
	}
	return ClassEquipment
}

// SerialRule returns the item's compiled serial number rule.
func (it *Item) SerialRule() (*SerialRule, error) { return CompileSerialFormat(it.SerialFormat) }

// ItemField names a writable field of an item by its API (proto) name.
type ItemField string

// The writable fields of an item.
const (
	ItemCode         ItemField = "code"
	ItemName         ItemField = "name"
	ItemHCPCS        ItemField = "hcpcs"
	ItemManufacturer ItemField = "manufacturer"
	ItemModel        ItemField = "model"
	ItemSerialized   ItemField = "serialized"
	ItemO2Tank       ItemField = "o2_tank"
	ItemBarcode      ItemField = "barcode"
	ItemCost         ItemField = "cost"
	ItemReorderPoint ItemField = "reorder_point"
	ItemSerialRule   ItemField = "serial_rule"
	ItemActive       ItemField = "active"
)

// ItemFields lists every writable field of an item, in API order.
var ItemFields = []ItemField{
	ItemCode, ItemName, ItemHCPCS, ItemManufacturer, ItemModel, ItemSerialized, ItemO2Tank, ItemBarcode,
	ItemCost, ItemReorderPoint, ItemSerialRule, ItemActive,
}

// ItemValues are the values a client sends for an item.
type ItemValues struct {
	Code, Name, HCPCS, Manufacturer, Model string
	Serialized, O2Tank                     bool
	Barcode                                string
	CostCents                              int64
	// CostCurrency is the cost's ISO 4217 code; "" is taken as USD.
	CostCurrency string
	ReorderPoint int32
	SerialFormat SerialFormat
	Active       bool
}

// Item limits, matching the API's and the schema's.
const (
	maxItemName        = 100
	maxMakerOrModel    = 100
	MaxReorderPoint    = 100000
	maxItemCostInCents = 100_000_000_00
)

var itemCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,29}$`)

// NewItem returns an active item of company built from values, created at
// now. Whether the code is already the company's is the store's question
// (ALREADY_EXISTS). Violations name fields relative to the item.
func NewItem(id, companyID string, values ItemValues, now time.Time) (*Item, error) {
	it := &Item{ID: id, CompanyID: companyID, Active: true, Version: 1, CreateTime: now, UpdateTime: now}
	fields := make([]ItemField, 0, len(ItemFields))
	for _, f := range ItemFields {
		if f != ItemActive {
			fields = append(fields, f)
		}
	}
	if err := it.apply(fields, values); err != nil {
		return nil, err
	}
	return it, nil
}

// Update writes the named fields of values into it at now; all or nothing.
func (it *Item) Update(fields []ItemField, values ItemValues, now time.Time) error {
	if err := it.apply(fields, values); err != nil {
		return err
	}
	it.UpdateTime = now
	return nil
}

func (it *Item) apply(fields []ItemField, values ItemValues) error {
	var v errs.Violations
	next := *it
	for _, f := range fields {
		switch f {
		case ItemCode:
			next.Code = strings.ToUpper(strings.TrimSpace(values.Code))
			if !itemCode.MatchString(next.Code) {
				v.Add("code", "must be 1-30 letters, digits, dots, dashes and underscores, starting with a letter or digit")
			}
		case ItemName:
			next.Name = strings.TrimSpace(values.Name)
			v.CheckLine("name", next.Name, true, maxItemName)
		case ItemHCPCS:
			next.HCPCS = ""
			if raw := strings.TrimSpace(values.HCPCS); raw != "" {
				code, ok := usformat.NormalizeHCPCS(raw)
				if !ok {
					v.Add("hcpcs", "must be an HCPCS Level II code: a letter A-V and four digits, such as E0601")
				}
				next.HCPCS = code
			}
		case ItemManufacturer:
			next.Manufacturer = strings.TrimSpace(values.Manufacturer)
			v.CheckLine("manufacturer", next.Manufacturer, false, maxMakerOrModel)
		case ItemModel:
			next.Model = strings.TrimSpace(values.Model)
			v.CheckLine("model", next.Model, false, maxMakerOrModel)
		case ItemSerialized:
			next.Serialized = values.Serialized
		case ItemO2Tank:
			next.O2Tank = values.O2Tank
		case ItemBarcode:
			next.Barcode = strings.TrimSpace(values.Barcode)
			if next.Barcode != "" && !ValidGTIN(next.Barcode) {
				v.Add("barcode", "must be a UPC, EAN or GTIN: 8, 12, 13 or 14 digits ending in the GS1 check digit")
			}
		case ItemCost:
			next.CostCents = values.CostCents
			if values.CostCurrency != "" && values.CostCurrency != "USD" {
				v.Add("cost.currencyCode", "must be USD")
			}
			if values.CostCents < 0 || values.CostCents > maxItemCostInCents {
				v.Add("cost.amountCents", "must be between 0 and 10,000,000,000 cents")
			}
		case ItemReorderPoint:
			next.ReorderPoint = values.ReorderPoint
			if values.ReorderPoint < 0 || values.ReorderPoint > MaxReorderPoint {
				v.Addf("reorderPoint", "must be between 0 and %d", MaxReorderPoint)
			}
		case ItemSerialRule:
			_, err := CompileSerialFormat(values.SerialFormat)
			v.Merge("serialRule", err)
			next.SerialFormat = values.SerialFormat
		case ItemActive:
			next.Active = values.Active
		default:
			v.Addf(string(f), "is not a writable field of an item")
		}
	}
	if next.O2Tank && !next.Serialized {
		v.Add("serialized", "must be true for an oxygen tank item: tanks are tracked one by one")
	}
	if err := v.Err(); err != nil {
		return err
	}
	*it = next
	return nil
}

// ValidGTIN reports whether s is a GS1 barcode number (GTIN-8, UPC-A as
// GTIN-12, EAN-13 as GTIN-13, or GTIN-14): all digits, whose last is the
// check digit of the others (weights 3 and 1 alternating from the right).
func ValidGTIN(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		if i == len(s)-1 {
			continue
		}
		d := int(c - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return int(s[len(s)-1]-'0') == (10-sum%10)%10
}
