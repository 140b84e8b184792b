package server

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/ariesone/ariesone/platform/grpcerr"
)

// accessLog writes one line per finished call. Successful calls log at
// debug: the audit trail already records every call, so an info line per
// success would only double the log volume and cost latency on the hot path.
// Client mistakes log at info, server faults at error. The level check comes
// first, so a call that is not logged costs next to nothing.
type accessLog struct {
	base   *slog.Logger
	logger func(ctx context.Context) *slog.Logger
}

func levelFor(c codes.Code) slog.Level {
	switch c {
	case codes.OK:
		return slog.LevelDebug
	case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unavailable, codes.DeadlineExceeded:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

func (a accessLog) log(ctx context.Context, method string, start time.Time, err error) {
	code := grpcerr.ToStatus(err).Code()
	level := levelFor(code)
	if !a.base.Enabled(ctx, level) {
		return
	}
	a.logger(ctx).LogAttrs(ctx, level, "finished call",
		slog.String("grpc.method", method),
		slog.String("grpc.code", code.String()),
		slog.Duration("grpc.duration", time.Since(start)),
	)
}

func (a accessLog) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	a.log(ctx, info.FullMethod, start, err)
	return resp, err
}

func (a accessLog) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	err := handler(srv, ss)
	a.log(ss.Context(), info.FullMethod, start, err)
	return err
}
