package httperr_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/platform/requestid"
)

func TestHTTPStatus(t *testing.T) {
	want := map[codes.Code]int{
		codes.InvalidArgument:    400,
		codes.OutOfRange:         400,
		codes.FailedPrecondition: 400,
		codes.Unauthenticated:    401,
		codes.PermissionDenied:   403,
		codes.NotFound:           404,
		codes.AlreadyExists:      409,
		codes.Aborted:            409,
		codes.ResourceExhausted:  429,
		codes.Canceled:           499,
		codes.Internal:           500,
		codes.Unknown:            500,
		codes.DataLoss:           500,
		codes.Unimplemented:      501,
		codes.Unavailable:        503,
		codes.DeadlineExceeded:   504,
	}
	got := map[codes.Code]int{}
	for c := range want {
		got[c] = httperr.HTTPStatus(c)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HTTP status by code (-want +got):\n%s", diff)
	}
}

func withDetails(t *testing.T, st *status.Status, details ...protoadapt.MessageV1) *status.Status {
	t.Helper()
	for _, d := range details {
		var err error
		if st, err = st.WithDetails(d); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestFromStatus(t *testing.T) {
	badRequest := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
		{Field: "serialNumber", Description: "Invalid format"},
	}}
	invalid, err := status.New(codes.InvalidArgument, "Validation failed").WithDetails(
		badRequest, &errdetails.ErrorInfo{Reason: "INVALID_ARGUMENT", Domain: "ariesone"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		st   *status.Status
		want httperr.Body
	}{
		{
			name: "field violations and reason",
			st:   invalid,
			want: httperr.Body{StatusCode: 400, Message: "Validation failed", Reason: "INVALID_ARGUMENT",
				Errors: []httperr.Violation{{Field: "serialNumber", Message: "Invalid format"}}},
		},
		{
			name: "internal masked with its details",
			st:   withDetails(t, status.New(codes.Internal, "pq: relation users does not exist"), badRequest),
			want: httperr.Body{StatusCode: 500, Message: httperr.MessageInternal, Errors: []httperr.Violation{}},
		},
		{
			name: "unknown masked",
			st:   status.New(codes.Unknown, "panic: nil map"),
			want: httperr.Body{StatusCode: 500, Message: httperr.MessageInternal, Errors: []httperr.Violation{}},
		},
		{
			name: "transport failure masked",
			st:   status.New(codes.Unavailable, "connection error: dial tcp 10.0.0.7:8081: connect: connection refused"),
			want: httperr.Body{StatusCode: 503, Message: httperr.MessageUnavailable, Errors: []httperr.Violation{}},
		},
		{
			name: "precondition violations and reason metadata",
			st: withDetails(t, status.New(codes.FailedPrecondition, "possible duplicate patient"),
				&errdetails.ErrorInfo{Reason: "POSSIBLE_DUPLICATE_PATIENT", Domain: "ariesone", Metadata: map[string]string{"patient_ids": "p-1,p-2"}},
				&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{
					{Type: "DUPLICATE", Subject: "patients/p-1", Description: "same name and birth date"},
					{Type: "DUPLICATE", Subject: "patients/p-2", Description: "same name and birth date"},
				}}),
			want: httperr.Body{StatusCode: 400, Message: "possible duplicate patient", Errors: []httperr.Violation{},
				Reason: "POSSIBLE_DUPLICATE_PATIENT", Metadata: map[string]string{"patient_ids": "p-1,p-2"},
				Preconditions: []httperr.Precondition{
					{Type: "DUPLICATE", Subject: "patients/p-1", Description: "same name and birth date"},
					{Type: "DUPLICATE", Subject: "patients/p-2", Description: "same name and birth date"},
				}},
		},
		{
			name: "masked errors drop preconditions too",
			st: withDetails(t, status.New(codes.Internal, "boom"),
				&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{{Type: "X"}}}),
			want: httperr.Body{StatusCode: 500, Message: httperr.MessageInternal, Errors: []httperr.Violation{}},
		},
		{
			name: "client error message kept",
			st:   status.New(codes.FailedPrecondition, "the unit is rented"),
			want: httperr.Body{StatusCode: 400, Message: "the unit is rented", Errors: []httperr.Violation{}},
		},
		{
			name: "empty message filled",
			st:   status.New(codes.NotFound, ""),
			want: httperr.Body{StatusCode: 404, Message: "Not Found", Errors: []httperr.Violation{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, httperr.FromStatus(tt.st)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/x", nil)
	r = r.WithContext(requestid.NewContext(r.Context(), "req-1"))
	rec.Header().Set("ETag", `"1"`)
	httperr.Write(rec, r, httperr.New(http.StatusUnauthorized, ""))

	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"statusCode": 401.0, "message": "Unauthorized", "errors": []any{}, "requestId": "req-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if rec.Code != 401 || rec.Header().Get("ETag") != "" || rec.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("status %d, ETag %q, WWW-Authenticate %q", rec.Code, rec.Header().Get("ETag"), rec.Header().Get("WWW-Authenticate"))
	}
}

func TestRetryDelay(t *testing.T) {
	st, err := status.New(codes.ResourceExhausted, "slow down").WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	d, ok := httperr.RetryDelay(st)
	if !ok || httperr.RetryAfterSeconds(d) != "2" {
		t.Errorf("RetryDelay = %v, %v; Retry-After %q, want 2", d, ok, httperr.RetryAfterSeconds(d))
	}
	if got := httperr.RetryAfterSeconds(0); got != "1" {
		t.Errorf("RetryAfterSeconds(0) = %q, want 1", got)
	}
}
