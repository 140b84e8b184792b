package domain

import (
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// UnitValues are what a client sends to receive a unit.
type UnitValues struct {
	SerialNumber       string
	ManufacturerSerial string
	Lot                string
	LotExpiry          civil.Date
	WarehouseID        string
	NextMaintenanceDue civil.Date
	PurchaseDate       civil.Date
	PurchaseCostCents  int64
	// PurchaseCurrency is the cost's ISO 4217 code; "" is taken as USD.
	PurchaseCurrency string
	WarrantyEnd      civil.Date
}

// Receipt limits, matching the API's and the schema's.
const (
	maxManufacturerSerial = 40
	maxLot                = 40
	maxPurchaseCents      = 100_000_000_00
)

// NewUnit receives a unit of item (active, serialized) into values'
// warehouse at now, its serial checked by rule (the item's compiled rule,
// which a batch compiles once; nil compiles it here): on hand, its serial number normalized and checked
// against the item's rule. Whether the serial is already the item's is the
// store's question (ALREADY_EXISTS). Violations name fields relative to
// the unit ("serialNumber", "purchaseCost.amountCents").
func NewUnit(id string, item *Item, rule *SerialRule, values UnitValues, now time.Time) (*Unit, error) {
	var v errs.Violations
	if !item.Active {
		v.Add("itemId", "names an inactive item; reactivate it to receive units")
	}
	if !item.Serialized {
		v.Add("itemId", "names an item that is not serialized")
	}
	serial := ""
	if strings.TrimSpace(values.SerialNumber) == "" {
		v.Add("serialNumber", "is required")
	} else {
		var err error
		if rule == nil {
			rule, err = item.SerialRule()
		}
		if err == nil {
			serial, err = rule.Check(values.SerialNumber)
		}
		v.Merge("serialNumber", err)
	}
	ms := strings.TrimSpace(values.ManufacturerSerial)
	v.CheckLine("manufacturerSerial", ms, false, maxManufacturerSerial)
	lot := strings.TrimSpace(values.Lot)
	v.CheckLine("lot", lot, false, maxLot)
	if values.WarehouseID == "" {
		v.Add("warehouseId", "is required")
	}
	for _, d := range []struct {
		field string
		date  civil.Date
	}{{"lotExpiry", values.LotExpiry}, {"nextMaintenanceDue", values.NextMaintenanceDue},
		{"purchaseDate", values.PurchaseDate}, {"warrantyEnd", values.WarrantyEnd}} {
		if !d.date.IsZero() && !d.date.IsValid() {
			v.Add(d.field, "must be a calendar date")
		}
	}
	if !values.PurchaseDate.IsZero() && !values.WarrantyEnd.IsZero() && values.WarrantyEnd.Before(values.PurchaseDate) {
		v.Add("warrantyEnd", "must not be before purchaseDate")
	}
	if values.PurchaseCurrency != "" && values.PurchaseCurrency != "USD" {
		v.Add("purchaseCost.currencyCode", "must be USD")
	}
	if values.PurchaseCostCents < 0 || values.PurchaseCostCents > maxPurchaseCents {
		v.Add("purchaseCost.amountCents", "must be between 0 and 10,000,000,000 cents")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &Unit{ID: id, CompanyID: item.CompanyID, ItemID: item.ID, Class: item.Class(), SerialNumber: serial,
		ManufacturerSerial: ms, Lot: lot, LotExpiry: values.LotExpiry, Status: StatusOnHand,
		WarehouseID: values.WarehouseID, NextMaintenanceDue: values.NextMaintenanceDue, Version: 1,
		PurchaseDate: values.PurchaseDate, PurchaseCostCents: values.PurchaseCostCents,
		WarrantyEnd: values.WarrantyEnd, CreateTime: now, UpdateTime: now}, nil
}
