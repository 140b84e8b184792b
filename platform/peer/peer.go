// Package peer connects one AriesOne service to another's gRPC API on
// behalf of the caller being served. A service never reads another
// service's schema; it asks the owner, with the caller's own token, so
// the owner's authentication, authorization, tenancy and audit apply to
// the question exactly as if the caller had asked it directly.
package peer

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/ariesone/ariesone/platform/requestid"
)

// Dial returns a lazily connecting client to addr (host:port, or several
// joined by commas: see Target) whose calls carry the served call's bearer
// token and request id, spread over the replicas, reads retried on another
// (ServiceConfig). Connections are plaintext inside the cluster, as the
// gateway's are.
func Dial(addr, userAgent string, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	target, resolve := Target(addr)
	opts := append(append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(ServiceConfig()),
		grpc.WithUserAgent(userAgent),
		grpc.WithUnaryInterceptor(forward),
	}, resolve...), extra...)
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("peer: %s: %w", addr, err)
	}
	return conn, nil
}

// forward copies the served call's authorization and request id onto the
// outgoing call.
func forward(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(Outgoing(ctx), method, req, reply, cc, opts...)
}

// Outgoing returns ctx with the served call's bearer token and request id
// as outgoing metadata.
func Outgoing(ctx context.Context) context.Context {
	var pairs []string
	for _, v := range metadata.ValueFromIncomingContext(ctx, "authorization") {
		pairs = append(pairs, "authorization", v)
	}
	if id := requestid.FromContext(ctx); id != "" {
		pairs = append(pairs, requestid.Header, id)
	}
	if len(pairs) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, pairs...)
}
