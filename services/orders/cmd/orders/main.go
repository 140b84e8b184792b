// Command orders runs equipment orders from draft to delivery and pickup,
// priced from the company's price lists.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import (
	"context"
	"time"

	"google.golang.org/grpc"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/peer"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/grpcapi"
	"github.com/ariesone/ariesone/services/orders/internal/peers"
	"github.com/ariesone/ariesone/services/orders/internal/store"
	"github.com/ariesone/ariesone/services/orders/migrations"
)

func main() {
	service.Main(spec(&wiring{}))
}

// wiring holds what Configure reads and Register builds for Workers.
type wiring struct {
	companyAddr, clinicalAddr, serialsAddr string
	// billingEvery is how often the billing run bills what is due.
	billingEvery time.Duration
	keyring      *keyring.Keyring
	// pages seals page tokens, with a key derived from ENCRYPTION_KEY.
	pages *page.Sealer
	app   *app.Application
}

// spec describes the orders service to the platform's runner.
func spec(w *wiring) service.Spec {
	return service.Spec{
		Name:        "orders",
		DefaultPort: 8083,
		Migrations:  migrations.FS,
		Configure: func(e *config.Env) {
			w.keyring = service.LoadKeyring(e)
			w.pages = service.PageTokens(e, w.keyring)
			w.companyAddr = e.HostPorts("COMPANY_ADDR", "127.0.0.1:8081")
			w.clinicalAddr = e.HostPorts("CLINICAL_ADDR", "127.0.0.1:8082")
			w.serialsAddr = e.HostPorts("SERIALS_ADDR", "127.0.0.1:8084")
			w.billingEvery = e.Duration("BILLING_INTERVAL", time.Hour)
		},
		Register: w.register,
		Workers:  w.workers,
	}
}

// register builds the use cases, asking company, clinical and serials
// with the caller's token.
func (w *wiring) register(ctx context.Context, d *service.Deps) error {
	var conns [3]*grpc.ClientConn
	for i, addr := range []string{w.companyAddr, w.clinicalAddr, w.serialsAddr} {
		conn, err := peer.Dial(addr, "ariesone-orders")
		if err != nil {
			return err
		}
		context.AfterFunc(ctx, func() { conn.Close() })
		conns[i] = conn
	}
	w.app = app.NewApplication(app.Deps{
		Store:      store.New(d.DB),
		Keyring:    w.keyring,
		Pages:      w.pages,
		Peers:      peers.New(conns[0], conns[1], conns[2]),
		UnitOfWork: d.DB,
		Events:     service.UseCaseEvents(d.Events),
		Now:        d.Now,
	})
	grpcapi.Register(d.Server.GRPC(), w.app)
	return nil
}

// workers consume what serials says of the units orders asked it to
// move, each event applied once (the inbox), and bill the rental months
// that fall due: at start and every BILLING_INTERVAL, each run idempotent
// per line and month, so replicas may run it at once.
func (w *wiring) workers(_ context.Context, d *service.Deps) ([]service.Worker, error) {
	handler := inbox.Handler(d.DB, app.FulfilmentConsumer, w.app.Orders.ConsumeFulfilment)
	return []service.Worker{
		{Name: app.FulfilmentConsumer, Run: func(ctx context.Context) error {
			return d.Bus.Consume(ctx, app.FulfilmentSubscription, handler)
		}},
		service.Periodic("billing run", "claim lines", w.billingEvery, d.Logger, func(ctx context.Context) (int, error) {
			run, err := w.app.Claims.BillAll(ctx)
			return run.Created, err
		}),
	}, nil
}
