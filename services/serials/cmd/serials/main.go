// Command serials tracks every serial-numbered unit a supplier owns, the stock per
// warehouse, maintenance, device usage and recalls, and moves units as orders'
// deliveries, pickups and cancellations tell.
//
// Configuration is by environment variable (see the README's table);
// ENCRYPTION_KEY is required, since page tokens are sealed with a key
// derived from it. The process exits non-zero, naming every bad variable,
// when it is wrong, and shuts down gracefully on SIGTERM.
package main

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/cache"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/peer"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/grpcapi"
	"github.com/ariesone/ariesone/services/serials/internal/peers"
	"github.com/ariesone/ariesone/services/serials/internal/store"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

func main() {
	service.Main(spec(&wiring{}))
}

// wiring holds what Configure reads and Register builds for Workers.
type wiring struct {
	companyAddr, clinicalAddr string
	dueSweepEvery             time.Duration
	// keyring keys request fingerprints; pages seals page tokens, with a
	// key derived from it.
	keyring *keyring.Keyring
	pages   *page.Sealer
	app     *app.Application
}

// spec describes the serials service to the platform's runner.
func spec(w *wiring) service.Spec {
	return service.Spec{
		Name:        "serials",
		DefaultPort: 8084,
		Migrations:  migrations.FS,
		Configure: func(e *config.Env) {
			w.keyring = service.LoadKeyring(e)
			w.pages = service.PageTokens(e, w.keyring)
			w.companyAddr = e.HostPorts("COMPANY_ADDR", "127.0.0.1:8081")
			w.clinicalAddr = e.HostPorts("CLINICAL_ADDR", "127.0.0.1:8082")
			w.dueSweepEvery = e.Duration("MAINTENANCE_SWEEP_INTERVAL", time.Hour)
		},
		Register: w.register,
		Workers:  w.workers,
	}
}

// register builds the use cases, with company and clinical asked about
// warehouses and patients, and ValidateSerial's cache on Redis when
// configured.
func (w *wiring) register(ctx context.Context, d *service.Deps) error {
	companyConn, err := peer.Dial(w.companyAddr, "ariesone-serials")
	if err != nil {
		return err
	}
	clinicalConn, err := peer.Dial(w.clinicalAddr, "ariesone-serials")
	if err != nil {
		return err
	}
	context.AfterFunc(ctx, func() { companyConn.Close(); clinicalConn.Close() })
	cfg := cache.Config[[]app.SerialMatch]{Logger: d.Logger, Registerer: d.Registry}
	if addr := d.Config.RedisAddr(); addr != "" {
		client := cache.NewRedisClient(addr, d.Config.RedisPassword)
		context.AfterFunc(ctx, func() { client.Close() })
		cfg.Redis = client
	}
	serialCache, err := app.NewSerialCache(cfg)
	if err != nil {
		return err
	}
	st := store.New(d.DB)
	if err := d.Registry.Register(app.NewFleetCollector(st, d.Logger)); err != nil {
		return err
	}
	w.app, err = app.NewApplication(app.Deps{
		Store:          st,
		UnitOfWork:     d.DB,
		Events:         service.UseCaseEvents(d.Events),
		Warehouses:     peers.NewWarehouses(companyConn),
		Patients:       peers.NewPatients(clinicalConn),
		Pages:          w.pages,
		Keyring:        w.keyring,
		Serials:        serialCache,
		BulkOperations: d.Config.Features.BulkOperations,
	})
	if err != nil {
		return err
	}
	grpcapi.Register(d.Server.GRPC(), w.app)
	return nil
}

// workers keep every replica's serial cache true from serials' own
// events, move units as orders' events tell (each event once, through the
// inbox), and announce units whose maintenance falls due.
func (w *wiring) workers(_ context.Context, d *service.Deps) ([]service.Worker, error) {
	fulfill := inbox.Handler(d.DB, app.OrdersConsumer, w.app.Fulfillment.ApplyOrderEvent)
	return []service.Worker{
		{Name: "serial cache invalidation", Run: func(ctx context.Context) error {
			return d.Bus.Consume(ctx, app.CacheSubscription, w.app.Units.Forget)
		}},
		{Name: app.OrdersConsumer, Run: func(ctx context.Context) error {
			return d.Bus.Consume(ctx, app.OrdersSubscription, fulfill)
		}},
		service.Periodic("maintenance due sweep", "units", w.dueSweepEvery, d.Logger, w.app.Maintenance.AnnounceDue),
	}, nil
}
