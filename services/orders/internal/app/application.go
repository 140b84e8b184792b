// Package app holds the orders use cases: price lists, and orders from
// draft to delivery and pickup. It asks clinical, company and serials what
// it needs to know now through the Peers interfaces, with the caller's
// token, and tells serials what moved through events.
package app

import (
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
)

// Application is the orders service's whole use-case surface, one group
// of commands and queries per resource.
type Application struct {
	PriceLists PriceLists
	Orders     Orders
	Claims     Claims
	Resupplies Resupplies
}

// Repository is everything the use cases store and read; the service's
// store implements all of it on one schema.
type Repository interface {
	PriceListRepository
	OrderRepository
	BillingRepository
	ResupplyRepository
}

// Keyring computes the keyed digests the use cases need (idempotency
// fingerprints); the service's key ring implements it.
type Keyring interface {
	BlindIndex(purpose, normalized string) []byte
}

// Deps are what the orders use cases are built from.
type Deps struct {
	Store   Repository
	Keyring Keyring
	// Pages seals the page tokens of every listing.
	Pages *page.Sealer
	// Peers answer what the other services own.
	Peers Peers
	// UnitOfWork makes each command's store calls and its events one
	// transaction.
	UnitOfWork usecase.UnitOfWork
	Events     usecase.EventRecorder
	// Now is the clock every use case reads (one injected clock: the
	// domain never reads the time itself); nil means the system clock.
	Now usecase.Clock
	// Zone is where "today" is judged (a delivery not in the future); nil
	// means UTC.
	Zone *time.Location
}

// NewApplication builds the orders commands and queries.
func NewApplication(d Deps) *Application {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Zone == nil {
		d.Zone = time.UTC
	}
	s := &supplier{Deps: d}
	return &Application{
		PriceLists: PriceLists{s},
		Orders:     Orders{s},
		Claims:     Claims{s},
		Resupplies: Resupplies{s},
	}
}

// supplier is what every orders handler shares.
type supplier struct {
	Deps
}

// today is the calendar date now in the service's zone.
func (s *supplier) today() civil.Date { return civil.Of(s.Now().In(s.Zone)) }
