package edge

import (
	"net/http"
	"regexp"
	"time"
)

// StreamRoutes recognises requests for server-streaming routes from their
// path templates, where "{name}" stands for one path segment.
type StreamRoutes struct {
	patterns []*regexp.Regexp
}

// NewStreamRoutes compiles templates such as "/api/v1/events:watch" or
// "/api/v1/units/{id}:watch".
func NewStreamRoutes(templates []string) *StreamRoutes {
	s := &StreamRoutes{}
	variable := regexp.MustCompile(`\\\{[^}]*\}`)
	for _, t := range templates {
		quoted := variable.ReplaceAllString(regexp.QuoteMeta(t), `[^/]+`)
		s.patterns = append(s.patterns, regexp.MustCompile("^"+quoted+"$"))
	}
	return s
}

// Match reports whether r asks for a streaming route.
func (s *StreamRoutes) Match(r *http.Request) bool {
	if s == nil || r.Method != http.MethodGet {
		return false
	}
	for _, p := range s.patterns {
		if p.MatchString(r.URL.Path) {
			return true
		}
	}
	return false
}

// Stream lifts the server's write timeout for streaming routes, which would
// otherwise cut a live stream after HTTP_WRITE_TIMEOUT; every other request
// passes untouched. It must run after the path is rewritten to the routes'
// prefix.
//
// A stream's status is sent once, when the service accepts the stream.
// grpc-gateway sends one again when the stream ends with an error before its
// first message (the client hung up, the service stopped); net/http ignores
// that one but logs it, so it is dropped here.
func Stream(routes *StreamRoutes) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if routes.Match(r) {
				// An error means the writer cannot set deadlines (a test
				// recorder); there is then no deadline to lift.
				_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
				w.Header().Set("X-Accel-Buffering", "no")
				w = &oneStatus{ResponseWriter: w}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// oneStatus passes on the first final status written and drops any later.
type oneStatus struct {
	http.ResponseWriter
	sent bool
}

func (w *oneStatus) WriteHeader(code int) {
	if w.sent {
		return
	}
	w.sent = code >= 200
	w.ResponseWriter.WriteHeader(code)
}

func (w *oneStatus) Write(b []byte) (int, error) {
	w.sent = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (to flush).
func (w *oneStatus) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// DeadlineExcept is Deadline for every request the skip function does not
// claim; streaming routes live as long as the client stays.
func DeadlineExcept(d time.Duration, skip func(*http.Request) bool) Middleware {
	bounded := Deadline(d)
	return func(next http.Handler) http.Handler {
		withDeadline := bounded(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			withDeadline.ServeHTTP(w, r)
		})
	}
}
