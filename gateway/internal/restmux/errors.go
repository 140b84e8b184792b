package restmux

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/platform/requestid"
)

// errorHandler writes every error of the mux in the REST error body.
type errorHandler struct {
	logger *slog.Logger
}

// handle is the mux's error handler: errors returned by a service, and
// errors of the generated code decoding a request.
func (h errorHandler) handle(ctx context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	var routing *runtime.HTTPStatusError
	if errors.As(err, &routing) {
		// grpc-gateway's own routing failures (a malformed escape in the
		// path) carry an HTTP status and no gRPC meaning.
		httperr.Write(w, r, httperr.New(routing.HTTPStatus, http.StatusText(routing.HTTPStatus)))
		return
	}
	st := status.Convert(err)
	if md, ok := runtime.ServerMetadataFromContext(ctx); ok {
		setOutgoing(w, md.HeaderMD)
	}
	var refusal *StreamRefusal
	if errors.As(err, &refusal) {
		// A refused stream has no headers; what a unary call's headers
		// carry is in its trailers.
		setOutgoing(w, refusal.Trailer)
	}
	if st.Code() == codes.ResourceExhausted && w.Header().Get(HeaderRetryAfter) == "" {
		if d, ok := httperr.RetryDelay(st); ok {
			w.Header().Set(HeaderRetryAfter, httperr.RetryAfterSeconds(d))
		}
	}
	if httperr.Hidden(st.Code()) {
		h.logHidden(ctx, r, st)
	}
	httperr.Write(w, r, httperr.FromStatus(st))
}

// setOutgoing sets the response headers OutgoingHeader picks from md.
func setOutgoing(w http.ResponseWriter, md metadata.MD) {
	for key, values := range md {
		if name, ok := OutgoingHeader(key); ok && len(values) > 0 {
			// Set, not Add: the service's quota replaces any the edge
			// prepared for this response.
			w.Header().Set(name, values[0])
		}
	}
}

// handleStream is the mux's stream error handler, for an error after a
// stream was accepted and answered 200: a watcher that fell behind, a
// service that stopped. grpc-gateway ends the stream with a last line
// {"error": status}; the status returned here carries the request id in a
// google.rpc.RequestInfo, and the mux's marshaler (streamMarshaler) writes
// that line with the REST error body in place of the status.
func (h errorHandler) handleStream(ctx context.Context, err error) *status.Status {
	st := status.Convert(err)
	id := requestid.FromContext(ctx)
	if httperr.Hidden(st.Code()) && !(st.Code() == codes.Canceled && ctx.Err() != nil) {
		method, _ := runtime.RPCMethod(ctx)
		h.logger.LogAttrs(ctx, hiddenLevel(st.Code()), "stream failed",
			slog.String("request_id", id),
			slog.String("rpc_method", method),
			slog.String("code", st.Code().String()),
			slog.String("error", st.Message()),
		)
	}
	p := st.Proto()
	if info, err := anypb.New(&errdetails.RequestInfo{RequestId: id}); err == nil {
		p.Details = append(p.Details, info)
	}
	return status.FromProto(p)
}

// streamErrorBody is the REST error body of a status from handleStream.
func streamErrorBody(p *spb.Status) httperr.Body {
	st := status.FromProto(p)
	b := httperr.FromStatus(st)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.RequestInfo); ok {
			b.RequestID = info.GetRequestId()
		}
	}
	return b
}

// logHidden records the status a client will not see, with the request id
// the client does see, so support can find one from the other.
func (h errorHandler) logHidden(ctx context.Context, r *http.Request, st *status.Status) {
	if st.Code() == codes.Canceled && r.Context().Err() != nil {
		return // the client went away; nothing failed
	}
	method, _ := runtime.RPCMethod(ctx)
	h.logger.LogAttrs(ctx, hiddenLevel(st.Code()), "request failed",
		slog.String("request_id", requestid.FromContext(r.Context())),
		slog.String("rpc_method", method),
		slog.String("http_method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("code", st.Code().String()),
		slog.String("error", st.Message()),
	)
}

// hiddenLevel is the log level of a masked error: a warning for what a
// retry may cure, an error for a fault.
func hiddenLevel(c codes.Code) slog.Level {
	switch c {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Unimplemented, codes.Canceled:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// handleRouting answers requests no route matches: 404 when the path is
// unknown, 405 when it is known for other methods.
func (h errorHandler) handleRouting(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	msg := http.StatusText(httpStatus)
	switch httpStatus {
	case http.StatusNotFound:
		msg = "No such resource or route"
	case http.StatusMethodNotAllowed:
		msg = "Method " + r.Method + " is not allowed on this route"
	}
	httperr.Write(w, r, httperr.New(httpStatus, msg))
}
