package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/trace"
)

// logLines decodes the JSON lines written to buf, keeping the fields a test
// cares about (time varies, so it is dropped).
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		delete(m, "time")
		lines = append(lines, m)
	}
	return lines
}

func TestNewLoggerLevels(t *testing.T) {
	tests := []struct {
		level string
		want  []string // messages that get through, in order
	}{
		{"debug", []string{"d", "i", "w", "e"}},
		{"info", []string{"i", "w", "e"}},
		{"WARN", []string{"w", "e"}},
		{"error", []string{"e"}},
		{"", []string{"i", "w", "e"}},
		{"verbose", []string{"i", "w", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewLogger(&buf, "orders", tt.level)
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e")
			var got []string
			for _, line := range logLines(t, &buf) {
				got = append(got, line["msg"].(string))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("messages logged at level %q (-want +got):\n%s", tt.level, diff)
			}
		})
	}
}

func TestNewLoggerWritesJSONWithService(t *testing.T) {
	var buf bytes.Buffer
	l := NewLogger(&buf, "orders", "info")
	l.With("request_id", "r1").Warn("order held", "order_id", "o1")

	want := []map[string]any{{
		"level": "WARN", "msg": "order held", "service": "orders", "request_id": "r1", "order_id": "o1",
	}}
	if diff := cmp.Diff(want, logLines(t, &buf)); diff != "" {
		t.Errorf("log line (-want +got):\n%s", diff)
	}
}

func TestNewLoggerAddsTraceIDs(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)

	var buf bytes.Buffer
	l := NewLogger(&buf, "serials", "info").With("request_id", "r2")
	l.InfoContext(ctx, "in span")
	l.InfoContext(context.Background(), "no span")

	want := []map[string]any{
		{
			"level": "INFO", "msg": "in span", "service": "serials", "request_id": "r2",
			"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
		},
		{"level": "INFO", "msg": "no span", "service": "serials", "request_id": "r2"},
	}
	if diff := cmp.Diff(want, logLines(t, &buf)); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
}

func TestLoggerFromContext(t *testing.T) {
	var base, req bytes.Buffer
	baseLogger := slog.New(slog.NewJSONHandler(&base, nil))
	reqLogger := slog.New(slog.NewJSONHandler(&req, nil))

	tests := []struct {
		desc     string
		ctx      context.Context
		fallback *slog.Logger
		want     *slog.Logger
	}{
		{"request logger wins", WithLogger(context.Background(), reqLogger), baseLogger, reqLogger},
		{"no request logger uses fallback", context.Background(), baseLogger, baseLogger},
		{"nil stored logger uses fallback", WithLogger(context.Background(), nil), baseLogger, baseLogger},
		{"no fallback discards", context.Background(), nil, discard},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := Logger(tt.ctx, tt.fallback); got != tt.want {
				t.Errorf("Logger() = %p, want %p", got, tt.want)
			}
		})
	}

	// The discarding logger really is usable and silent.
	Logger(context.Background(), nil).Error("dropped")
	if base.Len() != 0 || req.Len() != 0 {
		t.Errorf("discarding logger wrote to another logger's output")
	}
}
