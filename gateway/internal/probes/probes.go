// Package probes answers the orchestrator's two questions: /healthz, is the
// process alive (always yes while it can answer), and /readyz, can it serve
// now (every configured service reports SERVING on grpc.health.v1). A
// gateway whose services are down is alive, should not be restarted, and
// should receive no traffic.
package probes

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

// Target is one service readiness depends on.
type Target struct {
	Name   string
	Health healthpb.HealthClient
}

// Degradable is a dependency whose loss degrades the gateway without making
// it unready (Redis: rate limits become each replica's own). Readyz reports
// it under "degraded" while it does not answer.
type Degradable struct {
	Name string
	Ping func(context.Context) error
}

// DefaultTimeout bounds one readiness check of one service.
const DefaultTimeout = 2 * time.Second

// Healthz answers 200 while the process serves HTTP.
func Healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

// Readyz returns the readiness handler for targets, each checked in
// parallel within timeout. All SERVING: 200 with each service's status, and
// "degraded" naming each degradable dependency that does not answer.
// Otherwise 503 in the REST error body, one entry in "errors" per service
// that is not serving (field: the service's name, message: its status or
// "unreachable").
func Readyz(targets []Target, degradable []Degradable, timeout time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		results := make([]string, len(targets))
		var wg sync.WaitGroup
		for i, t := range targets {
			wg.Go(func() { results[i] = check(ctx, t.Health) })
		}
		lost := make([]error, len(degradable))
		for i, d := range degradable {
			wg.Go(func() { lost[i] = d.Ping(ctx) })
		}
		wg.Wait()
		statuses := make(map[string]string, len(targets))
		var failing []httperr.Violation
		for i, t := range targets {
			statuses[t.Name] = results[i]
			if results[i] != healthpb.HealthCheckResponse_SERVING.String() {
				failing = append(failing, httperr.Violation{Field: t.Name, Message: results[i]})
			}
		}
		if len(failing) > 0 {
			httperr.Write(w, r, httperr.New(http.StatusServiceUnavailable, "Not ready: some services are not serving", failing...))
			return
		}
		body := map[string]any{"status": "ready", "services": statuses}
		degraded := map[string]string{}
		for i, d := range degradable {
			if lost[i] != nil {
				degraded[d.Name] = "unreachable"
			}
		}
		if len(degraded) > 0 {
			body["degraded"] = degraded
		}
		writeJSON(w, http.StatusOK, body)
	}
}

func check(ctx context.Context, h healthpb.HealthClient) string {
	resp, err := h.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return "unreachable"
	}
	return resp.GetStatus().String()
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
