package errstest

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
)

// recorder is a testing.TB that records failures instead of failing the
// test, so the assertions' own failures can be tested. Fatalf stops the
// goroutine, as testing.T's does.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; runtime.Goexit() }

// failed runs assert against a recorder on a goroutine of its own and
// reports whether the assertion failed.
func failed(t *testing.T, assert func(tb testing.TB)) bool {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		assert(r)
	}()
	<-done
	return r.failed
}

func TestCheck(t *testing.T) {
	precondition := fmt.Errorf("wrapped: %w", errs.FailedPrecondition("STATE", "no"))
	tests := []struct {
		name       string
		err        error
		ok         bool
		kind       errs.Kind
		reason     string
		wantFailed bool
	}{
		{name: "nil, ok", err: nil, ok: true},
		{name: "error, want ok", err: precondition, ok: true, wantFailed: true},
		{name: "kind and reason", err: precondition, kind: errs.KindFailedPrecondition, reason: "STATE"},
		{name: "any reason", err: precondition, kind: errs.KindFailedPrecondition},
		{name: "wrong reason", err: precondition, kind: errs.KindFailedPrecondition, reason: "OTHER", wantFailed: true},
		{name: "wrong kind", err: precondition, kind: errs.KindInvalid, wantFailed: true},
		{name: "not an errs error", err: fmt.Errorf("plain"), kind: errs.KindInternal, wantFailed: true},
		{name: "nil, want an error", err: nil, kind: errs.KindInvalid, wantFailed: true},
	}
	for _, tt := range tests {
		got := failed(t, func(tb testing.TB) { Check(tb, tt.err, tt.ok, tt.kind, tt.reason) })
		if got != tt.wantFailed {
			t.Errorf("%s: failed = %v, want %v", tt.name, got, tt.wantFailed)
		}
	}
}

func TestFieldsAndPreconditionTypes(t *testing.T) {
	invalid := errs.Invalid(errs.FieldViolation{Field: "b"}, errs.FieldViolation{Field: "a"})
	unmet := errs.Unmet("R", "m", errs.PreconditionViolation{Type: "Y"}, errs.PreconditionViolation{Type: "X"})

	var got []string
	if failed(t, func(tb testing.TB) { got = Fields(tb, fmt.Errorf("w: %w", invalid)) }) {
		t.Error("Fields failed on an invalid-argument error")
	}
	if diff := cmp.Diff([]string{"b", "a"}, got); diff != "" {
		t.Errorf("Fields (-want +got):\n%s", diff)
	}
	if failed(t, func(tb testing.TB) { got = Fields(tb, nil) }) || got != nil {
		t.Errorf("Fields(nil) = %v", got)
	}
	if !failed(t, func(tb testing.TB) { Fields(tb, unmet) }) {
		t.Error("Fields accepted a failed-precondition error")
	}

	if failed(t, func(tb testing.TB) { got = PreconditionTypes(tb, unmet) }) {
		t.Error("PreconditionTypes failed on a failed-precondition error")
	}
	if diff := cmp.Diff([]string{"Y", "X"}, got); diff != "" {
		t.Errorf("PreconditionTypes (-want +got):\n%s", diff)
	}
	if failed(t, func(tb testing.TB) { got = PreconditionTypes(tb, nil) }) || got != nil {
		t.Errorf("PreconditionTypes(nil) = %v", got)
	}
	if !failed(t, func(tb testing.TB) { PreconditionTypes(tb, invalid) }) {
		t.Error("PreconditionTypes accepted an invalid-argument error")
	}
}
