package restmux

import (
	"context"
	"errors"
	"io"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// openStream sends a server stream's status and headers as soon as the
// service has accepted the stream, instead of with its first message. A
// partner watching events then knows it is subscribed (its request has
// returned) before anything happens, and a quiet stream does not look like a
// hung request. grpc-gateway calls forward-response options once with a
// nil message before a stream's first message, and only for streams, after
// the stream's headers arrived; a stream the service refused has none (see
// StreamClientInterceptor) and never gets here, so its refusal still gets
// the REST error body and its own status.
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

// StreamClientInterceptor makes a server stream the service refused fail
// where grpc-gateway's generated code reads the stream's headers, before
// anything is written to the partner.
//
// The services send a stream's headers only once its handler has accepted
// it; a stream refused before that (authentication, authorization, rate
// limit, validation) ends trailers-only. grpc-go's ClientStream.Header then
// returns no headers and no error, leaving the error for Recv, by which time
// the generated code has committed 200. Here a stream without headers is
// read to its end instead, and Header returns the stream's status, so the
// mux's error handler answers with the refusal's own status, headers and
// REST error body, as for unary calls. Install it on every connection the
// mux forwards over.
func StreamClientInterceptor(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	cs, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil || !desc.ServerStreams || desc.ClientStreams {
		return cs, err
	}
	return &acceptedStream{ClientStream: cs}, nil
}

// acceptedStream is a server stream whose Header fails when the service
// refused the stream.
type acceptedStream struct {
	grpc.ClientStream
	// ended is the io.EOF of a stream that ended, successfully, without
	// headers or messages, for every later RecvMsg.
	ended error
}

func (s *acceptedStream) Header() (metadata.MD, error) {
	md, err := s.ClientStream.Header()
	if err != nil || md != nil {
		return md, err
	}
	// No headers: the stream is over, and its status is what RecvMsg
	// returns. There is no message to receive before it, since messages
	// follow headers.
	err = s.ClientStream.RecvMsg(&emptypb.Empty{})
	switch {
	case err == nil:
		return nil, status.Error(codes.Internal, "stream sent a message without headers")
	case errors.Is(err, io.EOF):
		s.ended = io.EOF
		return nil, nil
	}
	return nil, &StreamRefusal{status: status.Convert(err), Trailer: s.ClientStream.Trailer()}
}

func (s *acceptedStream) RecvMsg(m any) error {
	if s.ended != nil {
		return s.ended
	}
	return s.ClientStream.RecvMsg(m)
}

// StreamRefusal is the error of a stream the service refused before
// accepting it. It is a gRPC status error (status.Convert reads it), and
// carries the trailers of the refusal, where the services put the metadata
// a unary call gets in its headers (the rate-limit quota, Retry-After).
type StreamRefusal struct {
	status  *status.Status
	Trailer metadata.MD
}

func (e *StreamRefusal) Error() string { return e.status.Err().Error() }

// GRPCStatus returns the status the service refused the stream with.
func (e *StreamRefusal) GRPCStatus() *status.Status { return e.status }
