package app

import (
	"errors"
	"time"

	"github.com/ariesone/ariesone/platform/cache"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
)

// Application is the serials service's whole use-case surface, one group
// of commands and queries per resource.
type Application struct {
	Items       Items
	Units       Units
	Stock       Stock
	Recalls     Recalls
	Maintenance Maintenance
	Usage       Usage
	// Fulfillment moves units as orders' events tell.
	Fulfillment Fulfillment
}

// Repository is everything the use cases store and read, one interface
// per resource; the service's store implements them all on one schema.
type Repository interface {
	ItemRepository
	ManufacturerRuleRepository
	UnitRepository
	ReservationRepository
	StockRepository
	RecallRepository
	MaintenanceRepository
	UsageRepository
	FulfillmentRepository
}

// Deps are what the serials use cases are built from.
type Deps struct {
	Store Repository
	// UnitOfWork makes each command's store calls and its events one
	// transaction.
	UnitOfWork usecase.UnitOfWork
	Events     usecase.EventRecorder
	Warehouses Warehouses
	Patients   Patients
	// Pages seals the page tokens of every listing, which would otherwise
	// carry serial numbers, item codes and a patient's rental dates.
	Pages *page.Sealer
	// Keyring keys the fingerprints of create requests (usecase.Fingerprint).
	Keyring usecase.BlindIndexer
	// Serials caches ValidateSerial's lookups; nil means an in-process
	// cache of its own.
	Serials *cache.Cache[[]SerialMatch]
	// BulkOperations enables BatchCreateUnits (FEATURE_BULK_OPERATIONS).
	BulkOperations bool
	// Now is the clock; nil means the system clock.
	Now usecase.Clock
	// Zone is where "today" is judged (maintenance overdue, lots expired,
	// future readings); nil means UTC.
	Zone *time.Location
}

// NewApplication builds the serials commands and queries.
func NewApplication(d Deps) (*Application, error) {
	if d.Keyring == nil {
		return nil, errors.New("serials: Deps.Keyring is required (it keys request fingerprints)")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Zone == nil {
		d.Zone = time.UTC
	}
	if d.Serials == nil {
		c, err := NewSerialCache(cache.Config[[]SerialMatch]{})
		if err != nil {
			return nil, err
		}
		d.Serials = c
	}
	s := &serials{Deps: d}
	return &Application{
		Items:       Items{s},
		Units:       Units{s},
		Stock:       Stock{s},
		Recalls:     Recalls{s},
		Maintenance: Maintenance{s},
		Usage:       Usage{s},
		Fulfillment: Fulfillment{s},
	}, nil
}

// serials is what every handler shares.
type serials struct {
	Deps
}

// today is the calendar date now in the service's zone.
func (s *serials) today() civil.Date { return civil.Of(s.Now().In(s.Zone)) }
