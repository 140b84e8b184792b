package page_test

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/page"
)

func TestSize(t *testing.T) {
	tests := []struct {
		requested int32
		want      int
		wantErr   bool
	}{
		{requested: 0, want: page.DefaultSize},
		{requested: 1, want: 1},
		{requested: 25, want: 25},
		{requested: page.MaxSize, want: page.MaxSize},
		{requested: page.MaxSize + 1, wantErr: true},
		{requested: math.MaxInt32, wantErr: true},
		{requested: -1, wantErr: true},
		{requested: math.MinInt32, wantErr: true},
	}
	for _, tt := range tests {
		got, err := page.Size(tt.requested)
		if tt.wantErr {
			if diff := cmp.Diff([]string{page.SizeField}, invalidFields(t, err)); diff != "" {
				t.Errorf("Size(%d) invalid fields (-want +got):\n%s", tt.requested, diff)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Size(%d) = %d, %v; want %d, nil", tt.requested, got, err, tt.want)
		}
	}
}

// invalidFields returns the violated fields of an errs.KindInvalid error,
// failing the test for any other error.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		t.Fatalf("error = %v, want an errs.KindInvalid error", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return fields
}
