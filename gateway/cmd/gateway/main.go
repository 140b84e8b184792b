// Command gateway is AriesOne's REST edge: it serves the REST API, its
// OpenAPI document and docs page, and forwards every API call to the
// services over gRPC. Configuration is by environment variables (see
// internal/settings); a bad one stops the start with its name.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ariesone/ariesone/gateway/internal/backends"
	"github.com/ariesone/ariesone/gateway/internal/edgelimit"
	"github.com/ariesone/ariesone/gateway/internal/gateway"
	"github.com/ariesone/ariesone/gateway/internal/openapi"
	"github.com/ariesone/ariesone/gateway/internal/settings"
	"github.com/ariesone/ariesone/platform/buildinfo"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/telemetry"
)

func main() {
	if buildinfo.Answer("gateway", os.Args[1:], os.Stdout) {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "openapi":
		err = printOpenAPI(os.LookupEnv, os.Args[2:], os.Stdout)
	case len(os.Args) > 1:
		err = fmt.Errorf("unknown command %q; commands: openapi [v3], --version (none to serve)", os.Args[1])
	default:
		err = run(ctx, os.LookupEnv, os.Stdout)
	}
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gateway: %v\n", err)
		os.Exit(1)
	}
}

// printOpenAPI writes the OpenAPI document as the gateway configured by the
// environment would serve it: Swagger 2.0 JSON (`gateway openapi`) or
// OpenAPI 3.0 YAML (`gateway openapi v3`).
func printOpenAPI(lookup func(string) (string, bool), args []string, out io.Writer) error {
	v3 := len(args) == 1 && args[0] == "v3"
	if len(args) > 0 && !v3 {
		return fmt.Errorf("openapi: unknown arguments %q; want none (Swagger 2.0) or v3 (OpenAPI 3.0)", args)
	}
	e := config.New(lookup)
	s := settings.Load(e)
	if err := e.Err(); err != nil {
		return err
	}
	generated, err := openapi.Load(s.OpenAPIFile)
	if err != nil {
		return err
	}
	set, err := backends.Dial(backends.All, s.Backends)
	if err != nil {
		return err
	}
	defer set.Close()
	doc, err := gateway.Document(s, generated, set.Services())
	if err != nil {
		return err
	}
	if v3 {
		doc3, err := openapi.V3(doc)
		if err != nil {
			return err
		}
		_, err = out.Write(doc3)
		return err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, doc, "", "  "); err != nil {
		return err
	}
	pretty.WriteByte('\n')
	_, err = pretty.WriteTo(out)
	return err
}

// run serves until ctx ends. It reads every setting first and returns a
// configuration error naming each bad variable before opening anything.
func run(ctx context.Context, lookup func(string) (string, bool), logOut io.Writer) error {
	e := config.New(lookup)
	s := settings.Load(e)
	if err := e.Err(); err != nil {
		return err
	}
	logger := telemetry.NewLogger(logOut, "gateway", s.LogLevel)
	registry := telemetry.NewRegistry("gateway")

	doc, err := openapi.Load(s.OpenAPIFile)
	if err != nil {
		return err
	}
	set, err := backends.Dial(backends.All, s.Backends)
	if err != nil {
		return err
	}
	defer set.Close()
	limiter, closeLimiter, err := newEdgeLimiter(s)
	if err != nil {
		return err
	}
	defer closeLimiter()
	var revocations bus.StreamSubscriber
	if s.AMQPURL != "" {
		b, err := bus.Open(ctx, bus.Config{URL: s.AMQPURL, ConnectionName: "gateway", Logger: logger, Registerer: registry})
		if err != nil {
			return fmt.Errorf("AMQP_URL: %w", err)
		}
		defer b.Close()
		revocations = b
	}

	// The mux's handler registrations live as long as the gateway.
	handler, err := gateway.New(ctx, gateway.Deps{
		Settings:    s,
		Logger:      logger,
		Registry:    registry,
		Backends:    set,
		Limiter:     limiter,
		OpenAPI:     doc,
		Revocations: revocations,
	})
	if err != nil {
		return err
	}

	lis, err := net.Listen("tcp", ":"+strconv.Itoa(s.Port))
	if err != nil {
		return fmt.Errorf("GATEWAY_PORT %d: %w", s.Port, err)
	}
	metricsLis, err := net.Listen("tcp", ":"+strconv.Itoa(s.MetricsPort))
	if err != nil {
		lis.Close()
		return fmt.Errorf("METRICS_PORT %d: %w", s.MetricsPort, err)
	}
	logger.Info("serving",
		slog.String("rest", lis.Addr().String()),
		slog.String("metrics", metricsLis.Addr().String()),
		slog.String("api_prefix", s.APIPrefix),
		slog.Any("backends", s.Backends),
		slog.Bool("redis_rate_limit", s.RedisAddr != ""),
	)
	g, gctx := errgroup.WithContext(ctx)
	metrics := http.NewServeMux()
	metrics.Handle("/metrics", telemetry.MetricsHandler(registry))
	metricsSrv := &http.Server{Handler: metrics, ReadHeaderTimeout: s.ReadHeaderTimeout}
	g.Go(func() error {
		return gateway.Serve(gctx, gateway.NewServer(handler, s, logger), lis, s.ShutdownTimeout, logger)
	})
	g.Go(func() error { return gateway.Serve(gctx, metricsSrv, metricsLis, 5*time.Second, logger) })
	err = g.Wait()
	logger.Info("stopped")
	return err
}

// newEdgeLimiter keeps the per-address buckets in Redis when REDIS_HOST is
// set, so every gateway replica draws from one quota, and in memory
// otherwise.
func newEdgeLimiter(s settings.Settings) (ratelimit.Limiter, func(), error) {
	return ratelimit.Open(ratelimit.Classes{edgelimit.Class: s.RateLimitEdge}, ratelimit.Backend{
		RedisAddr:     s.RedisAddr,
		RedisPassword: s.RedisPassword,
		KeyPrefix:     ratelimit.DefaultKeyPrefix + "gateway:",
	})
}
