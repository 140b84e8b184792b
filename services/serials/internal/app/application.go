package app

import (
	"context"
	"errors"
	"time"

	"github.com/ariesone/ariesone/platform/cache"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
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

// Repository is everything the use cases store and read; the service's
// store implements all of it on one schema.
type Repository interface {
	GetItem(ctx context.Context, id string) (*domain.Item, error)
	ListItems(ctx context.Context, q ItemQuery) ([]*domain.Item, error)
	CreateItem(ctx context.Context, it *domain.Item, requestID string, requestHash []byte) (*domain.Item, bool, error)
	UpdateItem(ctx context.Context, id string, fn func(*domain.Item) error) (*domain.Item, error)
	GetManufacturerRule(ctx context.Context, manufacturer string) (*domain.ManufacturerRule, error)
	ListManufacturerRules(ctx context.Context, after string, limit int) ([]*domain.ManufacturerRule, error)
	SetManufacturerRule(ctx context.Context, r *domain.ManufacturerRule, check func(current *domain.ManufacturerRule) error) (*domain.ManufacturerRule, error)
	DeleteManufacturerRule(ctx context.Context, manufacturer string, check func(current *domain.ManufacturerRule) error) (*domain.ManufacturerRule, error)

	GetUnit(ctx context.Context, id string) (*domain.Unit, error)
	ListUnits(ctx context.Context, q UnitQuery) ([]*domain.Unit, error)
	ReceiveUnit(ctx context.Context, u *domain.Unit, actorID, requestID string, requestHash []byte) (*domain.Unit, bool, error)
	BatchReceive(ctx context.Context, units []*domain.Unit, actorID, requestID string, requestHash []byte) ([]string, bool, error)
	ApplyTransaction(ctx context.Context, id string, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (Transition, error)
	ReserveUnit(ctx context.Context, r Reservation, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (tr Transition, held bool, err error)
	ReleaseReservation(ctx context.Context, orderLineID string, t domain.UnitTransaction, actorID string) (Transition, error)
	ListTransactions(ctx context.Context, unitID string, after []string, limit int) ([]*TransactionRecord, error)
	FindSerial(ctx context.Context, serial string) ([]SerialMatch, error)

	ListStock(ctx context.Context, q StockQuery) ([]*StockLevel, error)
	CountUnits(ctx context.Context, warehouseID string) ([]UnitCount, error)

	RecallHolders(ctx context.Context, q RecallQuery, after []string, limit int) ([]RecallHolder, error)
	SetRecalled(ctx context.Context, q RecallQuery, recalled bool) (int64, error)

	CreateMaintenance(ctx context.Context, r *domain.MaintenanceRecord, release bool, requestID string, requestHash []byte) (Maintained, bool, error)
	ListMaintenance(ctx context.Context, unitID string, after []string, limit int) ([]*domain.MaintenanceRecord, error)
	ListDue(ctx context.Context, warehouseID string, through civil.Date, after []string, limit int) ([]DueUnit, error)
	DueTenants(ctx context.Context, today civil.Date) ([]string, error)
	ClaimDue(ctx context.Context, today civil.Date, limit int) ([]DueUnit, error)

	RecordUsage(ctx context.Context, id string, readings []domain.NightUsage) (*domain.Unit, error)
	Usage(ctx context.Context, unitID, patientID string, start, end civil.Date) ([]domain.NightUsage, error)
}

// Warehouses answers whether a location is one of the caller's
// warehouses; company owns locations, so the service asks it. A location
// that is not (missing, another company's, a branch, inactive) is an
// errs.Invalid violation of field; an unreachable company is Unavailable.
type Warehouses interface {
	CheckWarehouse(ctx context.Context, field, id string) error
}

// Patients answers whether a patient is one of the caller's; clinical owns
// patients. A patient that is not is an errs.Invalid violation of field.
type Patients interface {
	CheckPatient(ctx context.Context, field, id string) error
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
