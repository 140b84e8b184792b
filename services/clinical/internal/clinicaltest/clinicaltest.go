// Package clinicaltest boots the clinical service for a test the way
// production runs it: a migrated clinical schema of its own on the real
// Postgres (RLS binding the runtime role), the real store sealing PHI with
// a fresh key ring, the use cases with an event recorder that holds events
// to the outbox contract, and the gRPC services behind the platform's whole
// interceptor chain on a loopback port. Tests call it over the wire with
// tokens minted for any company and roles.
package clinicaltest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/grpcapi"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
	"github.com/ariesone/ariesone/services/clinical/migrations"
)

// Schema is the clinical service's schema; its migrations name it and its
// group role (clinical_app).
const Schema = "clinical"

// Env is one test's clinical service.
type Env struct {
	DB     pgtest.Schema
	Ring   *keyring.Keyring
	Events *usecase.MemoryRecorder
	Store  *store.Store
	App    *app.Application
	Keys   *authtest.KeySet
	// Observed holds the server's audit records and log lines.
	Observed servertest.Observed

	Patients      clinicalv1.PatientServiceClient
	Payers        clinicalv1.PayerServiceClient
	Coverages     clinicalv1.CoverageServiceClient
	Prescribers   clinicalv1.PrescriberServiceClient
	WrittenOrders clinicalv1.WrittenOrderServiceClient
	Readiness     clinicalv1.ReadinessServiceClient
}

// NewStore returns a migrated schema and a store on it sealing with a
// fresh key ring, for store tests that need no server.
func NewStore(t testing.TB) (pgtest.Schema, *store.Store, *keyring.Keyring) {
	t.Helper()
	db := pgtest.NewServiceSchema(t, Schema, migrations.FS)
	ring := NewKeyring(t)
	return db, store.New(db.App, ring), ring
}

// NewKeyring returns a key ring of one fresh key (version 1).
func NewKeyring(t testing.TB) *keyring.Keyring { return keyringtest.New(t) }

// New boots the clinical service for t.
func New(t testing.TB) *Env {
	t.Helper()
	e := &Env{Events: usecasetest.Recorder(t), Keys: authtest.NewKeySet(t)}
	e.DB, e.Store, e.Ring = NewStore(t)
	e.App = app.NewApplication(app.Deps{
		Store:      e.Store,
		Keyring:    e.Ring,
		Pages:      pagetest.Sealer(t, e.Ring),
		UnitOfWork: e.DB.App,
		Snapshots:  e.DB.App,
		Events:     e.Events,
	})
	srv, obs := servertest.NewObserved(t, "clinical", e.Keys)
	e.Observed = obs
	grpcapi.Register(srv.GRPC(), e.App)
	conn := servertest.Start(t, srv)
	e.Patients = clinicalv1.NewPatientServiceClient(conn)
	e.Payers = clinicalv1.NewPayerServiceClient(conn)
	e.Coverages = clinicalv1.NewCoverageServiceClient(conn)
	e.Prescribers = clinicalv1.NewPrescriberServiceClient(conn)
	e.WrittenOrders = clinicalv1.NewWrittenOrderServiceClient(conn)
	e.Readiness = clinicalv1.NewReadinessServiceClient(conn)
	return e
}

// As returns a context calling as user subject of company with roles.
func (e *Env) As(company, subject string, roles ...string) context.Context {
	return e.Keys.As(company, subject, roles...)
}

// Tenant is a company and callers of it in the roles clinical tests need.
type Tenant struct {
	CompanyID string
	// Intake registers patients and orders and sees PHI (patients.*).
	Intake context.Context
	// Billing manages payers and coverages and sees PHI (patients.phi).
	Billing context.Context
	// Auditor reads everything but sees PHI masked (*.read only).
	Auditor context.Context
	// Warehouse has no clinical permission at all.
	Warehouse context.Context
	// BranchID is a location id of the company to serve patients from.
	BranchID string
}

// NewTenant returns a fresh company (clinical trusts the company id its
// tokens carry; it keeps no company table).
func (e *Env) NewTenant() Tenant {
	company := uuid.NewString()
	return Tenant{
		CompanyID: company,
		Intake:    e.As(company, uuid.NewString(), auth.RoleIntake),
		Billing:   e.As(company, uuid.NewString(), auth.RoleBilling),
		Auditor:   e.As(company, uuid.NewString(), auth.RoleAuditor),
		Warehouse: e.As(company, uuid.NewString(), auth.RoleWarehouse),
		BranchID:  uuid.NewString(),
	}
}
