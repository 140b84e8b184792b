// Package orderstest boots the orders service for a test the way
// production runs it: a migrated orders schema of its own on the real
// Postgres (RLS binding the runtime role), the real store, the use cases
// with an event recorder held to the outbox contract, and the gRPC
// services behind the platform's whole interceptor chain on a loopback
// port. The other services orders asks (company, clinical, serials) are
// stood in for by Peers, an in-memory world the test arranges; the
// end-to-end tests drive the real ones.
package orderstest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/clock"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/grpcapi"
	"github.com/ariesone/ariesone/services/orders/internal/store"
	"github.com/ariesone/ariesone/services/orders/migrations"
)

// Schema is the orders service's schema; its migrations name it and its
// group role (orders_app).
const Schema = "orders"

// Env is one test's orders service.
type Env struct {
	DB   pgtest.Schema
	Ring *keyring.Keyring
	// Events are the events recorded, when New keeps them in memory.
	Events *usecase.MemoryRecorder
	Store  *store.Store
	Peers  *Peers
	App    *app.Application
	Keys   *authtest.KeySet
	// Observed holds the server's audit records and log lines.
	Observed servertest.Observed
	// Clock is the use cases' clock: the real time until a test sets it.
	Clock *clock.Adjustable
	// events is what every replica records with.
	events usecase.EventRecorder

	Orders     ordersv1.OrderServiceClient
	PriceLists ordersv1.PriceListServiceClient
	Claims     ordersv1.ClaimServiceClient
	Resupplies ordersv1.ResupplyServiceClient
}

// NewStore returns a migrated schema and a store on it, for store tests
// that need no server.
func NewStore(t testing.TB) (pgtest.Schema, *store.Store) {
	t.Helper()
	db := pgtest.NewServiceSchema(t, Schema, migrations.FS)
	return db, store.New(db.App)
}

// New boots the orders service for t, its events kept in memory (Events).
func New(t testing.TB) *Env {
	t.Helper()
	events := usecasetest.Recorder(t)
	e := NewWithEvents(t, events)
	e.Events = events
	return e
}

// NewWithEvents boots the orders service for t recording its events with
// events (the outbox, for a benchmark).
func NewWithEvents(t testing.TB, events usecase.EventRecorder) *Env {
	t.Helper()
	e := &Env{Keys: authtest.NewKeySet(t), Peers: NewPeers(), Ring: keyringtest.New(t), Clock: clock.NewAdjustable()}
	e.DB, e.Store = NewStore(t)
	e.events = events
	e.App = e.NewReplica(t)
	srv, obs := servertest.NewObserved(t, "orders", e.Keys)
	e.Observed = obs
	grpcapi.Register(srv.GRPC(), e.App)
	conn := servertest.Start(t, srv)
	e.Orders = ordersv1.NewOrderServiceClient(conn)
	e.PriceLists = ordersv1.NewPriceListServiceClient(conn)
	e.Claims = ordersv1.NewClaimServiceClient(conn)
	e.Resupplies = ordersv1.NewResupplyServiceClient(conn)
	return e
}

// NewReplica builds another orders application on the same schema, peers,
// clock and events, as a second replica of the service is: what two
// processes would race on, they race on here.
func (e *Env) NewReplica(t testing.TB) *app.Application {
	return app.NewApplication(app.Deps{
		Store:      store.New(e.DB.App),
		Keyring:    e.Ring,
		Pages:      pagetest.Sealer(t, e.Ring),
		Peers:      e.Peers,
		UnitOfWork: e.DB.App,
		Events:     e.events,
		Now:        e.Clock.Now,
	})
}

// As returns a context calling as user subject of company with roles.
func (e *Env) As(company, subject string, roles ...string) context.Context {
	return e.Keys.As(company, subject, roles...)
}

// Caller is a context of the app layer calling as user subject of company
// with roles, for use-case tests that skip the wire.
func Caller(company string, roles ...string) context.Context {
	return usecasetest.As(company, uuid.NewString(), roles...)
}

// Tenant is a company, callers of it, and the items and payers the peers
// know of it.
type Tenant struct {
	CompanyID string
	// Billing manages price lists (price_lists.*) and reads items and
	// payers.
	Billing context.Context
	// Auditor reads everything.
	Auditor context.Context
	// Intake reads no price lists.
	Intake context.Context
	// CPAP (E0601, serialized) and Mask (A7034) are serials items;
	// Medicare and Medicaid clinical payers.
	CPAP, Mask         string
	Medicare, Medicaid string
}

// NewTenant returns a fresh company with two items and two payers.
func (e *Env) NewTenant() Tenant {
	company := uuid.NewString()
	t := Tenant{
		CompanyID: company,
		Billing:   e.As(company, uuid.NewString(), auth.RoleBilling),
		Auditor:   e.As(company, uuid.NewString(), auth.RoleAuditor),
		Intake:    e.As(company, uuid.NewString(), auth.RoleIntake),
		CPAP:      uuid.NewString(), Mask: uuid.NewString(),
		Medicare: uuid.NewString(), Medicaid: uuid.NewString(),
	}
	e.Peers.AddItem(company, app.Item{ID: t.CPAP, HCPCS: "E0601", Serialized: true})
	e.Peers.AddItem(company, app.Item{ID: t.Mask, HCPCS: "A7034"})
	e.Peers.AddPayer(company, t.Medicare)
	e.Peers.AddPayer(company, t.Medicaid)
	return t
}
