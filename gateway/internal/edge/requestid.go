package edge

import (
	"net/http"

	"github.com/ariesone/ariesone/platform/requestid"
)

// HeaderRequestID is the HTTP spelling of the request id header.
const HeaderRequestID = "X-Request-Id"

// RequestID gives every request an id: the client's X-Request-Id when it is
// well-formed (so one id can follow a call from a partner's system through
// every service), a fresh UUIDv7 otherwise. The id is put in the request
// context (requestid.FromContext), in the request header the mux forwards to
// the services, and in the response header, before anything else can write
// the response, so every answer carries it, errors included.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderRequestID)
		if !requestid.Valid(id) {
			id = requestid.New()
		}
		r.Header.Set(HeaderRequestID, id)
		w.Header().Set(HeaderRequestID, id)
		next.ServeHTTP(w, r.WithContext(requestid.NewContext(r.Context(), id)))
	})
}
