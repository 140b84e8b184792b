package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// now is the instant tests act at; today is the date at the branch then.
var (
	now   = time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	today = date("2026-03-01")
)

// Ids as the service makes them (UUIDv7, canonical form).
const (
	companyID    = "0195f3a2-0000-7000-8000-0000000000c1"
	branchID     = "0195f3a2-0000-7000-8000-0000000000b1"
	patientID    = "0195f3a2-0000-7000-8000-0000000000a1"
	prescriberID = "0195f3a2-0000-7000-8000-0000000000d1"
	planID       = "0195f3a2-0000-7000-8000-0000000000e1"
	payerID      = "0195f3a2-0000-7000-8000-0000000000f1"
)

// date parses a YYYY-MM-DD literal, or panics: tests only.
func date(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// checkKind fails unless err is nil when ok, or else an *errs.Error of kind
// with reason (when reason is set).
func checkKind(t *testing.T, err error, ok bool, kind errs.Kind, reason string) {
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

// invalidFields returns the fields of an Invalid error, nil for nil, and
// fails the test for any other error.
func invalidFields(t *testing.T, err error) []string {
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

// unmetTypes returns the precondition violation types of a
// FailedPrecondition error, nil for nil, and fails the test for any other
// error.
func unmetTypes(t *testing.T, err error) []string {
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
