// Package cors lets the browser applications of known partners call the
// REST API from their own origins, and nobody else's. Origins are an exact
// allow-list (CORS_ALLOWED_ORIGINS); there is no wildcard, because the API
// serves PHI and every origin allowed to read it should be a decision.
//
// Credentials mode is not enabled (no Access-Control-Allow-Credentials): the
// API authenticates with the Authorization or X-API-Key header, which a page
// sets itself, never with cookies the browser would attach on its own.
package cors

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

// Headers a browser page may send and read.
var (
	allowedMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	allowedHeaders = []string{"Authorization", "Content-Type", "X-API-Key", "X-Request-Id", "If-None-Match", "If-Match"}
	exposedHeaders = []string{"X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "ETag", "Idempotent-Replayed"}
)

// preflightMaxAge is how long a browser may reuse a preflight answer.
const preflightMaxAge = 10 * 60

// Policy is an allow-list of origins.
type Policy struct {
	origins map[string]bool
}

// New returns a Policy allowing exactly origins, each written
// scheme://host[:port] (the form browsers send in Origin). It refuses "*",
// paths, and anything else that is not an origin.
func New(origins []string) (*Policy, error) {
	p := &Policy{origins: make(map[string]bool, len(origins))}
	for _, o := range origins {
		norm, err := Normalize(o)
		if err != nil {
			return nil, err
		}
		p.origins[norm] = true
	}
	return p, nil
}

// Normalize checks that o is a serialized origin and returns it in the
// lower-case form browsers send.
func Normalize(o string) (string, error) {
	if o == "*" || o == "null" {
		return "", fmt.Errorf("%q is not allowed: list each origin explicitly", o)
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" ||
		strings.Contains(u.Host, "*") {
		return "", fmt.Errorf("%q is not an origin such as https://app.example.com", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// Middleware answers preflight requests (204 for an allowed origin, 403 in
// the REST error body otherwise) and marks responses to allowed origins as
// readable, exposing the headers partners need (request id, rate limit,
// ETag). A request from an origin not on the list is served as usual but
// without CORS headers, so a browser will not let the page read it;
// non-browser clients are unaffected.
func (p *Policy) Middleware(next http.Handler) http.Handler {
	methods := strings.Join(allowedMethods, ", ")
	headers := strings.Join(allowedHeaders, ", ")
	exposed := strings.Join(exposedHeaders, ", ")
	maxAge := strconv.Itoa(preflightMaxAge)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		allowed := p.origins[strings.ToLower(origin)]
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed {
				httperr.Write(w, r, httperr.New(http.StatusForbidden, "This origin is not allowed to call the API"))
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", methods)
			h.Set("Access-Control-Allow-Headers", headers)
			h.Set("Access-Control-Max-Age", maxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", exposed)
		}
		next.ServeHTTP(w, r)
	})
}
