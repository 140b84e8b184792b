package errs_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ariesone/ariesone/platform/errs"
)

func TestKindOfThroughWrapping(t *testing.T) {
	notFound := errs.NotFound("patient", "p-1")
	tests := []struct {
		name string
		err  error
		want errs.Kind
	}{
		{name: "nil", err: nil, want: errs.KindInternal},
		{name: "plain error", err: io.EOF, want: errs.KindInternal},
		{name: "domain error", err: notFound, want: errs.KindNotFound},
		{name: "wrapped once", err: fmt.Errorf("loading: %w", notFound), want: errs.KindNotFound},
		{name: "wrapped twice", err: fmt.Errorf("handler: %w", fmt.Errorf("store: %w", errs.Aborted("ETAG_MISMATCH", "stale"))), want: errs.KindAborted},
		{name: "joined", err: errors.Join(io.EOF, errs.Invalid()), want: errs.KindInvalid},
		{name: "domain error wrapping another kind", err: errs.Unavailable("db down", errs.NotFound("x", "y")), want: errs.KindUnavailable},
		{name: "explicit internal", err: &errs.Error{Kind: errs.KindInternal, Cause: io.EOF}, want: errs.KindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIs(t *testing.T) {
	wrapped := fmt.Errorf("ctx: %w", errs.PermissionDenied("no"))
	tests := []struct {
		name string
		err  error
		kind errs.Kind
		want bool
	}{
		{name: "nil is never internal", err: nil, kind: errs.KindInternal, want: false},
		{name: "nil is not not-found", err: nil, kind: errs.KindNotFound, want: false},
		{name: "plain error is internal", err: io.EOF, kind: errs.KindInternal, want: true},
		{name: "wrapped matches its kind", err: wrapped, kind: errs.KindPermissionDenied, want: true},
		{name: "wrapped does not match another kind", err: wrapped, kind: errs.KindUnauthenticated, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.Is(tt.err, tt.kind); got != tt.want {
				t.Errorf("Is(%v) = %v, want %v", tt.kind, got, tt.want)
			}
		})
	}
}

func TestUnwrapKeepsCauseForErrorsIs(t *testing.T) {
	err := fmt.Errorf("outer: %w", errs.Unavailable("broker unreachable", io.ErrUnexpectedEOF))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("errors.Is does not reach the cause")
	}
}

func TestConstructors(t *testing.T) {
	cause := errors.New("dial tcp: refused")
	fields := []errs.FieldViolation{{Field: "a", Description: "x"}, {Field: "b", Description: "y"}}
	tests := []struct {
		name string
		err  *errs.Error
		want *errs.Error
	}{
		{
			name: "NotFound",
			err:  errs.NotFound("patient", "p-1"),
			want: &errs.Error{Kind: errs.KindNotFound, Reason: "NOT_FOUND", Metadata: map[string]string{"resource": "patient", "id": "p-1"}},
		},
		{
			name: "AlreadyExists",
			err:  errs.AlreadyExists("serial", "SN-9"),
			want: &errs.Error{Kind: errs.KindAlreadyExists, Reason: "ALREADY_EXISTS", Metadata: map[string]string{"resource": "serial", "key": "SN-9"}},
		},
		{
			name: "Invalid",
			err:  errs.Invalid(fields...),
			want: &errs.Error{Kind: errs.KindInvalid, Reason: "INVALID_ARGUMENT", Fields: fields},
		},
		{
			name: "Invalid without fields",
			err:  errs.Invalid(),
			want: &errs.Error{Kind: errs.KindInvalid, Reason: "INVALID_ARGUMENT"},
		},
		{
			name: "FailedPrecondition",
			err:  errs.FailedPrecondition("TRANSITION_NOT_ALLOWED", "order is closed"),
			want: &errs.Error{Kind: errs.KindFailedPrecondition, Reason: "TRANSITION_NOT_ALLOWED"},
		},
		{
			name: "Aborted",
			err:  errs.Aborted("ETAG_MISMATCH", "stale etag"),
			want: &errs.Error{Kind: errs.KindAborted, Reason: "ETAG_MISMATCH"},
		},
		{
			name: "PermissionDenied",
			err:  errs.PermissionDenied("role does not grant orders.write"),
			want: &errs.Error{Kind: errs.KindPermissionDenied, Reason: "PERMISSION_DENIED"},
		},
		{
			name: "Unauthenticated",
			err:  errs.Unauthenticated("token expired"),
			want: &errs.Error{Kind: errs.KindUnauthenticated, Reason: "UNAUTHENTICATED"},
		},
		{
			name: "Unavailable",
			err:  errs.Unavailable("database unreachable", cause),
			want: &errs.Error{Kind: errs.KindUnavailable, Reason: "UNAVAILABLE", Cause: cause},
		},
	}
	// Messages are for humans; the contract is kind, reason, fields, metadata
	// and cause (compared by identity below).
	ignore := cmpopts.IgnoreFields(errs.Error{}, "Message", "Cause")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err, ignore); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.err.Cause != tt.want.Cause {
				t.Errorf("Cause = %v, want %v", tt.err.Cause, tt.want.Cause)
			}
			if tt.err.Message == "" {
				t.Error("Message is empty; clients would see only the kind")
			}
			if got := errs.KindOf(tt.err); got != tt.want.Kind {
				t.Errorf("KindOf = %v, want %v", got, tt.want.Kind)
			}
		})
	}
}

func TestUnmetListsPreconditionsInOrder(t *testing.T) {
	a := errs.PreconditionViolation{Type: "DUPLICATE", Subject: "patients/p-1", Description: "same name"}
	b := errs.PreconditionViolation{Type: "DUPLICATE", Subject: "patients/p-2", Description: "same name"}
	err := errs.Unmet("POSSIBLE_DUPLICATE_PATIENT", "possible duplicate", a, b)
	if err.Kind != errs.KindFailedPrecondition || err.Reason != "POSSIBLE_DUPLICATE_PATIENT" {
		t.Errorf("Unmet = %v/%s", err.Kind, err.Reason)
	}
	if diff := cmp.Diff([]errs.PreconditionViolation{a, b}, err.Preconditions); diff != "" {
		t.Errorf("preconditions (-want +got):\n%s", diff)
	}
	want := "failed precondition: possible duplicate; DUPLICATE patients/p-1: same name; DUPLICATE patients/p-2: same name"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestWithCopiesMetadata(t *testing.T) {
	orig := errs.NotFound("patient", "p-1")
	before := map[string]string{"resource": "patient", "id": "p-1"}

	got := orig.With("tenant", "c-1").With("id", "p-2")

	if got == orig {
		t.Fatal("With returned the receiver, not a copy")
	}
	if diff := cmp.Diff(map[string]string{"resource": "patient", "id": "p-2", "tenant": "c-1"}, got.Metadata); diff != "" {
		t.Errorf("copy metadata (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, orig.Metadata); diff != "" {
		t.Errorf("original metadata mutated (-want +got):\n%s", diff)
	}
	if got.Kind != orig.Kind || got.Reason != orig.Reason {
		t.Errorf("With changed classification: got %v/%s, want %v/%s", got.Kind, got.Reason, orig.Kind, orig.Reason)
	}
}

func TestWithOnErrorWithoutMetadata(t *testing.T) {
	orig := errs.PermissionDenied("no")
	got := orig.With("permission", "orders.write")
	if diff := cmp.Diff(map[string]string{"permission": "orders.write"}, got.Metadata); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if orig.Metadata != nil {
		t.Errorf("original gained metadata %v", orig.Metadata)
	}
}

func TestKindString(t *testing.T) {
	// Every declared kind has a name of its own, and out-of-range kinds
	// (including negative ones) render without panicking.
	seen := map[string]errs.Kind{}
	for k := errs.KindInternal; k <= errs.KindUnavailable; k++ {
		s := k.String()
		if prev, dup := seen[s]; dup {
			t.Errorf("%d and %d share the name %q", prev, k, s)
		}
		seen[s] = k
	}
	for _, k := range []errs.Kind{-1, errs.KindUnavailable + 1, 1 << 20} {
		if k.String() == "" {
			t.Errorf("Kind(%d).String() is empty", int(k))
		}
		_ = (&errs.Error{Kind: k}).Error()
	}
}
