package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ariesone/ariesone/platform/outbox"
)

func TestNewMessage(t *testing.T) {
	// Not parallel: it sets the process-wide propagator, as telemetry does
	// at start.
	otel.SetTextMapPropagator(propagation.TraceContext{})
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.FixedZone("EST", -5*3600))

	m, err := outbox.NewMessage(ctx, "notes", "notes.note.created.v1", "0195F3A2-0000-7000-8000-00000000000A", wrapperspb.String("hi"), at)
	if err != nil {
		t.Fatalf("NewMessage: %v", err)
	}
	id, err := uuid.Parse(m.ID)
	if err != nil || id.Version() != 7 {
		t.Errorf("id %q: version %v, %v; want a UUIDv7", m.ID, id.Version(), err)
	}
	var payload wrapperspb.StringValue
	if err := proto.Unmarshal(m.Payload, &payload); err != nil || payload.GetValue() != "hi" {
		t.Errorf("payload decodes to %q, %v; want \"hi\"", payload.GetValue(), err)
	}
	got := struct {
		Type, PayloadType, CompanyID, Source string
		OccurTime                            time.Time
		Trace                                map[string]string
	}{m.Type, m.PayloadType, m.CompanyID, m.Source, m.OccurTime, m.Trace}
	want := got
	want.Type, want.PayloadType, want.Source = "notes.note.created.v1", "google.protobuf.StringValue", "notes"
	want.CompanyID = companyA // canonical spelling
	want.OccurTime = time.Date(2026, 1, 2, 8, 4, 5, 678901000, time.UTC)
	want.Trace = map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if got.OccurTime.Location() != time.UTC {
		t.Errorf("occur time in %v, want UTC", got.OccurTime.Location())
	}
}

func TestNewMessageRejectsIncompleteInput(t *testing.T) {
	t.Parallel()
	ctx, now, p := context.Background(), time.Now(), wrapperspb.String("x")
	tests := map[string]func() error{
		"no source":        func() error { _, err := outbox.NewMessage(ctx, "", "a.b.c.v1", "", p, now); return err },
		"no type":          func() error { _, err := outbox.NewMessage(ctx, "notes", "", "", p, now); return err },
		"no payload":       func() error { _, err := outbox.NewMessage(ctx, "notes", "a.b.c.v1", "", nil, now); return err },
		"no time":          func() error { _, err := outbox.NewMessage(ctx, "notes", "a.b.c.v1", "", p, time.Time{}); return err },
		"company not UUID": func() error { _, err := outbox.NewMessage(ctx, "notes", "a.b.c.v1", "acme", p, now); return err },
	}
	for name, call := range tests {
		if err := call(); err == nil {
			t.Errorf("%s: NewMessage succeeded", name)
		}
	}
}
