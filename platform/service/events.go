package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/revocation"
)

// EventBus is what a service publishes to and consumes from: RabbitMQ when
// AMQP_URL is set, the in-process bus otherwise.
type EventBus interface {
	bus.Publisher
	bus.Subscriber
	bus.StreamSubscriber
}

// Worker is a background loop of a service (an event consumer, a webhook
// dispatcher). Run returns nil when its context ends; an error stops the
// service.
type Worker struct {
	Name string
	Run  func(ctx context.Context) error
}

// openBus connects to the broker, or stands the in-process bus in for it
// outside staging and production. The returned close releases it.
func openBus(ctx context.Context, name string, common config.Common, logger *slog.Logger, reg prometheus.Registerer) (EventBus, func(), error) {
	if common.AMQPURL == "" {
		if common.Environment == config.EnvProduction || common.Environment == config.EnvStaging {
			return nil, nil, fmt.Errorf("AMQP_URL: required in %s; the in-process bus reaches no other service", common.Environment)
		}
		logger.Warn("AMQP_URL not set: using the in-process bus; events reach only consumers in this process and wait in the outbox otherwise")
		return bus.NewMemory(bus.MemoryConfig{Logger: logger}), func() {}, nil
	}
	b, err := bus.Open(ctx, bus.Config{URL: common.AMQPURL, ConnectionName: name, Logger: logger, Registerer: reg})
	if err != nil {
		return nil, nil, fmt.Errorf("AMQP_URL: %w", err)
	}
	return b, func() {
		if err := b.Close(); err != nil && !errors.Is(err, bus.ErrClosed) {
			logger.Warn("closing the broker connection", slog.Any("error", err))
		}
	}, nil
}

// pinger is a dependency whose reachability the health status reflects.
type pinger interface {
	Ping(ctx context.Context) error
}

// dependencies returns what health watches: Postgres, the revocation set
// (a process that cannot tell revoked tokens refuses every call, so it does
// not report itself serving) and, when it can tell, the broker.
func dependencies(pool *pgxpool.Pool, b EventBus, revocations *revocation.Set) map[string]pinger {
	deps := map[string]pinger{"Postgres": pool, "the revocation stream": revocations}
	if p, ok := b.(pinger); ok {
		deps["the broker"] = p
	}
	return deps
}

// newRevocations is the set of revoked tokens this process refuses: fed
// from the broker's revocation stream, or, with the in-process bus (local
// runs only), trusted from the start and knowing only what happens in this
// process.
func newRevocations(b EventBus, logger *slog.Logger) *revocation.Set {
	if _, inProcess := b.(*bus.Memory); !inProcess {
		return revocation.New(revocation.Config{})
	}
	logger.Warn("no broker: token revocations of other processes are not seen; a logged-out token works until it expires")
	return revocation.Trusted(revocation.Config{})
}

// runRevocations feeds set from the broker's revocation stream until ctx
// ends; the in-process bus carries no other process's revocations.
func runRevocations(ctx context.Context, set *revocation.Set, b EventBus) error {
	if _, inProcess := b.(*bus.Memory); inProcess {
		<-ctx.Done()
		return nil
	}
	return set.Run(ctx, b)
}

// stage is a background loop the shutdown stops explicitly, in order.
type stage struct {
	name   string
	cancel context.CancelFunc
	done   chan error
}

// startStage runs fn with a context that only stop cancels (so the stages
// can be stopped one after another once the server has drained); an early
// error is reported to fail, which stops the service.
func startStage(parent context.Context, name string, fn func(context.Context) error, fail func(error)) *stage {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	s := &stage{name: name, cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := fn(ctx)
		if err != nil && ctx.Err() == nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		s.done <- err
	}()
	return s
}

// stop cancels the stage and waits for it.
func (s *stage) stop(logger *slog.Logger) {
	s.cancel()
	if err := <-s.done; err != nil && !errors.Is(err, context.Canceled) {
		logger.Warn("stopping "+s.name, slog.Any("error", err))
	}
}
