package grpcerr

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// Logger returns the logger for a request (with its request id attached).
type Logger func(ctx context.Context) *slog.Logger

// UnaryServerInterceptor converts every handler error to its client-facing
// status. Errors that become INTERNAL are logged in full, with the method and
// the request id carried by the request's logger, before being masked.
func UnaryServerInterceptor(logger Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err == nil {
			return resp, nil
		}
		return nil, convert(ctx, logger, info.FullMethod, err)
	}
}

// StreamServerInterceptor is the streaming form of UnaryServerInterceptor.
func StreamServerInterceptor(logger Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		err := handler(srv, ss)
		if err == nil {
			return nil
		}
		return convert(ss.Context(), logger, info.FullMethod, err)
	}
}

func convert(ctx context.Context, logger Logger, method string, err error) error {
	st := ToStatus(err)
	if IsMasked(st.Code()) {
		logger(ctx).ErrorContext(ctx, "internal error", "method", method, "error", err.Error())
		return st.Err()
	}
	if st.Code() == codes.OK {
		return nil
	}
	return st.Err()
}
