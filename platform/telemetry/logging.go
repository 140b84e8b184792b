// Package telemetry sets up the three signals every AriesOne service emits:
// structured JSON logs (log/slog), OpenTelemetry traces, and a Prometheus
// registry served on /metrics.
//
// Nothing here reads the environment or keeps a package-level logger or
// registry: main loads the settings with package config and passes the
// results down. The one exception is tracing, where SetupTracing installs the
// OpenTelemetry global tracer provider and propagator, because the gRPC and
// AMQP instrumentation libraries look them up there.
package telemetry

import (
	"context"
	"io"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// NewLogger returns a logger writing one JSON object per line to w, each
// carrying "service" and, when the record is logged with a context that holds
// a span (InfoContext and friends), "trace_id" and "span_id", so a log line
// leads to its trace. level is debug, info, warn or error; config rejects
// anything else at start, so an unknown level here simply means info.
func NewLogger(w io.Writer, service, level string) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: parseLevel(level)})
	return slog.New(traceContextHandler{h}).With(slog.String("service", service))
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// traceContextHandler adds the ids of the span in the record's context. In a
// logger opened with WithGroup they land inside the group; request loggers
// add attributes, not groups, so in practice they stay at the top level.
type traceContextHandler struct{ slog.Handler }

func (h traceContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(
			slog.String("trace_id", sc.TraceID().String()),
			slog.String("span_id", sc.SpanID().String()),
		)
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceContextHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceContextHandler) WithGroup(name string) slog.Handler {
	return traceContextHandler{h.Handler.WithGroup(name)}
}

type loggerKey struct{}

// WithLogger returns ctx carrying l, typically the service logger enriched
// with the request id, method and principal by the logging interceptor, so
// code deeper in the call logs with that context without passing it along.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// discard is what Logger returns when it has nothing better; see Logger.
var discard = slog.New(slog.DiscardHandler)

// Logger returns the logger WithLogger stored in ctx, or fallback (the
// service's base logger) outside a request. There is deliberately no global
// logger to fall back to: a nil fallback yields a logger that discards
// everything, so a test or tool that passes none stays quiet instead of
// writing to a process-wide default it never configured.
func Logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	if fallback != nil {
		return fallback
	}
	return discard
}
