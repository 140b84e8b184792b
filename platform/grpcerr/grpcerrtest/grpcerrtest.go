// Package grpcerrtest holds the assertions RPC tests of every service make
// about gRPC errors: the status code, and for invalid input exactly which
// request fields were refused.
package grpcerrtest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/platform/grpcerr"
)

// WantCode fails the test now unless err carries code.
func WantCode(t testing.TB, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("code = %v (%v), want %v", got, err, code)
	}
}

// WantInvalid fails the test unless err is INVALID_ARGUMENT listing
// exactly fields, in order (JSON paths, as protovalidate names them).
func WantInvalid(t testing.TB, err error, fields ...string) {
	t.Helper()
	WantCode(t, err, codes.InvalidArgument)
	var got []string
	for _, v := range grpcerr.FieldViolations(status.Convert(err)) {
		got = append(got, v.Field)
	}
	if diff := cmp.Diff(fields, got); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s", diff)
	}
}

// WantReason fails the test now unless err carries code and an ErrorInfo
// with reason, which it returns for the metadata.
func WantReason(t testing.TB, err error, code codes.Code, reason string) *errdetails.ErrorInfo {
	t.Helper()
	WantCode(t, err, code)
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if info.GetReason() != reason {
				t.Fatalf("reason = %s, want %s", info.GetReason(), reason)
			}
			return info
		}
	}
	t.Fatalf("%v carries no ErrorInfo", err)
	return nil
}
