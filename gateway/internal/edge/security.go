package edge

import (
	"net/http"
	"strings"
)

// Content-Security-Policy values. The API serves JSON only, so its policy
// forbids everything; the docs page runs swagger-ui's own scripts (served
// from the gateway, never inline) and needs inline styles, images as data
// URLs and same-origin calls to the API it documents.
const (
	cspAPI  = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	cspDocs = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

// hstsValue asks browsers to use HTTPS only for a year. Subdomains are not
// included: the gateway cannot know what else lives under its domain.
const hstsValue = "max-age=31536000"

// SecurityHeaders sets the response headers that keep browsers from
// misusing API responses: no MIME sniffing, no framing, no referrer, a
// Content-Security-Policy (a looser one under docsPrefix, for swagger-ui),
// Strict-Transport-Security when the client came over TLS (see
// ClientAddress), and Cache-Control: no-store, since responses carry PHI
// and must not sit in shared or browser caches. The docs page and its assets
// hold no PHI and may be cached after revalidation.
func SecurityHeaders(docsPrefix string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if ClientFrom(r.Context()).Secure || r.TLS != nil {
				h.Set("Strict-Transport-Security", hstsValue)
			}
			if underPrefix(r.URL.Path, docsPrefix) {
				h.Set("Content-Security-Policy", cspDocs)
				h.Set("Cache-Control", "no-cache")
			} else {
				h.Set("Content-Security-Policy", cspAPI)
				h.Set("Cache-Control", "no-store")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// underPrefix reports whether path is prefix itself or below it.
func underPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
