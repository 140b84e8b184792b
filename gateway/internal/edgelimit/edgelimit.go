// Package edgelimit rate-limits REST requests per client address before they
// reach any service: a token bucket per IP (RATE_LIMIT_EDGE), held in this
// process or, when Redis is configured, shared by every gateway replica
// (platform/ratelimit). It is the coarse guard against floods and
// credential stuffing from one address; the services apply the finer
// per-principal, per-method quotas behind it.
package edgelimit

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/gateway/internal/restmux"
	"github.com/ariesone/ariesone/platform/clientip"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/requestid"
)

// Class is the bucket class of edge requests; Classes for the limiter need
// only ratelimit.DefaultClass, which this is.
const Class = ratelimit.DefaultClass

// ReasonRateLimited is the "reason" of a 429 body, as the services send it.
const ReasonRateLimited = ratelimit.ReasonRateLimited

// Middleware limits each client address (edge.ClientFrom) with l, an IPv6
// client by its /64 (clientip.RateKeyOf): one subscriber's network, not one
// of its 2^64 addresses. exempt,
// when not nil, names requests that are never limited (health probes).
//
// Every limited response carries X-RateLimit-Limit, -Remaining and -Reset
// for the edge bucket unless a service set its own, which is the quota a
// partner can act on and wins. A denied request gets 429, Retry-After and
// the REST error body. When the limiter fails (Redis down) the request is
// served if the limiter allows it, and the failure is logged.
func Middleware(l ratelimit.Limiter, logger *slog.Logger, exempt func(*http.Request) bool) edge.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if exempt != nil && exempt(r) {
				next.ServeHTTP(w, r)
				return
			}
			ip := edge.ClientFrom(r.Context()).IP
			key := "ip:" + clientip.RateKeyOf(ip)
			if !ip.IsValid() {
				key = "ip:unknown"
			}
			d, err := l.Allow(r.Context(), key, Class)
			if err != nil {
				logger.WarnContext(r.Context(), "edge rate limiter failed",
					slog.String("request_id", requestid.FromContext(r.Context())),
					slog.String("error", err.Error()))
				if !d.Allowed {
					httperr.Write(w, r, httperr.New(http.StatusServiceUnavailable, httperr.MessageUnavailable))
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			quota := map[string]string{
				restmux.HeaderRateLimitLimit:     strconv.Itoa(d.Limit),
				restmux.HeaderRateLimitRemaining: strconv.Itoa(d.Remaining),
				restmux.HeaderRateLimitReset:     strconv.FormatInt(ceilSeconds(d.ResetAfter), 10),
			}
			if !d.Allowed {
				h := w.Header()
				for k, v := range quota {
					h.Set(k, v)
				}
				retry := httperr.RetryAfterSeconds(d.RetryAfter)
				h.Set(restmux.HeaderRetryAfter, retry)
				b := httperr.New(http.StatusTooManyRequests, "Too many requests from this address; retry after "+retry+" seconds")
				b.Reason = ReasonRateLimited
				httperr.Write(w, r, b)
				return
			}
			next.ServeHTTP(&defaultHeaders{ResponseWriter: w, defaults: quota}, r)
		})
	}
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

// defaultHeaders sets headers that are still missing when the response
// starts, so values a handler set (a service's own quota) take precedence.
type defaultHeaders struct {
	http.ResponseWriter
	defaults map[string]string
	applied  bool
}

func (d *defaultHeaders) apply() {
	if d.applied {
		return
	}
	d.applied = true
	h := d.Header()
	for k, v := range d.defaults {
		if h.Get(k) == "" {
			h.Set(k, v)
		}
	}
}

func (d *defaultHeaders) WriteHeader(code int) {
	if code >= 200 {
		d.apply()
	}
	d.ResponseWriter.WriteHeader(code)
}

func (d *defaultHeaders) Write(b []byte) (int, error) {
	d.apply()
	return d.ResponseWriter.Write(b)
}

func (d *defaultHeaders) Flush() {
	d.apply()
	if f, ok := d.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (d *defaultHeaders) Unwrap() http.ResponseWriter { return d.ResponseWriter }
