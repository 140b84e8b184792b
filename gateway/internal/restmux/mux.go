// Package restmux builds the grpc-gateway ServeMux that translates REST
// requests into gRPC calls: the JSON dialect (lowerCamelCase, unknown fields
// refused), which HTTP headers travel to the services and back, the REST
// error body for every failure, and the ETag of every resource returned.
//
// The mux only ever forwards to services over a client connection (see
// package backends); handlers are never registered in-process, which would
// skip the services' interceptors (auth, rate limits, validation, audit).
package restmux

import (
	"encoding/json"
	"log/slog"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

// Options configure New.
type Options struct {
	// Logger receives the full text of errors masked for clients, with the
	// request id. Required.
	Logger *slog.Logger
	// Middlewares run after routing, before the generated handler decodes
	// the request; they see runtime.HTTPPattern in the request context.
	Middlewares []runtime.Middleware
}

// New returns a ServeMux with the gateway's conventions. Register services
// on it with the generated Register...Handler(ctx, mux, conn) functions.
func New(opts Options) *runtime.ServeMux {
	errs := errorHandler{logger: opts.Logger}
	muxOpts := []runtime.ServeMuxOption{
		runtime.WithMarshalerOption(runtime.MIMEWildcard, Marshaler()),
		runtime.WithIncomingHeaderMatcher(IncomingHeader),
		runtime.WithOutgoingHeaderMatcher(OutgoingHeader),
		runtime.WithOutgoingTrailerMatcher(dropAll),
		runtime.WithErrorHandler(errs.handle),
		runtime.WithStreamErrorHandler(errs.handleStream),
		runtime.WithRoutingErrorHandler(errs.handleRouting),
		runtime.WithForwardResponseOption(setETag),
		runtime.WithForwardResponseOption(openStream),
		// Partners call the API with real verbs. Tunnelling another method
		// through a form POST (path-length fallback, X-HTTP-Method-Override)
		// would also let a cross-site form reach GET handlers.
		runtime.WithDisablePathLengthFallback(),
		runtime.WithDisableHTTPMethodOverride(),
		runtime.WithWriteContentLength(),
	}
	if len(opts.Middlewares) > 0 {
		muxOpts = append(muxOpts, runtime.WithMiddlewares(opts.Middlewares...))
	}
	return runtime.NewServeMux(muxOpts...)
}

// Marshaler is the JSON dialect of the REST API: lowerCamelCase names,
// unpopulated fields left out of responses, and unknown fields in a request
// refused rather than dropped, so a body that tries to set a field the API
// does not accept (a tenant id, say) fails loudly instead of half-working.
// The last line of a stream that fails holds the REST error body (see
// streamMarshaler).
func Marshaler() runtime.Marshaler {
	return streamMarshaler{&runtime.JSONPb{
		MarshalOptions: protojson.MarshalOptions{
			UseProtoNames:   false,
			EmitUnpopulated: false,
		},
		UnmarshalOptions: protojson.UnmarshalOptions{
			DiscardUnknown: false,
		},
	}}
}

// streamMarshaler writes the line that ends a failed stream as
// {"error": <REST error body>}, the body every other error has, where
// grpc-gateway would write {"error": <google.rpc.Status>}. grpc-gateway
// hands its marshaler that line as a map with the one key "error" holding
// the status the stream error handler returned; nothing else it marshals
// has that type.
type streamMarshaler struct {
	*runtime.JSONPb
}

func (m streamMarshaler) Marshal(v any) ([]byte, error) {
	if line, ok := v.(map[string]proto.Message); ok && len(line) == 1 {
		if st, ok := line["error"].(*spb.Status); ok {
			return json.Marshal(map[string]httperr.Body{"error": streamErrorBody(st)})
		}
	}
	return m.JSONPb.Marshal(v)
}
