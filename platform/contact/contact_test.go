package contact

import (
	"errors"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
)

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
