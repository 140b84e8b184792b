package audit_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/audit"
)

func TestMemorySinkReturnsCopies(t *testing.T) {
	sink := &audit.MemorySink{}
	sink.Write(t.Context(), audit.Record{Method: "/a.B/C", Code: "OK"})

	got := sink.Records()
	got[0].Code = "INTERNAL"
	_ = append(got[:0], audit.Record{Method: "/evil"})
	sink.Write(t.Context(), audit.Record{Method: "/a.B/D", Code: "NOT_FOUND"})

	want := []audit.Record{{Method: "/a.B/C", Code: "OK"}, {Method: "/a.B/D", Code: "NOT_FOUND"}}
	if diff := cmp.Diff(want, sink.Records()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestMemorySinkEmpty(t *testing.T) {
	if got := (&audit.MemorySink{}).Records(); len(got) != 0 {
		t.Errorf("Records = %v, want none", got)
	}
}

func TestMemorySinkConcurrentWrites(t *testing.T) {
	sink := &audit.MemorySink{}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			sink.Write(t.Context(), audit.Record{Code: "OK"})
			_ = sink.Records()
		})
	}
	wg.Wait()
	if got := len(sink.Records()); got != 50 {
		t.Errorf("%d records, want 50", got)
	}
}

func TestLogSink(t *testing.T) {
	var buf bytes.Buffer
	sink := audit.LogSink{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	sink.Write(t.Context(), audit.Record{
		Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), RequestID: "req-1", Actor: "u-1", ActorKind: "user",
		CompanyID: "c-1", Method: "/a.B/C", Resources: map[string]string{"id": "x-1"}, Code: "OK",
		ClientAddr: "10.0.0.1:1", Duration: 1500 * time.Microsecond,
	})

	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	if keys := topLevelKeys(t, buf.Bytes()); len(keys) != len(got) {
		t.Errorf("log line has duplicate keys: %v", keys)
	}
	delete(got, "time") // the handler's own timestamp
	want := map[string]any{
		"start": "2026-03-01T10:00:00Z", "level": "INFO", "msg": "audit", "request_id": "req-1", "actor": "u-1", "actor_kind": "user",
		"company_id": "c-1", "method": "/a.B/C", "resources": map[string]any{"id": "x-1"}, "code": "OK",
		"client_addr": "10.0.0.1:1", "duration": float64(1500 * time.Microsecond),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log line (-want +got):\n%s", diff)
	}
}

// topLevelKeys lists the keys of a JSON object in order, duplicates included.
func topLevelKeys(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %v", err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
