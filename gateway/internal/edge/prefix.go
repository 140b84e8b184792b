package edge

import (
	"net/http"
	"strings"
)

// RewritePrefix serves the API under a public prefix (API_PREFIX) while the
// routes generated from the protos stay under internal ("/api/v1"): a path
// under public has that prefix replaced by internal. Other paths pass
// unchanged. With equal prefixes it does nothing.
func RewritePrefix(public, internal string) Middleware {
	return func(next http.Handler) http.Handler {
		if public == internal {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rest, ok := cutPrefix(r.URL.Path, public)
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			r2 := r.Clone(r.Context())
			r2.URL.Path = internal + rest
			if raw, ok := cutPrefix(r.URL.RawPath, public); ok {
				r2.URL.RawPath = internal + raw
			} else {
				r2.URL.RawPath = ""
			}
			next.ServeHTTP(w, r2)
		})
	}
}

func cutPrefix(path, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	return rest, true
}
