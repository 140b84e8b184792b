package edge

import (
	"net/http"
	"strings"
)

// ConditionalGET answers a GET or HEAD whose If-None-Match matches the ETag
// of the response about to be sent with 304 Not Modified and no body
// (RFC 9110 §13.1.2). The handler still runs (the service is asked, and
// authorizes, as usual); only the transfer of an unchanged resource is saved.
// The ETag itself is set by the handler (restmux copies the resource's etag
// field into it).
func ConditionalGET(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inm := r.Header.Get("If-None-Match")
		if inm == "" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&notModifiedWriter{ResponseWriter: w, ifNoneMatch: inm}, r)
	})
}

type notModifiedWriter struct {
	http.ResponseWriter
	ifNoneMatch string
	decided     bool
	suppress    bool
}

func (n *notModifiedWriter) WriteHeader(code int) {
	if n.decided {
		n.ResponseWriter.WriteHeader(code)
		return
	}
	if code < 200 {
		n.ResponseWriter.WriteHeader(code)
		return
	}
	n.decided = true
	h := n.Header()
	if code == http.StatusOK && NoneMatchFails(n.ifNoneMatch, h.Get("ETag")) {
		n.suppress = true
		h.Del("Content-Type")
		h.Del("Content-Length")
		h.Del("Transfer-Encoding")
		n.ResponseWriter.WriteHeader(http.StatusNotModified)
		return
	}
	n.ResponseWriter.WriteHeader(code)
}

func (n *notModifiedWriter) Write(b []byte) (int, error) {
	if !n.decided {
		n.WriteHeader(http.StatusOK)
	}
	if n.suppress {
		return len(b), nil
	}
	return n.ResponseWriter.Write(b)
}

func (n *notModifiedWriter) Flush() {
	if n.suppress {
		return
	}
	if f, ok := n.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (n *notModifiedWriter) Unwrap() http.ResponseWriter { return n.ResponseWriter }

// NoneMatchFails reports whether an If-None-Match header value matches etag
// by the weak comparison RFC 9110 prescribes for it: "*" matches any current
// representation, otherwise one listed entity tag must have the same opaque
// value, W/ prefixes ignored.
func NoneMatchFails(ifNoneMatch, etag string) bool {
	if etag == "" {
		return false
	}
	if strings.TrimSpace(ifNoneMatch) == "*" {
		return true
	}
	want := opaque(etag)
	for _, tag := range entityTags(ifNoneMatch) {
		if opaque(tag) == want {
			return true
		}
	}
	return false
}

func opaque(tag string) string { return strings.TrimPrefix(tag, "W/") }

// entityTags splits a list of entity tags. Commas may appear inside a quoted
// tag, so the list is scanned, not split.
func entityTags(s string) []string {
	var tags []string
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return tags
		}
		start := s
		if strings.HasPrefix(s, "W/") {
			s = s[2:]
		}
		if !strings.HasPrefix(s, `"`) {
			return tags // malformed: stop rather than guess
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return tags
		}
		tagLen := len(start) - len(s) + end + 2
		tags = append(tags, start[:tagLen])
		s = start[tagLen:]
	}
}
