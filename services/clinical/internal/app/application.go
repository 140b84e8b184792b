package app

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
)

// Application is the clinical service's whole use-case surface, one group
// of commands and queries per resource.
type Application struct {
	Patients      Patients
	Payers        Payers
	Coverages     Coverages
	Prescribers   Prescribers
	WrittenOrders WrittenOrders
	Readiness     Readiness
}

// Repository is everything the use cases store and read; the service's
// store implements all of it on one schema.
type Repository interface {
	PatientRepository
	PayerRepository
	CoverageRepository
	PrescriberRepository
	WrittenOrderRepository
	ReadinessRepository
}

// Snapshots runs fn with a context whose repository reads all see the
// database as of one moment; the service's *postgres.DB implements it
// (InSnapshot).
type Snapshots interface {
	InSnapshot(ctx context.Context, fn func(ctx context.Context) error) error
}

// unitSnapshots stands the unit of work in for Snapshots.
type unitSnapshots struct{ usecase.UnitOfWork }

func (u unitSnapshots) InSnapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	return u.InTx(ctx, fn)
}

// Keyring computes the keyed digests the use cases need (idempotency
// fingerprints); the service's AES-GCM key ring implements it.
type Keyring interface {
	BlindIndex(purpose, normalized string) []byte
}

// Deps are what the clinical use cases are built from.
type Deps struct {
	Store   Repository
	Keyring Keyring
	// Pages seals the page tokens of every listing: ListPatients' and
	// SearchPatients' carry names.
	Pages *page.Sealer
	// Eligibility answers eligibility inquiries; nil means the rules-based
	// stand-in (RulesEligibility).
	Eligibility EligibilityChecker
	// UnitOfWork makes each command's store calls and its events one
	// transaction.
	UnitOfWork usecase.UnitOfWork
	// Snapshots runs the reads of a query that weighs several tables
	// together (readiness) in one consistent snapshot; nil means the unit
	// of work, whose reads each see their own moment.
	Snapshots Snapshots
	Events    usecase.EventRecorder
	// Now is the clock; nil means the system clock.
	Now usecase.Clock
	// Zone is where "today" is judged (a birth date not in the future, an
	// order's expiry); nil means UTC.
	Zone *time.Location
}

// NewApplication builds the clinical commands and queries.
func NewApplication(d Deps) *Application {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Zone == nil {
		d.Zone = time.UTC
	}
	if d.Snapshots == nil {
		d.Snapshots = unitSnapshots{d.UnitOfWork}
	}
	if d.Eligibility == nil {
		d.Eligibility = RulesEligibility{}
	}
	c := &clinic{Deps: d}
	return &Application{
		Patients:      Patients{c},
		Payers:        Payers{c},
		Coverages:     Coverages{c},
		Prescribers:   Prescribers{c},
		WrittenOrders: WrittenOrders{c},
		Readiness:     Readiness{c},
	}
}

// clinic is what every clinical handler shares.
type clinic struct {
	Deps
}

// today is the calendar date now in the service's zone.
func (c *clinic) today() civil.Date { return civil.Of(c.Now().In(c.Zone)) }
