// Command notify consumes every event: the hash-chained audit trail, in-app
// notifications, partner webhooks and the live event stream.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/grpcapi"
	"github.com/ariesone/ariesone/services/notify/internal/store"
	"github.com/ariesone/ariesone/services/notify/internal/trailmetrics"
	"github.com/ariesone/ariesone/services/notify/internal/webhook"
	"github.com/ariesone/ariesone/services/notify/migrations"
)

func main() {
	service.Main(spec())
}

// wiring holds what Configure reads and Register builds for Workers.
type wiring struct {
	keyring *keyring.Keyring
	// pages seals page tokens, with a key derived from keyring.
	pages    *page.Sealer
	webhooks webhook.Settings
	// app is the API's use cases; its WebhookDeliveries schedule the
	// deliveries of the events the workers consume.
	app  *app.Application
	live *app.LiveEvents
}

// spec describes the notify service to the platform's runner.
func spec() service.Spec {
	w := &wiring{}
	return service.Spec{
		Name:        "notify",
		DefaultPort: 8085,
		Migrations:  migrations.FS,
		Configure: func(e *config.Env) {
			w.keyring = service.LoadKeyring(e)
			w.pages = service.PageTokens(e, w.keyring)
			w.webhooks = webhook.LoadSettings(e)
		},
		Register: w.register,
		Workers:  w.workers,
	}
}

// register serves the audit trail, notifications, event log, live stream
// and webhook subscriptions.
func (w *wiring) register(_ context.Context, d *service.Deps) error {
	s := store.New(d.DB)
	w.live = app.NewLiveEvents(app.DefaultWatcherBuffer)
	w.app = app.NewApplication(app.Deps{
		Store:                s,
		Webhooks:             store.NewWebhookStore(d.DB),
		Keyring:              w.keyring,
		Pages:                w.pages,
		Live:                 w.live,
		Revocations:          d.Revocations,
		AllowInsecureTargets: w.webhooks.AllowInsecureTargets,
	})
	grpcapi.Register(d.Server.GRPC(), w.app, d.Config.Features.RealTimeUpdates)
	grpcapi.RegisterWebhooks(d.Server.GRPC(), w.app)
	return nil
}

// workers consume every event (exactly once, through the inbox), feed the
// live stream, and deliver webhooks.
func (w *wiring) workers(ctx context.Context, d *service.Deps) ([]service.Worker, error) {
	s := store.New(d.DB)
	trail, err := trailmetrics.New(d.Registry)
	if err != nil {
		return nil, err
	}
	consumer := app.NewEventConsumer(app.ConsumerDeps{
		Tenants: s, Audit: s, Events: s, Recipients: s, Rules: s, Notifications: s,
		Webhooks: w.app.WebhookDeliveries, Ingest: trail,
	})
	handler := inbox.Handler(d.DB, app.EventsConsumer, consumer.Consume)
	dispatcher, err := webhook.NewDispatcher(webhook.DispatcherConfig{
		Queue: store.NewWebhookStore(d.DB), Keyring: w.keyring, Settings: w.webhooks,
		Logger: d.Logger, Registerer: d.Registry,
	})
	if err != nil {
		return nil, err
	}
	workers := []service.Worker{
		{Name: app.EventsConsumer, Run: func(wctx context.Context) error {
			return d.Bus.Consume(wctx, app.EventsSubscription, handler)
		}},
		// The live hub ends with the process's own context (not its stage's):
		// open WatchEvents streams would otherwise hold the server's drain
		// until the shutdown timeout.
		{Name: "live events", Run: func(context.Context) error { return w.live.Run(ctx, d.Bus) }},
		{Name: "webhook dispatcher", Run: dispatcher.Run},
	}
	if probe, ok := d.Bus.(queueProbe); ok {
		workers = append(workers, service.Worker{Name: "audit trail lag", Run: func(wctx context.Context) error {
			return trail.Watch(wctx, func(ctx context.Context) (int, error) {
				return probe.QueueDepth(ctx, app.EventsConsumer)
			}, time.Second)
		}})
	}
	return workers, nil
}

// queueProbe is a bus that can tell how many messages wait in a queue
// (RabbitMQ's can).
type queueProbe interface {
	QueueDepth(ctx context.Context, queue string) (int, error)
}
