package grpcerr_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/grpcerr"
)

const secret = "password=hunter2 host=10.0.0.7"

func TestCodeCoversEveryKind(t *testing.T) {
	want := map[errs.Kind]codes.Code{
		errs.KindInternal:           codes.Internal,
		errs.KindNotFound:           codes.NotFound,
		errs.KindAlreadyExists:      codes.AlreadyExists,
		errs.KindInvalid:            codes.InvalidArgument,
		errs.KindFailedPrecondition: codes.FailedPrecondition,
		errs.KindAborted:            codes.Aborted,
		errs.KindPermissionDenied:   codes.PermissionDenied,
		errs.KindUnauthenticated:    codes.Unauthenticated,
		errs.KindResourceExhausted:  codes.ResourceExhausted,
		errs.KindUnavailable:        codes.Unavailable,
	}
	// Walk the declared range so a new Kind without a row here fails.
	for k := errs.KindInternal; k <= errs.KindUnavailable; k++ {
		w, ok := want[k]
		if !ok {
			t.Errorf("kind %v has no expected code in this test", k)
			continue
		}
		if got := grpcerr.Code(k); got != w {
			t.Errorf("Code(%v) = %v, want %v", k, got, w)
		}
		if got := grpcerr.ToStatus(&errs.Error{Kind: k, Message: "m"}).Code(); got != w {
			t.Errorf("ToStatus(kind %v).Code() = %v, want %v", k, got, w)
		}
	}
	for _, k := range []errs.Kind{-1, errs.KindUnavailable + 1} {
		if got := grpcerr.Code(k); got != codes.Internal {
			t.Errorf("Code(%d) = %v, want %v", int(k), got, codes.Internal)
		}
	}
}

func TestToStatusCodes(t *testing.T) {
	notFound := status.Error(codes.NotFound, "order o-1 not found")
	tests := []struct {
		name string
		err  error
		want codes.Code
	}{
		{name: "nil", err: nil, want: codes.OK},
		{name: "plain error", err: errors.New(secret), want: codes.Internal},
		{name: "domain not found", err: errs.NotFound("order", "o-1"), want: codes.NotFound},
		{name: "wrapped domain error", err: fmt.Errorf("handler: %w", errs.Aborted("ETAG_MISMATCH", "stale")), want: codes.Aborted},
		{name: "status passes through", err: notFound, want: codes.NotFound},
		{name: "deadline", err: context.DeadlineExceeded, want: codes.DeadlineExceeded},
		{name: "wrapped deadline", err: fmt.Errorf("query: %w", context.DeadlineExceeded), want: codes.DeadlineExceeded},
		{name: "canceled", err: context.Canceled, want: codes.Canceled},
		{name: "wrapped canceled", err: fmt.Errorf("query: %w", context.Canceled), want: codes.Canceled},
		{name: "status internal", err: status.Error(codes.Internal, secret), want: codes.Internal},
		{name: "status unknown", err: status.Error(codes.Unknown, secret), want: codes.Unknown},
		{name: "unknown kind", err: &errs.Error{Kind: 42, Message: secret}, want: codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := grpcerr.ToStatus(tt.err).Code(); got != tt.want {
				t.Errorf("code = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestToStatusStatusPassesThroughUnchanged(t *testing.T) {
	in, err := status.New(codes.NotFound, "order o-1 not found").WithDetails(&errdetails.ErrorInfo{Reason: "NOT_FOUND", Domain: grpcerr.Domain})
	if err != nil {
		t.Fatal(err)
	}
	got := grpcerr.ToStatus(in.Err())
	if diff := cmp.Diff(in.Proto(), got.Proto(), protocmp.Transform()); diff != "" {
		t.Errorf("status changed (-want +got):\n%s", diff)
	}
}

func TestToStatusMasksInternal(t *testing.T) {
	withDetails, err := status.New(codes.Internal, secret).WithDetails(&errdetails.DebugInfo{Detail: secret})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		code codes.Code
	}{
		{name: "plain error", err: errors.New(secret), code: codes.Internal},
		{name: "wrapped plain error", err: fmt.Errorf("saving: %w", errors.New(secret)), code: codes.Internal},
		{name: "domain internal with cause", err: &errs.Error{Kind: errs.KindInternal, Reason: "DB", Message: secret, Cause: errors.New(secret), Metadata: map[string]string{"dsn": secret}}, code: codes.Internal},
		{name: "wrapped domain internal", err: fmt.Errorf("x: %w", &errs.Error{Kind: errs.KindInternal, Cause: errors.New(secret)}), code: codes.Internal},
		{name: "status internal", err: status.Error(codes.Internal, secret), code: codes.Internal},
		{name: "status internal with details", err: withDetails.Err(), code: codes.Internal},
		{name: "wrapped status internal", err: fmt.Errorf("calling orders: %w", status.Error(codes.Internal, secret)), code: codes.Internal},
		{name: "status unknown", err: status.Error(codes.Unknown, secret), code: codes.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := grpcerr.ToStatus(tt.err)
			if st.Code() != tt.code {
				t.Errorf("code = %v, want %v", st.Code(), tt.code)
			}
			if st.Message() != grpcerr.MaskedMessage {
				t.Errorf("message is not the masked message")
			}
			if len(st.Details()) != 0 {
				t.Errorf("masked status carries %d details", len(st.Details()))
			}
			if strings.Contains(fmt.Sprint(st.Proto()), "hunter2") {
				t.Error("secret reached the client-facing status")
			}
		})
	}
}

func TestToStatusInvalidDetails(t *testing.T) {
	fields := []errs.FieldViolation{
		{Field: "widget.displayName", Description: "must not be empty"},
		{Field: "lines[2].hcpcsCode", Description: "unknown code"},
		{Field: "widget.email", Description: "must be an email address"},
	}
	st := grpcerr.ToStatus(fmt.Errorf("validating: %w", errs.Invalid(fields...)))

	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v, want %v", st.Code(), codes.InvalidArgument)
	}
	var badRequests []*errdetails.BadRequest
	var infos []*errdetails.ErrorInfo
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			badRequests = append(badRequests, d)
		case *errdetails.ErrorInfo:
			infos = append(infos, d)
		default:
			t.Errorf("unexpected detail %T", d)
		}
	}
	wantBR := []*errdetails.BadRequest{{FieldViolations: []*errdetails.BadRequest_FieldViolation{
		{Field: "widget.displayName", Description: "must not be empty"},
		{Field: "lines[2].hcpcsCode", Description: "unknown code"},
		{Field: "widget.email", Description: "must be an email address"},
	}}}
	if diff := cmp.Diff(wantBR, badRequests, protocmp.Transform()); diff != "" {
		t.Errorf("BadRequest details (-want +got):\n%s", diff)
	}
	wantInfo := []*errdetails.ErrorInfo{{Reason: "INVALID_ARGUMENT", Domain: "ariesone"}}
	if diff := cmp.Diff(wantInfo, infos, protocmp.Transform()); diff != "" {
		t.Errorf("ErrorInfo details (-want +got):\n%s", diff)
	}
}

func TestToStatusErrorInfo(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code codes.Code
		want []protoadapt.MessageV1
	}{
		{
			name: "not found with metadata",
			err:  errs.NotFound("patient", "p-1").With("tenant", "c-1"),
			code: codes.NotFound,
			want: []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: "NOT_FOUND", Domain: "ariesone", Metadata: map[string]string{"resource": "patient", "id": "p-1", "tenant": "c-1"}}},
		},
		{
			name: "failed precondition with custom reason",
			err:  errs.FailedPrecondition("TRANSITION_NOT_ALLOWED", "order is closed").With("from", "CLOSED"),
			code: codes.FailedPrecondition,
			want: []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: "TRANSITION_NOT_ALLOWED", Domain: "ariesone", Metadata: map[string]string{"from": "CLOSED"}}},
		},
		{
			name: "failed precondition listing its preconditions",
			err: errs.Unmet("POSSIBLE_DUPLICATE_PATIENT", "a patient with the same name and birth date exists",
				errs.PreconditionViolation{Type: "DUPLICATE", Subject: "patients/p-1", Description: "same name and birth date"}).With("patient_ids", "p-1"),
			code: codes.FailedPrecondition,
			want: []protoadapt.MessageV1{
				&errdetails.ErrorInfo{Reason: "POSSIBLE_DUPLICATE_PATIENT", Domain: "ariesone", Metadata: map[string]string{"patient_ids": "p-1"}},
				&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{{Type: "DUPLICATE", Subject: "patients/p-1", Description: "same name and birth date"}}},
			},
		},
		{
			name: "no reason, no details",
			err:  &errs.Error{Kind: errs.KindResourceExhausted, Message: "slow down"},
			code: codes.ResourceExhausted,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := grpcerr.ToStatus(tt.err)
			if st.Code() != tt.code {
				t.Errorf("code = %v, want %v", st.Code(), tt.code)
			}
			var got []protoadapt.MessageV1
			for _, d := range st.Details() {
				m, ok := d.(protoadapt.MessageV1)
				if !ok {
					t.Fatalf("detail %T is not a proto message", d)
				}
				got = append(got, m)
			}
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("details (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToStatusEmptyMessageFallsBackToKind(t *testing.T) {
	st := grpcerr.ToStatus(&errs.Error{Kind: errs.KindNotFound})
	if st.Message() == "" {
		t.Error("status message is empty")
	}
}

func TestFieldViolationsRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		fields []errs.FieldViolation
	}{
		{name: "one", fields: []errs.FieldViolation{{Field: "email", Description: "must be an email address"}}},
		{name: "order kept", fields: []errs.FieldViolation{
			{Field: "z", Description: "1"}, {Field: "a", Description: "2"}, {Field: "labels[\"snake_key\"]", Description: "3"}, {Field: "a", Description: "4"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Through the wire form, as a client would see it.
			st := status.Convert(grpcerr.ToStatus(errs.Invalid(tt.fields...)).Err())
			if diff := cmp.Diff(tt.fields, grpcerr.FieldViolations(st)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPreconditionViolationsRoundTrip(t *testing.T) {
	want := []errs.PreconditionViolation{
		{Type: "DIAGNOSIS_MISSING", Subject: "diagnoses", Description: "at least one diagnosis is required"},
		{Type: "FACE_TO_FACE_MISSING", Subject: "faceToFaceDate", Description: "is required for K0823"},
	}
	st := status.Convert(grpcerr.ToStatus(errs.Unmet("WRITTEN_ORDER_INCOMPLETE", "incomplete", want...)).Err())
	if st.Code() != codes.FailedPrecondition {
		t.Errorf("code = %v, want %v", st.Code(), codes.FailedPrecondition)
	}
	if diff := cmp.Diff(want, grpcerr.PreconditionViolations(st)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := grpcerr.PreconditionViolations(grpcerr.ToStatus(errs.Invalid(errs.FieldViolation{Field: "a"}))); got != nil {
		t.Errorf("PreconditionViolations of an invalid-argument status = %v, want nil", got)
	}
}

func TestFieldViolationsOfStatusWithoutBadRequest(t *testing.T) {
	for _, st := range []*status.Status{
		status.New(codes.OK, ""),
		grpcerr.ToStatus(errs.NotFound("x", "y")),
		grpcerr.ToStatus(errors.New(secret)),
	} {
		if got := grpcerr.FieldViolations(st); got != nil {
			t.Errorf("FieldViolations(%v) = %v, want nil", st.Code(), got)
		}
	}
}

func TestIsMasked(t *testing.T) {
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		want := c == codes.Internal || c == codes.Unknown
		if got := grpcerr.IsMasked(c); got != want {
			t.Errorf("IsMasked(%v) = %v, want %v", c, got, want)
		}
	}
}

// A domain error that says when to retry carries RetryInfo, which the
// gateway turns into Retry-After.
func TestRetryAfterBecomesRetryInfo(t *testing.T) {
	st := grpcerr.ToStatus(errs.Exhausted("BUSY", "too many at once", 1500*time.Millisecond))
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("code %v, want ResourceExhausted", st.Code())
	}
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if delay != 1500*time.Millisecond {
		t.Errorf("RetryInfo delay %v, want 1.5s", delay)
	}
}
