// Package service is the composition root every AriesOne service shares:
// read and validate the configuration, connect to Postgres and migrate the
// service's schema, build the gRPC server with the platform's interceptor
// chain, let the service register its handlers, then serve gRPC, metrics and
// health until the process is told to stop. A service's main is left with
// only what differs between services: its name, schema, migrations and
// handlers.
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ariesone/ariesone/platform/auditsink"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/buildinfo"
	"github.com/ariesone/ariesone/platform/clientip"
	"github.com/ariesone/ariesone/platform/clock"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/outbox"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/revocation"
	"github.com/ariesone/ariesone/platform/server"
	"github.com/ariesone/ariesone/platform/telemetry"
)

// Spec is what makes one service different from another.
type Spec struct {
	// Name of the service, also its Postgres schema ("clinical").
	Name string
	// DefaultPort is the gRPC port when API_PORT is not set.
	DefaultPort int
	// Migrations holds the service's .sql migrations at its root; nil when
	// the service has no tables yet.
	Migrations fs.FS
	// Configure reads the service's own environment variables (token
	// lifetimes, peer addresses...) into the service's closure. Problems
	// recorded in e are reported with every other bad variable, before
	// anything starts.
	Configure func(e *config.Env)
	// Verifier, when set, replaces the JWKS-backed token verifier. company
	// uses it: it verifies the tokens it issues with its own keys rather than
	// fetching its own key set over HTTP. d.Server is nil when it runs.
	Verifier func(ctx context.Context, d *Deps) (auth.TokenVerifier, error)
	// Register adds the service's handlers to the server. It runs after the
	// schema is migrated and before serving starts.
	Register func(ctx context.Context, d *Deps) error
	// HTTP adds routes to the operations HTTP server (METRICS_PORT), next to
	// /metrics; company publishes /.well-known/jwks.json there for the other
	// services.
	HTTP func(mux *http.ServeMux, d *Deps)
	// Workers returns the service's background loops (event consumers, a
	// webhook dispatcher). They start after Register and stop after the
	// server has drained its calls, before the audit sink and the outbox
	// relay flush.
	Workers func(ctx context.Context, d *Deps) ([]Worker, error)
}

// Deps are the shared dependencies a service's handlers are built from.
type Deps struct {
	Config   config.Common
	DB       *postgres.DB
	Logger   *slog.Logger
	Registry *prometheus.Registry
	Server   *server.Server
	// Bus is the event bus, for consumers; publishing goes through Events
	// and the outbox relay, never straight to the bus.
	Bus EventBus
	// Events appends the service's domain events to its outbox, in the
	// unit of work of the context.
	Events *outbox.Recorder
	// Revocations are the tokens company has revoked; every call is checked
	// against them, and a long-lived stream should check again as it goes.
	Revocations *revocation.Set
	// Clock is what the use cases take as now: the system clock, or with
	// CLOCK_ADJUSTABLE one that PUT /debug/clock on the operations port
	// sets.
	Clock clock.Clock
}

// Now is the time on the service's clock (the system clock when Clock is
// unset, as in tests that build Deps by hand).
func (d *Deps) Now() time.Time {
	if d.Clock == nil {
		return time.Now()
	}
	return d.Clock.Now()
}

// Env looks up an environment variable; os.LookupEnv in production.
type Env func(string) (string, bool)

// Listeners lets tests serve on ports they chose (":0"); nil fields are
// opened from API_PORT and METRICS_PORT.
type Listeners struct {
	GRPC    net.Listener
	Metrics net.Listener
}

// Run runs the service until ctx ends, then shuts down gracefully. It returns
// a configuration error naming every bad variable before touching anything.
func Run(ctx context.Context, spec Spec, env Env, logOut io.Writer, lis Listeners) error {
	e := config.New(env)
	common := config.LoadCommon(e, spec.Name, spec.DefaultPort)
	dbCfg := config.LoadDatabase(e, "ariesone")
	if common.JWKSURL == "" && spec.Verifier == nil {
		e.Required("JWKS_URL")
	}
	if spec.Configure != nil {
		spec.Configure(e)
	}
	classes := rateClasses(e, common.RateLimits)
	trusted, err := clientip.ParseTrusted(common.TrustedProxies)
	if err != nil {
		e.Invalid("TRUSTED_PROXIES", strings.Join(common.TrustedProxies, ","), err.Error())
	}
	if err := e.Err(); err != nil {
		return err
	}

	logger := telemetry.NewLogger(logOut, spec.Name, common.LogLevel)
	shutdownTracing, err := telemetry.SetupTracing(ctx, spec.Name, common.OTLPEndpoint)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer flush(logger, "tracing", shutdownTracing)

	pool, keyErr, err := connectAndMigrate(ctx, spec, dbCfg, common, logger)
	if err != nil {
		return err
	}
	if keyErr != nil {
		logger.Error("reporting NOT_SERVING: " + keyErr.Error())
	}
	defer pool.Close()

	registry := telemetry.NewRegistry(spec.Name)
	eventBus, closeBus, err := openBus(ctx, spec.Name, common, logger, registry)
	if err != nil {
		return err
	}
	defer closeBus()
	deps := &Deps{
		Config: common, DB: postgres.NewDB(pool), Logger: logger, Registry: registry,
		Bus: eventBus, Events: outbox.NewRecorder(spec.Name, nil), Clock: clock.System{},
	}
	if common.ClockAdjustable {
		deps.Clock = clock.NewAdjustable()
		logger.Warn("CLOCK_ADJUSTABLE: the use cases' clock can be set on the operations port")
	}
	relay, err := outbox.NewRelay(outbox.RelayConfig{
		Pool: pool, Schema: spec.Name, Publisher: eventBus, Logger: logger, Registerer: registry,
	})
	if err != nil {
		return err
	}
	auditSink, err := auditsink.New(auditsink.Config{DB: deps.DB, Service: spec.Name, Logger: logger, Registerer: registry})
	if err != nil {
		return err
	}
	verifier, err := newVerifier(ctx, spec, deps)
	if err != nil {
		return err
	}
	deps.Revocations = newRevocations(eventBus, logger)
	limiter, closeLimiter, err := ratelimit.Open(classes, ratelimit.Backend{
		RedisAddr:     common.RedisAddr(),
		RedisPassword: common.RedisPassword,
		KeyPrefix:     ratelimit.DefaultKeyPrefix + spec.Name + ":",
	})
	if err != nil {
		return err
	}
	defer closeLimiter()

	srv, err := server.New(server.Config{
		Name:            spec.Name,
		Logger:          logger,
		Registry:        registry,
		Verifier:        verifier,
		Revocations:     deps.Revocations,
		Limiter:         limiter,
		Audit:           auditSink,
		Tracing:         common.OTLPEndpoint != "",
		TrustedProxies:  trusted,
		DefaultTimeout:  common.RequestTimeout,
		ShutdownTimeout: common.ShutdownTimeout,
	})
	if err != nil {
		return err
	}
	deps.Server = srv
	if spec.Register != nil {
		if err := spec.Register(ctx, deps); err != nil {
			return fmt.Errorf("registering %s handlers: %w", spec.Name, err)
		}
	}
	var workers []Worker
	if spec.Workers != nil {
		if workers, err = spec.Workers(ctx, deps); err != nil {
			return fmt.Errorf("starting %s workers: %w", spec.Name, err)
		}
	}

	if lis.GRPC == nil {
		if lis.GRPC, err = net.Listen("tcp", ":"+strconv.Itoa(common.APIPort)); err != nil {
			return fmt.Errorf("API_PORT %d: %w", common.APIPort, err)
		}
	}
	if lis.Metrics == nil {
		if lis.Metrics, err = net.Listen("tcp", ":"+strconv.Itoa(common.MetricsPort)); err != nil {
			return fmt.Errorf("METRICS_PORT %d: %w", common.MetricsPort, err)
		}
	}
	logger.Info("serving", "version", buildinfo.Version(), "grpc", lis.GRPC.Addr().String(), "metrics", lis.Metrics.Addr().String())

	// The event pipeline runs beside the server and stops after it, in
	// order: consumers first, then the audit sink flushes the drained
	// calls' records to the outbox, then the relay publishes what is left.
	runCtx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	relayStage := startStage(ctx, "outbox relay", relay.Run, fail)
	revocationStage := startStage(ctx, "revocations", func(ctx context.Context) error { return runRevocations(ctx, deps.Revocations, eventBus) }, fail)
	sinkStage := startStage(ctx, "audit sink", auditSink.Run, fail)
	var workerStages []*stage
	for _, w := range workers {
		workerStages = append(workerStages, startStage(ctx, w.Name, w.Run, fail))
	}

	g, gctx := errgroup.WithContext(runCtx)
	g.Go(func() error { return srv.Serve(gctx, lis.GRPC) })
	g.Go(func() error { return serveOps(gctx, lis.Metrics, spec, deps) })
	g.Go(func() error {
		deps := dependencies(pool, eventBus, deps.Revocations)
		if keyErr != nil {
			deps["the encryption key"] = failing{keyErr}
		}
		var degradable map[string]pinger
		if f, ok := limiter.(*ratelimit.Failover); ok {
			degradable = map[string]pinger{DependencyRedis: f}
		}
		watchDependencies(gctx, dependencySet{required: deps, degradable: degradable}, srv, newDependencyGauge(registry), logger)
		return nil
	})
	err = g.Wait()
	for _, s := range workerStages {
		s.stop(logger)
	}
	sinkStage.stop(logger)
	relayStage.stop(logger)
	revocationStage.stop(logger)
	if cause := context.Cause(runCtx); err == nil && cause != nil && ctx.Err() == nil {
		err = cause
	}
	logger.Info("stopped")
	return err
}

// connectAndMigrate migrates the service's schema (or, with
// DB_MIGRATE_ON_START=false, checks that the migration step did), checks
// the encryption key against it, and opens the serving pool. A key that
// cannot open the schema's data is returned as keyErr, beside a working
// pool: the service then runs, reporting NOT_SERVING with the reason,
// rather than serving errors on every sealed value or dying without saying
// why to its health checks.
func connectAndMigrate(ctx context.Context, spec Spec, dbCfg config.Database, common config.Common, logger *slog.Logger) (pool *pgxpool.Pool, keyErr error, err error) {
	if dbCfg.MigrateOnStart {
		if keyErr, err = migrate(ctx, spec, dbCfg, common, logger); err != nil {
			return nil, nil, err
		}
	}
	pool, err = postgres.Open(ctx, postgres.Config{
		URL:             dbCfg.ConnString(),
		Schema:          spec.Name,
		ApplicationName: spec.Name,
		MaxConns:        int32(dbCfg.MaxConns),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to Postgres: %w", err)
	}
	if !dbCfg.MigrateOnStart {
		if err := postgres.CheckMigrated(ctx, pool, spec.Name, spec.Migrations); err != nil {
			pool.Close()
			return nil, nil, fmt.Errorf("DB_MIGRATE_ON_START=false: %w; run `%s migrate` with DB_MIGRATE_URL first", err, spec.Name)
		}
		if spec.Migrations != nil && common.EncryptionKey != "" {
			keyErr = verifyEncryptionKey(ctx, pool, spec.Name, common.EncryptionKey)
		}
	}
	return pool, keyErr, nil
}

// migrate applies the service's migrations as the schema owner and checks
// the encryption key; keyErr is ErrKeyMismatch when the key cannot open
// what the schema was initialised with.
func migrate(ctx context.Context, spec Spec, dbCfg config.Database, common config.Common, logger *slog.Logger) (keyErr error, err error) {
	appRole := ""
	if dbCfg.MigrateURL != "" {
		parsed, err := pgx.ParseConfig(dbCfg.ConnString())
		if err != nil {
			return nil, errors.New("DATABASE_URL: not a valid Postgres connection string")
		}
		appRole = parsed.User
	} else if common.Environment == config.EnvProduction {
		return nil, errors.New("DB_MIGRATE_URL: required in production, so the serving role does not own its tables and row-level security binds it")
	} else {
		logger.Warn("DB_MIGRATE_URL not set: serving as the schema owner; row-level security is not a second line of defence in this mode")
	}
	admin, err := postgres.Open(ctx, postgres.Config{URL: dbCfg.MigrateConnString(), ApplicationName: spec.Name + "-migrate", MaxConns: 2})
	if err != nil {
		return nil, fmt.Errorf("connecting to Postgres for migrations: %w", err)
	}
	defer admin.Close()
	err = postgres.Migrate(ctx, admin, spec.Name, appRole, spec.Migrations, postgres.WithMigrationLogger(logger))
	if err == nil && spec.Migrations != nil && common.EncryptionKey != "" {
		err = keyCheck(ctx, admin, spec.Name, common.EncryptionKey, logger)
	}
	if errors.Is(err, ErrKeyMismatch) {
		return err, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migrating schema %s: %w", spec.Name, err)
	}
	return nil, nil
}

// Migrate is `<service> migrate`: it applies the service's migrations as
// the owner (DB_MIGRATE_URL) and seals the encryption key check, then
// returns. A deployment runs it as a step of its own (a Kubernetes init
// container or Job) and starts the serving processes with
// DB_MIGRATE_ON_START=false, so they never hold the owner's credentials.
func Migrate(ctx context.Context, spec Spec, env Env, logOut io.Writer) error {
	e := config.New(env)
	common := config.LoadCommon(e, spec.Name, spec.DefaultPort)
	dbCfg := config.LoadDatabase(e, "ariesone")
	if err := e.Err(); err != nil {
		return err
	}
	logger := telemetry.NewLogger(logOut, spec.Name, common.LogLevel)
	keyErr, err := migrate(ctx, spec, dbCfg, common, logger)
	if err != nil {
		return err
	}
	if keyErr != nil {
		return keyErr
	}
	logger.Info("schema migrated", "schema", spec.Name, "version", buildinfo.Version())
	return nil
}

// Command runs what every service's binary answers besides serving:
// --version, and migrate. handled is false for anything else, which the
// service's own main then dispatches (company's bootstrap, clinical's
// reencrypt) or serves when args is empty.
func Command(ctx context.Context, spec Spec, args []string, env Env, stdout io.Writer) (handled bool, err error) {
	if buildinfo.Answer(spec.Name, args, stdout) {
		return true, nil
	}
	if len(args) > 0 && args[0] == "migrate" {
		if len(args) > 1 {
			return true, fmt.Errorf("migrate takes no arguments (got %q)", args[1:])
		}
		return true, Migrate(ctx, spec, env, stdout)
	}
	return false, nil
}

// rateClasses parses the RATE_LIMIT_* settings, recording problems in e.
func rateClasses(e *config.Env, rl config.RateLimits) ratelimit.Classes {
	classes := ratelimit.Classes{}
	for name, v := range map[string]struct{ env, value string }{
		"read":   {"RATE_LIMIT_READ", rl.Read},
		"write":  {"RATE_LIMIT_WRITE", rl.Write},
		"public": {"RATE_LIMIT_PUBLIC", rl.Public},
		"login":  {"RATE_LIMIT_LOGIN", rl.Login},
	} {
		l, err := ratelimit.ParseLimit(v.value)
		if err != nil {
			e.Invalid(v.env, v.value, err.Error())
			continue
		}
		classes[name] = l
	}
	classes["default"] = classes["write"]
	return classes
}

func newVerifier(ctx context.Context, spec Spec, d *Deps) (auth.TokenVerifier, error) {
	if spec.Verifier != nil {
		return spec.Verifier(ctx, d)
	}
	return auth.NewVerifier(ctx, auth.VerifierConfig{
		JWKSURL:  d.Config.JWKSURL,
		Issuer:   d.Config.JWTIssuer,
		Audience: d.Config.JWTAudience,
	})
}

// serveOps serves the operations HTTP endpoints: /metrics and whatever the
// service adds.
func serveOps(ctx context.Context, lis net.Listener, spec Spec, d *Deps) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", telemetry.MetricsHandler(d.Registry))
	// Liveness: the process answers. Readiness is gRPC health, which also
	// says whether Postgres and the broker do; a liveness probe must not
	// restart a replica for their outage.
	mux.HandleFunc("/livez", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	if d.Config.Profiling {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	}
	if a, ok := d.Clock.(*clock.Adjustable); ok {
		mux.Handle("/debug/clock", a.Handler())
	}
	if spec.HTTP != nil {
		spec.HTTP(mux, d)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdownCtx)
	}()
	if err := hs.Serve(lis); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// DependencyRedis names Redis among a service's dependencies: in the
// dependency metric, and as the grpc.health.v1 service whose status says
// whether it answers.
const DependencyRedis = "redis"

// dependencySet is what a service depends on. Without a required one it
// cannot do its work (Postgres, the broker, the revocation stream, its key);
// without a degradable one it works worse (Redis: rate limits per replica
// instead of shared, the shared cache bypassed).
type dependencySet struct {
	required, degradable map[string]pinger
}

// newDependencyGauge registers ariesone_dependency_up.
func newDependencyGauge(reg prometheus.Registerer) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "ariesone", Name: "dependency_up",
		Help: "Whether a dependency answered its last health check (1) or not (0).",
	}, []string{"dependency"})
	reg.MustRegister(g)
	return g
}

// watchDependencies keeps grpc.health.v1 honest: the service reports
// NOT_SERVING while a required dependency does not answer, so Kubernetes
// stops routing to it. A degradable one that does not answer is reported
// under its own health service name (NOT_SERVING for "redis") and in the
// log and the dependency metric, while the service as a whole stays
// SERVING.
func watchDependencies(ctx context.Context, deps dependencySet, srv *server.Server, up *prometheus.GaugeVec, logger *slog.Logger) {
	down := map[string]bool{}
	look := func(name string, dep pinger, lost, back string) {
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := dep.Ping(pingCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil && !down[name]:
			logger.Error(name+" unreachable; "+lost, "error", err)
		case err == nil && down[name]:
			logger.Info(name + " reachable again" + back)
		}
		down[name] = err != nil
		up.WithLabelValues(name).Set(map[bool]float64{true: 0, false: 1}[err != nil])
	}
	// The first look is at once: a dependency down at start (a wrong key,
	// revocations not caught up yet) must not be reported SERVING first.
	// While one is down it is looked at often, so recovery shows quickly.
	var wait time.Duration
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		for name, dep := range deps.required {
			look(name, dep, "reporting NOT_SERVING", "")
		}
		for name, dep := range deps.degradable {
			look(name, dep, "degraded: rate limits are this replica's own and the shared cache is bypassed", "; degradation over")
		}
		if ctx.Err() != nil {
			return
		}
		status := healthpb.HealthCheckResponse_SERVING
		for name := range deps.required {
			if down[name] {
				status = healthpb.HealthCheckResponse_NOT_SERVING
			}
		}
		// Set every time, not only on a change: the server marks itself
		// SERVING when it starts listening, which may come after the first
		// look here.
		srv.Health().SetServingStatus("", status)
		anyDown := status != healthpb.HealthCheckResponse_SERVING
		for name := range deps.degradable {
			s := healthpb.HealthCheckResponse_SERVING
			if down[name] {
				s, anyDown = healthpb.HealthCheckResponse_NOT_SERVING, true
			}
			srv.Health().SetServingStatus(name, s)
		}
		wait = 5 * time.Second
		if anyDown {
			wait = 500 * time.Millisecond
		}
	}
}

func flush(logger *slog.Logger, what string, shutdown func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := shutdown(ctx); err != nil {
		logger.Warn("flushing "+what, "error", err)
	}
}

// Main is the whole body of a service's main function: it runs the service
// with the process environment until SIGINT or SIGTERM, then exits once —
// zero after a clean shutdown, one with the error on stderr otherwise.
func Main(spec Spec) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	handled, err := Command(ctx, spec, os.Args[1:], os.LookupEnv, os.Stdout)
	switch {
	case handled:
	case len(os.Args) > 1:
		err = fmt.Errorf("unknown command %q; commands: migrate, --version (none to serve)", os.Args[1])
	default:
		err = Run(ctx, spec, os.LookupEnv, os.Stdout, Listeners{})
	}
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", spec.Name, err)
		os.Exit(1)
	}
}

// OpenDatabase loads the database settings, migrates the service's schema
// and opens the serving pool, for one-off commands (bootstrapping a tenant,
// re-encrypting rows) that need the service's data without serving it. The
// returned close releases the pool.
func OpenDatabase(ctx context.Context, spec Spec, env Env, logger *slog.Logger) (*postgres.DB, func(), error) {
	e := config.New(env)
	common := config.LoadCommon(e, spec.Name, spec.DefaultPort)
	dbCfg := config.LoadDatabase(e, "ariesone")
	if err := e.Err(); err != nil {
		return nil, nil, err
	}
	pool, keyErr, err := connectAndMigrate(ctx, spec, dbCfg, common, logger)
	if err != nil {
		return nil, nil, err
	}
	if keyErr != nil {
		// A command (bootstrap, reencrypt) must not write what it could
		// not read back.
		pool.Close()
		return nil, nil, keyErr
	}
	return postgres.NewDB(pool), pool.Close, nil
}
