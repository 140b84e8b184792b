// Package serialstest boots the serials service for a test the way
// production runs it: a migrated serials schema of its own on the real
// Postgres (RLS binding the runtime role), the real store, the use cases
// with an event recorder that holds events to the outbox contract, and the
// gRPC services behind the platform's whole interceptor chain on a
// loopback port. Company and clinical are stood in for by registries of
// the warehouses and patients a test declares: the peers' own clients are
// tested against them in the end-to-end mesh.
package serialstest

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/cache"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/grpcapi"
	"github.com/ariesone/ariesone/services/serials/internal/store"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

// Env is one test's serials service.
type Env struct {
	DB       pgtest.Schema
	Events   *usecase.MemoryRecorder
	Store    *store.Store
	App      *app.Application
	Cache    *cache.Cache[[]app.SerialMatch]
	Keys     *authtest.KeySet
	Observed servertest.Observed
	Peers    *Peers

	Items       serialsv1.ItemServiceClient
	Units       serialsv1.UnitServiceClient
	Stock       serialsv1.StockServiceClient
	Recalls     serialsv1.RecallServiceClient
	Maintenance serialsv1.MaintenanceServiceClient
	Usage       serialsv1.UsageServiceClient
}

// Options change the service a test boots.
type Options struct {
	// BulkOperations turns FEATURE_BULK_OPERATIONS on.
	BulkOperations bool
	// Cache configures ValidateSerial's cache (Redis, say); its name and
	// codec are set by the service.
	Cache cache.Config[[]app.SerialMatch]
}

// New boots the serials service for t.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	e := &Env{Events: usecasetest.Recorder(t), Keys: authtest.NewKeySet(t), Peers: NewPeers()}
	e.DB = pgtest.NewServiceSchema(t, "serials", migrations.FS)
	e.Store = store.New(e.DB.App)
	var err error
	if e.Cache, err = app.NewSerialCache(opts.Cache); err != nil {
		t.Fatal(err)
	}
	e.App, err = app.NewApplication(app.Deps{
		Store: e.Store, UnitOfWork: e.DB.App, Events: e.Events, Warehouses: e.Peers, Patients: e.Peers,
		Pages: pagetest.Sealer(t, keyringtest.New(t)), Keyring: keyringtest.New(t),
		Serials: e.Cache, BulkOperations: opts.BulkOperations,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, obs := servertest.NewObserved(t, "serials", e.Keys)
	e.Observed = obs
	grpcapi.Register(srv.GRPC(), e.App)
	conn := servertest.Start(t, srv)
	e.Items = serialsv1.NewItemServiceClient(conn)
	e.Units = serialsv1.NewUnitServiceClient(conn)
	e.Stock = serialsv1.NewStockServiceClient(conn)
	e.Recalls = serialsv1.NewRecallServiceClient(conn)
	e.Maintenance = serialsv1.NewMaintenanceServiceClient(conn)
	e.Usage = serialsv1.NewUsageServiceClient(conn)
	return e
}

// As returns a context calling as user subject of company with roles.
func (e *Env) As(company, subject string, roles ...string) context.Context {
	return e.Keys.As(company, subject, roles...)
}

// Tenant is a company, callers of it, and its warehouses and patients.
type Tenant struct {
	CompanyID string
	// Admin may do everything serials offers, rent to patients included.
	Admin context.Context
	// Warehouse receives, moves and validates units (serials.*, items.*,
	// stock.*); it reads no patients, so it cannot rent.
	Warehouse context.Context
	// Technician records maintenance and usage and reads units.
	Technician context.Context
	// Auditor reads everything.
	Auditor  context.Context
	WH1, WH2 string
	Patient  string
}

// NewTenant returns a fresh company with two warehouses and a patient.
func (e *Env) NewTenant() Tenant {
	company := uuid.NewString()
	t := Tenant{
		CompanyID:  company,
		Admin:      e.As(company, uuid.NewString(), auth.RoleAdmin),
		Warehouse:  e.As(company, uuid.NewString(), auth.RoleWarehouse),
		Technician: e.As(company, uuid.NewString(), auth.RoleTechnician),
		Auditor:    e.As(company, uuid.NewString(), auth.RoleAuditor),
		WH1:        uuid.NewString(), WH2: uuid.NewString(), Patient: uuid.NewString(),
	}
	e.Peers.AddWarehouse(company, t.WH1)
	e.Peers.AddWarehouse(company, t.WH2)
	e.Peers.AddPatient(company, t.Patient)
	return t
}

// Peers stands in for company's warehouses and clinical's patients: it
// answers as the peers' clients do, for the caller's company only, and
// refuses a caller without the read permission the real owner demands.
type Peers struct {
	mu         sync.Mutex
	warehouses map[string]string
	patients   map[string]string
}

// NewPeers returns empty registries.
func NewPeers() *Peers {
	return &Peers{warehouses: map[string]string{}, patients: map[string]string{}}
}

// AddWarehouse registers a warehouse of company.
func (p *Peers) AddWarehouse(company, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.warehouses[id] = company
}

// AddPatient registers a patient of company.
func (p *Peers) AddPatient(company, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.patients[id] = company
}

// CheckWarehouse implements app.Warehouses.
func (p *Peers) CheckWarehouse(ctx context.Context, field, id string) error {
	return p.check(ctx, p.warehouses, "locations.read", field, id, "names no location of the company")
}

// CheckPatient implements app.Patients.
func (p *Peers) CheckPatient(ctx context.Context, field, id string) error {
	return p.check(ctx, p.patients, "patients.read", field, id, "names no patient of the company")
}

func (p *Peers) check(ctx context.Context, registry map[string]string, permission, field, id, missing string) error {
	caller, ok := identity.FromContext(ctx)
	if !ok {
		return errs.Unauthenticated("no caller")
	}
	if !auth.Permits(caller.Roles, permission) {
		return errs.PermissionDenied("checking " + field + " needs the " + permission + " permission")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if registry[id] != caller.CompanyID {
		return errs.Invalid(errs.FieldViolation{Field: field, Description: missing})
	}
	return nil
}
