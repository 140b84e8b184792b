package server

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// holdStreamHeaders keeps the response headers that interceptors set on a
// server stream (the request id, the rate-limit quota) from leaving before
// the handler sends headers or its first message.
//
// grpc-go sends set headers in a header frame of their own when a stream
// ends with an error, so without this a stream refused by authentication,
// authorization, the rate limit or validation would look to its client
// exactly like one the handler accepted: headers first, the status later.
// The REST gateway answers a stream with 200 once it has the stream's
// headers, so it would answer 200 to a refused stream and send the refusal
// inside the body. Held back, the headers of a refused stream travel in its
// trailers instead, the response is trailers-only, and the gateway answers
// the refusal with its own HTTP status. Handlers that accept a stream send
// headers (ServerStream.SendHeader) as soon as they have accepted it, which
// releases the held ones with them.
//
// It must be the outermost stream interceptor, so that every header set
// later in the chain reaches it.
func holdStreamHeaders(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	h := &heldHeaders{ServerStream: ss, ctx: ss.Context()}
	if ts := grpc.ServerTransportStreamFromContext(ss.Context()); ts != nil {
		h.ctx = grpc.NewContextWithServerTransportStream(h.ctx, &heldTransport{ServerTransportStream: ts, held: h})
	}
	err := handler(srv, h)
	h.moveToTrailer()
	return err
}

// heldHeaders is a ServerStream whose SetHeader collects instead of
// setting, until headers are sent.
type heldHeaders struct {
	grpc.ServerStream
	ctx context.Context

	mu   sync.Mutex
	md   metadata.MD
	sent bool
}

func (h *heldHeaders) Context() context.Context { return h.ctx }

func (h *heldHeaders) SetHeader(md metadata.MD) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent {
		return h.ServerStream.SetHeader(md)
	}
	h.md = metadata.Join(h.md, md)
	return nil
}

func (h *heldHeaders) SendHeader(md metadata.MD) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	held := h.md
	h.md, h.sent = nil, true
	return h.ServerStream.SendHeader(metadata.Join(held, md))
}

func (h *heldHeaders) SendMsg(m any) error {
	if err := h.release(); err != nil {
		return err
	}
	return h.ServerStream.SendMsg(m)
}

// release sets the held headers on the stream, where its first message
// sends them.
func (h *heldHeaders) release() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent {
		return nil
	}
	held := h.md
	h.md, h.sent = nil, true
	if held.Len() == 0 {
		return nil
	}
	return h.ServerStream.SetHeader(held)
}

// moveToTrailer puts headers that were never sent into the trailers, the
// only metadata a stream that ends without headers has.
func (h *heldHeaders) moveToTrailer() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent || h.md.Len() == 0 {
		return
	}
	h.ServerStream.SetTrailer(h.md)
	h.md = nil
}

// heldTransport routes grpc.SetHeader and grpc.SendHeader on the stream's
// context through heldHeaders; the rest goes to the real stream.
type heldTransport struct {
	grpc.ServerTransportStream
	held *heldHeaders
}

func (t *heldTransport) SetHeader(md metadata.MD) error  { return t.held.SetHeader(md) }
func (t *heldTransport) SendHeader(md metadata.MD) error { return t.held.SendHeader(md) }
