package edge

import (
	"net/http"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

// LimitBody refuses request bodies over limit bytes with 413 and the REST
// error body: at once when Content-Length says so, and otherwise when a
// reader hits the limit (chunked bodies), which package requestcheck turns
// into the same 413.
func LimitBody(limit int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > limit {
				// Do not read a body we are refusing; closing lets net/http
				// drop the connection instead of draining it.
				w.Header().Set("Connection", "close")
				httperr.Write(w, r, httperr.TooLarge(limit))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			next.ServeHTTP(w, r)
		})
	}
}
