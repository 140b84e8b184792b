package grpcerr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/grpcerr"
)

const method = "/ariesone.testing.v1.ProbeService/CreateWidget"

// capture returns a Logger writing JSON lines into buf.
func capture(buf *bytes.Buffer) grpcerr.Logger {
	l := slog.New(slog.NewJSONHandler(buf, nil))
	return func(context.Context) *slog.Logger { return l }
}

// logLines decodes the JSON lines written to buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("log is not JSON lines: %v", err)
		}
		out = append(out, m)
	}
	return out
}

func TestUnaryServerInterceptor(t *testing.T) {
	tests := []struct {
		name       string
		handlerErr error
		wantCode   codes.Code
		wantLogged bool
	}{
		{name: "success", handlerErr: nil, wantCode: codes.OK},
		{name: "domain error is converted, not logged", handlerErr: errs.NotFound("widget", "w-1"), wantCode: codes.NotFound},
		{name: "invalid is converted, not logged", handlerErr: errs.Invalid(errs.FieldViolation{Field: "email", Description: "bad"}), wantCode: codes.InvalidArgument},
		{name: "plain error is masked and logged", handlerErr: errors.New("pq: " + secret), wantCode: codes.Internal, wantLogged: true},
		{name: "domain internal is masked and logged", handlerErr: &errs.Error{Kind: errs.KindInternal, Cause: errors.New(secret)}, wantCode: codes.Internal, wantLogged: true},
		{name: "status unknown is masked and logged", handlerErr: status.Error(codes.Unknown, secret), wantCode: codes.Unknown, wantLogged: true},
		{name: "deadline keeps its code", handlerErr: context.DeadlineExceeded, wantCode: codes.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			intercept := grpcerr.UnaryServerInterceptor(capture(&buf))
			wantResp := "response"
			handler := func(context.Context, any) (any, error) {
				if tt.handlerErr != nil {
					return "partial response that must be dropped", tt.handlerErr
				}
				return wantResp, nil
			}

			resp, err := intercept(t.Context(), "request", &grpc.UnaryServerInfo{FullMethod: method}, handler)

			if got := status.Code(err); got != tt.wantCode {
				t.Errorf("code = %v, want %v", got, tt.wantCode)
			}
			if tt.handlerErr == nil {
				if resp != wantResp {
					t.Errorf("resp = %v, want %v", resp, wantResp)
				}
			} else if resp != nil {
				t.Errorf("resp = %v, want nil alongside an error", resp)
			}
			if err != nil {
				if _, ok := status.FromError(err); !ok {
					t.Errorf("returned error %T is not a gRPC status", err)
				}
			}

			lines := logLines(t, &buf)
			if !tt.wantLogged {
				if len(lines) != 0 {
					t.Errorf("logged %d lines, want none", len(lines))
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("logged %d lines, want 1", len(lines))
			}
			line := lines[0]
			if line["level"] != "ERROR" || line["method"] != method {
				t.Errorf("log level/method = %v/%v, want ERROR/%s", line["level"], line["method"], method)
			}
			if logged, _ := line["error"].(string); !strings.Contains(logged, secret) {
				t.Errorf("log does not carry the cause")
			}
			if st := status.Convert(err); st.Message() != grpcerr.MaskedMessage || strings.Contains(st.Message(), secret) {
				t.Errorf("client-facing message is not masked")
			}
		})
	}
}

// fakeStream is the minimum of grpc.ServerStream the interceptor touches.
type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s fakeStream) Context() context.Context { return s.ctx }

func TestStreamServerInterceptor(t *testing.T) {
	tests := []struct {
		name       string
		handlerErr error
		wantCode   codes.Code
		wantLogged bool
	}{
		{name: "success", wantCode: codes.OK},
		{name: "permission denied", handlerErr: errs.PermissionDenied("no"), wantCode: codes.PermissionDenied},
		{name: "plain error masked", handlerErr: errors.New(secret), wantCode: codes.Internal, wantLogged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			intercept := grpcerr.StreamServerInterceptor(capture(&buf))
			err := intercept(nil, fakeStream{ctx: t.Context()}, &grpc.StreamServerInfo{FullMethod: method}, func(any, grpc.ServerStream) error {
				return tt.handlerErr
			})
			if got := status.Code(err); got != tt.wantCode {
				t.Errorf("code = %v, want %v", got, tt.wantCode)
			}
			var methods []any
			for _, l := range logLines(t, &buf) {
				methods = append(methods, l["method"])
			}
			var want []any
			if tt.wantLogged {
				want = []any{method}
			}
			if diff := cmp.Diff(want, methods); diff != "" {
				t.Errorf("logged methods (-want +got):\n%s", diff)
			}
		})
	}
}
