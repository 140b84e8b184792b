package edge

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/platform/requestid"
)

// Recover turns a panic in a handler into a 500 with the masked REST error
// body, and logs the panic and its stack with the request id. A panic is
// always the gateway's fault, never the client's, so nothing of it reaches
// the client. http.ErrAbortHandler is re-raised: it is how a handler asks
// net/http to drop the connection.
func Recover(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tw := &writeTracker{ResponseWriter: w}
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(p)
				}
				logger.ErrorContext(r.Context(), "panic serving request",
					slog.String("request_id", requestid.FromContext(r.Context())),
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("panic", fmt.Sprint(p)),
					slog.String("stack", string(debug.Stack())),
				)
				if tw.wrote {
					// Part of a response is on the wire; the only honest
					// signal left is a broken connection.
					panic(http.ErrAbortHandler)
				}
				httperr.Write(w, r, httperr.New(http.StatusInternalServerError, httperr.MessageInternal))
			}()
			next.ServeHTTP(tw, r)
		})
	}
}

// writeTracker remembers whether the response has started.
type writeTracker struct {
	http.ResponseWriter
	wrote bool
}

func (t *writeTracker) WriteHeader(code int) {
	if code >= 200 {
		t.wrote = true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *writeTracker) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *writeTracker) Flush() {
	t.wrote = true
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (t *writeTracker) Unwrap() http.ResponseWriter { return t.ResponseWriter }
