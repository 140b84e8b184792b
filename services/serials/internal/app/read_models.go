package app

import (
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// The read models and queries the use cases ask the repository for.

// Transition is what one applied unit transaction changed.
type Transition struct {
	Unit          *domain.Unit
	FromStatus    domain.UnitStatus
	FromWarehouse string
	// Low is the stock level the transaction took to its item's reorder
	// point, when it did; nil otherwise.
	Low *StockLevel
}

// StockLevel is the stock of one item in one warehouse, with the item's
// reorder point.
type StockLevel struct {
	WarehouseID, ItemID                                   string
	OnHand, Committed, Rented, Sold, Unavailable, OnOrder int32
	ReorderPoint                                          int32
	// Low: on hand at or below a non-zero reorder point.
	Low bool
}

// StockQuery selects a page of stock levels, ordered by warehouse and item.
type StockQuery struct {
	WarehouseID, ItemID string
	LowOnly             bool
	// After holds the previous page's last (warehouse, item); nil for the
	// first page.
	After []string
	Limit int
}

// UnitCount is how many units of an item are in one status.
type UnitCount struct {
	ItemID string
	Status domain.UnitStatus
	Count  int32
}

// UnitQuery selects a page of units, ordered by serial number and id.
type UnitQuery struct {
	ItemID, WarehouseID string
	Status              domain.UnitStatus
	// PatientID keeps the units the patient now rents or owns.
	PatientID string
	// After holds the previous page's last (serial number, id); nil for the
	// first page.
	After []string
	Limit int
}

// Reservation asks for a unit to hold for an order line: the unit of the
// item with SerialNumber, or without one the first free unit of the item
// on hand in the warehouse that domain.CheckReservable accepts on Today.
type Reservation struct {
	OrderLineID, ItemID, WarehouseID, SerialNumber string
	Today                                          civil.Date
}

// SerialMatch is a unit found by its serial number, with its item's HCPCS
// code (ValidateSerial may ask by HCPCS).
type SerialMatch struct {
	Unit  domain.Unit
	HCPCS string
}

// TransactionRecord is one logged unit transaction.
type TransactionRecord struct {
	ID, UnitID                 string
	Kind                       domain.TransactionKind
	FromStatus, ToStatus       domain.UnitStatus
	FromWarehouse, ToWarehouse string
	PatientID, ActorID         string
	// OrderLineID is the order line it was done for, Note why; either may
	// be empty.
	OrderLineID, Note string
	OccurTime         time.Time
}

// Maintained is what recording maintenance changed: the record, the unit
// after it, and, when the record released the unit, the transition.
type Maintained struct {
	Record     *domain.MaintenanceRecord
	Unit       *domain.Unit
	Transition *Transition
}

// DueUnit is a unit due for maintenance.
type DueUnit struct {
	UnitID, ItemID, WarehouseID, SerialNumber string
	Status                                    domain.UnitStatus
	Due                                       civil.Date
}

// RecallQuery names the units of a recall: those of items by Manufacturer
// and Model (case-insensitive), and/or of one Lot. At least one of
// Manufacturer and Lot is set; the caller checks.
type RecallQuery struct {
	Manufacturer, Model, Lot string
}

// RecallHolder is one unit a recall names and where it is: its status,
// warehouse and current patient (empty when no patient holds it).
type RecallHolder struct {
	UnitID, ItemID, SerialNumber, WarehouseID, PatientID string
	Status                                               domain.UnitStatus
}

// ItemQuery selects a page of items, ordered by code.
type ItemQuery struct {
	HCPCS        string
	ShowInactive bool
	// After is the previous page's last code; "" for the first page.
	After string
	Limit int
}
