package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// SetupTracing installs W3C Trace Context and Baggage propagation and, when
// otlpEndpoint is not empty, a tracer provider that batches spans to an OTLP
// gRPC collector with the resource attribute service.name = service.
//
// It changes exactly two pieces of process-wide state, otel.SetTextMapPropagator
// and (only with an endpoint) otel.SetTracerProvider, because otelgrpc and the
// bus read them from there. Call it once, from main. With no endpoint the
// global tracer provider stays the default no-op one, so spans cost nearly
// nothing, but trace context still flows from callers through gRPC metadata
// and AMQP headers to the services that do export.
//
// otlpEndpoint is "host:port" or a URL. With a URL the scheme decides:
// http sends in plaintext, https uses TLS with the system roots. A bare
// host:port uses plaintext only when the host is on the loopback interface,
// a private address, or a cluster-internal name (no dot, or ending in .svc,
// .svc.cluster.local or .cluster.local), where a collector normally runs as
// an agent or sidecar and traffic never leaves the node or cluster network;
// any other host gets TLS. Write "http://collector.namespace:4317" to force
// plaintext elsewhere. The exporter still honours the standard
// OTEL_EXPORTER_OTLP_* variables for what is not set here (headers,
// certificates, compression).
//
// The returned shutdown flushes buffered spans and closes the exporter; call
// it during graceful shutdown with a bounded context. It is never nil.
func SetupTracing(ctx context.Context, service, otlpEndpoint string) (shutdown func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{},
	))
	if otlpEndpoint == "" {
		return noop, nil
	}

	opts, err := exporterOptions(otlpEndpoint)
	if err != nil {
		return noop, err
	}
	res, err := resource.New(ctx,
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithAttributes(semconv.ServiceName(service)),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		// A partial resource (say, no host name) still identifies the
		// service; anything else is a programming error worth stopping for.
		return noop, fmt.Errorf("telemetry: trace resource: %w", err)
	}
	// The gRPC client connects lazily, so a collector that is down at start
	// does not stop the service; the batcher drops spans until it is up.
	exporter, err := otlptracegrpc.New(ctx, opts...)
	if err != nil {
		return noop, fmt.Errorf("telemetry: OTLP exporter for %s: %w", otlpEndpoint, err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res),
	)
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

func exporterOptions(endpoint string) ([]otlptracegrpc.Option, error) {
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("telemetry: OTLP endpoint %q is not a valid URL", endpoint)
		}
		switch strings.ToLower(u.Scheme) {
		case "http":
			return []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(u.Host), otlptracegrpc.WithInsecure()}, nil
		case "https":
			return []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(u.Host)}, nil
		}
		return nil, fmt.Errorf("telemetry: OTLP endpoint %q must use http or https", endpoint)
	}
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil || host == "" {
		return nil, fmt.Errorf("telemetry: OTLP endpoint %q must be host:port or a URL", endpoint)
	}
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint)}
	if plaintextHost(host) {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	return opts, nil
}

// plaintextHost reports whether a collector on host is reached over the
// node or cluster network only; see SetupTracing.
func plaintextHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback() || ip.IsPrivate()
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || !strings.Contains(h, ".") {
		return true
	}
	for _, suffix := range []string{".svc", ".svc.cluster.local", ".cluster.local"} {
		if strings.HasSuffix(h, suffix) {
			return true
		}
	}
	return false
}
