// Package edge holds the HTTP middleware partners meet before any service
// does: request ids, panic recovery, client addresses behind proxies,
// security headers, the body size limit, the request deadline, the API
// prefix, and conditional GETs. Each is a func(http.Handler) http.Handler;
// package gateway decides their order.
package edge

import "net/http"

// Middleware wraps a handler with one edge policy.
type Middleware func(http.Handler) http.Handler

// Chain applies middlewares so that the first one listed is the outermost:
// Chain(h, a, b) serves a(b(h)).
func Chain(h http.Handler, middlewares ...Middleware) http.Handler {
	for i := len(middlewares) - 1; i >= 0; i-- {
		h = middlewares[i](h)
	}
	return h
}
