// Package errstest holds the assertions domain tests make about errs
// errors: that an error is of a kind with a reason, and which fields or
// preconditions it names. Tests compare those, never error strings.
package errstest

import (
	"errors"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
)

// Check fails t unless err is nil when ok, or else an *errs.Error (or an
// error wrapping one) of kind, with reason when reason is not "".
func Check(t testing.TB, err error, ok bool, kind errs.Kind, reason string) {
	t.Helper()
	if ok {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *errs.Error of kind %v", err, kind)
	}
	if e.Kind != kind {
		t.Fatalf("kind = %v, want %v (%v)", e.Kind, kind, err)
	}
	if reason != "" && e.Reason != reason {
		t.Errorf("reason = %q, want %q", e.Reason, reason)
	}
}

// Fields returns the field paths of an invalid-argument error in order,
// nil for a nil error, and fails t for any other error.
func Fields(t testing.TB, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		t.Fatalf("err = %v, want an invalid-argument error", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// PreconditionTypes returns the types of the precondition violations of a
// failed-precondition error in order, nil for a nil error, and fails t for
// any other error.
func PreconditionTypes(t testing.TB, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindFailedPrecondition {
		t.Fatalf("err = %v, want a failed-precondition error", err)
	}
	var out []string
	for _, p := range e.Preconditions {
		out = append(out, p.Type)
	}
	return out
}
