// Package observe records every HTTP request the gateway serves: one
// structured access-log line and Prometheus metrics by route, method and
// status. Routes are labelled by their template ("/api/v1/locations/{id}"),
// never by the raw path, so ids (and whatever a client puts in a URL) do not
// become label values or log noise. Query strings are never logged: filters
// may one day carry PHI.
package observe

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/platform/requestid"
)

// Unmatched labels requests no route claimed.
const Unmatched = "unmatched"

// Observer holds the metrics.
type Observer struct {
	logger   *slog.Logger
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New registers the gateway's HTTP metrics on reg.
func New(logger *slog.Logger, reg prometheus.Registerer) (*Observer, error) {
	o := &Observer{
		logger: logger,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ariesone", Subsystem: "gateway", Name: "http_requests_total",
			Help: "HTTP requests served, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "ariesone", Subsystem: "gateway", Name: "http_request_duration_seconds",
			Help:    "Time from request to response, by route template and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	for _, c := range []prometheus.Collector{o.requests, o.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// routeSlot is filled in by whichever handler recognises the request.
type routeSlot struct{ route string }

type slotKey struct{}

// SetRoute names the route of the request ctx belongs to. Handlers call it
// once they know (the REST mux after routing, fixed handlers up front).
func SetRoute(ctx context.Context, route string) {
	if s, ok := ctx.Value(slotKey{}).(*routeSlot); ok {
		s.route = route
	}
}

// Named wraps h so its requests are labelled route.
func Named(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetRoute(r.Context(), route)
		h.ServeHTTP(w, r)
	})
}

// Middleware logs and counts each request after it is served.
func (o *Observer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		slot := &routeSlot{route: Unmatched}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), slotKey{}, slot)))
		elapsed := time.Since(start)
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		method := methodLabel(r.Method)
		o.requests.WithLabelValues(slot.route, method, strconv.Itoa(code)).Inc()
		o.duration.WithLabelValues(slot.route, method).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if code >= 500 {
			level = slog.LevelWarn
		}
		client := r.RemoteAddr
		if ip := edge.ClientFrom(r.Context()).IP; ip.IsValid() {
			client = ip.String()
		}
		o.logger.LogAttrs(r.Context(), level, "http request",
			slog.String("request_id", requestid.FromContext(r.Context())),
			slog.String("method", r.Method),
			slog.String("route", slot.route),
			slog.String("path", r.URL.Path),
			slog.Int("status", code),
			slog.Int64("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.String("client_ip", client),
		)
	})
}

// methodLabel keeps the method label's values to the known verbs.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 && code >= 200 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
