package ratelimit

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Response header metadata set by the interceptors. The REST gateway forwards
// them as the HTTP headers of the same names (X-RateLimit-Limit, ...), so its
// outgoing header matcher must pass them through unprefixed.
const (
	// HeaderLimit carries Decision.Limit, the bucket capacity.
	HeaderLimit = "x-ratelimit-limit"
	// HeaderRemaining carries Decision.Remaining.
	HeaderRemaining = "x-ratelimit-remaining"
	// HeaderReset carries Decision.ResetAfter in whole seconds, rounded up.
	HeaderReset = "x-ratelimit-reset"
	// HeaderRetryAfter carries Decision.RetryAfter in whole seconds, rounded
	// up; it is set only on denial.
	HeaderRetryAfter = "retry-after"
)

// Values of the google.rpc.ErrorInfo attached to a denial, so clients can
// branch on the reason rather than on the message.
const (
	// ReasonRateLimited is ErrorInfo.reason of a denied request.
	ReasonRateLimited = "RATE_LIMITED"
	// ErrorDomain is ErrorInfo.domain of every AriesOne error.
	ErrorDomain = "ariesone"
)

// UnaryServerInterceptor enforces l on unary RPCs. It belongs after
// authentication and authorization in the chain, so classify can read the
// verified principal from ctx.
//
// classify names the bucket of a call: key identifies the principal (user,
// API key or client address) and class the method class. An empty key means
// "do not limit" (health checks, for example); then no headers are set either.
// classify must not be nil.
//
// A denied call fails with ResourceExhausted carrying google.rpc.RetryInfo and
// google.rpc.ErrorInfo (reason RATE_LIMITED, metadata "class"). Every limited
// call gets the x-ratelimit-* response headers, and a denial also retry-after.
//
// onError, which may be nil, receives every error from l and any failure to set
// the headers. When l returns an error the call proceeds if the Decision
// allows it (a limiter failing open) and otherwise fails with Unavailable: the
// caller is not over quota, the limiter is broken. No headers are set then,
// since the Decision holds no real quota.
func UnaryServerInterceptor(l Limiter, classify func(ctx context.Context, fullMethod string) (key, class string), onError func(ctx context.Context, err error)) grpc.UnaryServerInterceptor {
	g := newGate(l, classify, onError)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		setHeader := func(md metadata.MD) error { return grpc.SetHeader(ctx, md) }
		if err := g.admit(ctx, info.FullMethod, setHeader); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming RPCs. A
// stream is checked once, when it opens; its messages are not counted.
func StreamServerInterceptor(l Limiter, classify func(ctx context.Context, fullMethod string) (key, class string), onError func(ctx context.Context, err error)) grpc.StreamServerInterceptor {
	g := newGate(l, classify, onError)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if err := g.admit(ss.Context(), info.FullMethod, ss.SetHeader); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}

// gate is the transport-neutral part of both interceptors.
type gate struct {
	limiter  Limiter
	classify func(ctx context.Context, fullMethod string) (key, class string)
	onError  func(ctx context.Context, err error)
}

func newGate(l Limiter, classify func(ctx context.Context, fullMethod string) (key, class string), onError func(ctx context.Context, err error)) gate {
	if l == nil || classify == nil {
		// A wiring mistake; failing at start beats a nil call on the first
		// request.
		panic("ratelimit: interceptor needs a non-nil Limiter and classify function")
	}
	return gate{limiter: l, classify: classify, onError: onError}
}

// admit returns nil if the call may proceed, or the status error to return.
func (g gate) admit(ctx context.Context, fullMethod string, setHeader func(metadata.MD) error) error {
	key, class := g.classify(ctx, fullMethod)
	if key == "" {
		return nil
	}
	d, err := g.limiter.Allow(ctx, key, class)
	if err != nil {
		g.report(ctx, err)
		if d.Allowed {
			return nil
		}
		return status.Error(codes.Unavailable, "rate limiter unavailable; retry later")
	}
	if err := setHeader(quotaHeaders(d)); err != nil {
		g.report(ctx, fmt.Errorf("ratelimit: set response headers: %w", err))
	}
	if d.Allowed {
		return nil
	}
	return deniedStatus(class, d.RetryAfter)
}

func (g gate) report(ctx context.Context, err error) {
	if g.onError != nil {
		g.onError(ctx, err)
	}
}

// quotaHeaders renders d as response header metadata.
func quotaHeaders(d Decision) metadata.MD {
	md := metadata.Pairs(
		HeaderLimit, strconv.Itoa(d.Limit),
		HeaderRemaining, strconv.Itoa(d.Remaining),
		HeaderReset, strconv.FormatInt(ceilSeconds(d.ResetAfter), 10),
	)
	if !d.Allowed {
		// HTTP clients read Retry-After as whole seconds; a zero would
		// invite an immediate retry that is bound to fail.
		md.Set(HeaderRetryAfter, strconv.FormatInt(max(1, ceilSeconds(d.RetryAfter)), 10))
	}
	return md
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds()))
}

// deniedStatus is the ResourceExhausted error of a denied call.
func deniedStatus(class string, retryAfter time.Duration) error {
	st := status.New(codes.ResourceExhausted, "rate limit exceeded; retry after the delay in RetryInfo")
	detailed, err := st.WithDetails(
		&errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)},
		&errdetails.ErrorInfo{
			Reason:   ReasonRateLimited,
			Domain:   ErrorDomain,
			Metadata: map[string]string{"class": class},
		},
	)
	if err != nil {
		// Only a marshalling failure lands here; the code still tells the
		// client what happened.
		return st.Err()
	}
	return detailed.Err()
}
