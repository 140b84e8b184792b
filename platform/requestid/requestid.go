// Package requestid gives every call an id that travels in the
// "x-request-id" metadata header, appears in every log line and audit record
// of the call, and is returned to the client so a support engineer can find
// the call from the id a partner quotes. A caller-supplied id is kept when it
// is well-formed, so one id can follow a request across the gateway and
// services; anything else is replaced with a fresh UUIDv7.
package requestid

import (
	"context"

	"github.com/google/uuid"
	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Header is the metadata key (and HTTP header, case-insensitively).
const Header = "x-request-id"

// maxLen bounds a caller-supplied id so it cannot bloat logs.
const maxLen = 128

type ctxKey struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the request id of ctx, or "" outside a request.
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Valid reports whether a caller-supplied id may be kept: 1 to 128 visible
// ASCII characters without spaces, quotes or backslashes (nothing that could
// forge log structure).
func Valid(id string) bool {
	if id == "" || len(id) > maxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// New returns a fresh request id.
func New() string { return uuid.Must(uuid.NewV7()).String() }

// FromIncoming picks the id of an incoming call: the caller's if valid,
// otherwise a new one.
func FromIncoming(ctx context.Context) string {
	if v := metadata.ValueFromIncomingContext(ctx, Header); len(v) > 0 && Valid(v[0]) {
		return v[0]
	}
	return New()
}

// UnaryServerInterceptor attaches the request id to the context and sends it
// back in the response header.
func UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx = attach(ctx)
		return handler(ctx, req)
	}
}

// StreamServerInterceptor is the streaming form of UnaryServerInterceptor.
func StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		wrapped := middleware.WrapServerStream(ss)
		wrapped.WrappedContext = attach(ss.Context())
		return handler(srv, wrapped)
	}
}

func attach(ctx context.Context) context.Context {
	id := FromIncoming(ctx)
	// SetHeader only fails when headers were already sent, which cannot have
	// happened before the handler runs.
	_ = grpc.SetHeader(ctx, metadata.Pairs(Header, id))
	return NewContext(ctx, id)
}
