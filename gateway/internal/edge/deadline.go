package edge

import (
	"context"
	"net/http"
	"time"
)

// Deadline bounds how long a request may wait on the services. The deadline
// travels with the gRPC call, so a service stops working on a request the
// gateway has given up on. Keep it below the server's write timeout so the
// client gets a 504 body rather than a cut connection.
func Deadline(d time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
