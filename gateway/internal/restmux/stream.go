package restmux

import (
	"context"
	"net/http"

	"google.golang.org/protobuf/proto"
)

// openStream sends a server stream's status and headers as soon as the
// service has accepted the stream, instead of with its first message. A
// partner watching events then knows it is subscribed (its request has
// returned) before anything happens, and a quiet stream does not look like a
// hung request. grpc-gateway calls forward-response options once with a
// nil message before a stream's first message, and only for streams; an
// error from the service before that still gets the REST error body.
func openStream(_ context.Context, w http.ResponseWriter, resp proto.Message) error {
	if resp != nil {
		return nil
	}
	// The type every message line would have set; set now, since the
	// headers leave here.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	return http.NewResponseController(w).Flush()
}
