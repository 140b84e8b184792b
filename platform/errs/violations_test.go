package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
)

// fieldsOf returns the field violations of an Invalid error.
func fieldsOf(t *testing.T, err error) []errs.FieldViolation {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *errs.Error", err)
	}
	if e.Kind != errs.KindInvalid {
		t.Fatalf("Kind = %v, want %v", e.Kind, errs.KindInvalid)
	}
	return e.Fields
}

// fieldNames keeps only the paths: descriptions of non-Invalid errors are
// their error text, which tests do not pin.
func fieldNames(fs []errs.FieldViolation) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Field)
	}
	return out
}

func TestViolationsZeroValue(t *testing.T) {
	var v errs.Violations
	if got := v.Len(); got != 0 {
		t.Errorf("Len = %d, want 0", got)
	}
	if err := v.Err(); err != nil {
		t.Errorf("Err = %v, want nil", err)
	}
}

func TestViolationsAddKeepsOrder(t *testing.T) {
	var v errs.Violations
	v.Add("displayName", "must not be empty")
	v.Addf("quantity", "must be between %d and %d", 1, 100)
	v.Add("displayName", "must be at most 50 characters")

	want := []errs.FieldViolation{
		{Field: "displayName", Description: "must not be empty"},
		{Field: "quantity", Description: "must be between 1 and 100"},
		{Field: "displayName", Description: "must be at most 50 characters"},
	}
	if got := v.Len(); got != len(want) {
		t.Errorf("Len = %d, want %d", got, len(want))
	}
	if diff := cmp.Diff(want, fieldsOf(t, v.Err())); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestViolationsErrIsASnapshot(t *testing.T) {
	var v errs.Violations
	v.Add("a", "x")
	err := v.Err()
	v.Add("b", "y")

	if diff := cmp.Diff([]string{"a"}, fieldNames(fieldsOf(t, err))); diff != "" {
		t.Errorf("earlier Err changed after Add (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, fieldNames(fieldsOf(t, v.Err()))); diff != "" {
		t.Errorf("later Err (-want +got):\n%s", diff)
	}
}

func TestViolationsMerge(t *testing.T) {
	address := errs.Invalid(
		errs.FieldViolation{Field: "postalCode", Description: "must be a ZIP or ZIP+4"},
		errs.FieldViolation{Field: "state", Description: "must be two upper-case letters"},
	)
	tests := []struct {
		name   string
		prefix string
		err    error
		want   []string
	}{
		{name: "nil adds nothing", prefix: "address", err: nil, want: nil},
		{name: "invalid under prefix", prefix: "address", err: address, want: []string{"address.postalCode", "address.state"}},
		{name: "invalid under indexed prefix", prefix: "lines[2]", err: address, want: []string{"lines[2].postalCode", "lines[2].state"}},
		{name: "invalid without prefix", prefix: "", err: address, want: []string{"postalCode", "state"}},
		{name: "wrapped invalid still merges its fields", prefix: "address", err: fmt.Errorf("parsing address: %w", address), want: []string{"address.postalCode", "address.state"}},
		{name: "invalid whose field is the whole value", prefix: "phone", err: errs.Invalid(errs.FieldViolation{Description: "not a NANP number"}), want: []string{"phone"}},
		{name: "plain error becomes a violation of the prefix", prefix: "dateRange", err: errors.New("start after end"), want: []string{"dateRange"}},
		{name: "non-invalid domain error becomes a violation of the prefix", prefix: "payerId", err: errs.NotFound("payer", "x"), want: []string{"payerId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v errs.Violations
			v.Add("first", "recorded before the merge")
			v.Merge(tt.prefix, tt.err)

			want := append([]string{"first"}, tt.want...)
			if got := v.Len(); got != len(want) {
				t.Errorf("Len = %d, want %d", got, len(want))
			}
			if diff := cmp.Diff(want, fieldNames(fieldsOf(t, v.Err()))); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestViolationsMergeKeepsDescriptions(t *testing.T) {
	var v errs.Violations
	v.Merge("address", errs.Invalid(errs.FieldViolation{Field: "city", Description: "must not be empty"}))
	want := []errs.FieldViolation{{Field: "address.city", Description: "must not be empty"}}
	if diff := cmp.Diff(want, fieldsOf(t, v.Err())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestViolationsMergeDoesNotMutateSource(t *testing.T) {
	src := errs.Invalid(errs.FieldViolation{Field: "city", Description: "must not be empty"})
	var v errs.Violations
	v.Merge("address", src)
	want := []errs.FieldViolation{{Field: "city", Description: "must not be empty"}}
	if diff := cmp.Diff(want, src.Fields); diff != "" {
		t.Errorf("merged error changed (-want +got):\n%s", diff)
	}
}

func TestCheckTextAndLine(t *testing.T) {
	tests := []struct {
		value    string
		required bool
		text     string // CheckText's description, "" for none
		line     string // CheckLine's
	}{
		{"Okafor", true, "", ""},
		{"", true, "is required", "is required"},
		{"", false, "", ""},
		{"Mary\tAnn", true, "", "must not contain control characters such as tabs or line breaks"},
		{"\xff", true, "must be valid UTF-8", "must be valid UTF-8"},
		{"Zoë Ñúñez", true, "", ""},
		{"elevenchars", true, "must be at most 10 characters", "must be at most 10 characters"},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			check func(*errs.Violations)
			want  string
		}{
			{func(v *errs.Violations) { v.CheckText("name", tt.value, tt.required, 10) }, tt.text},
			{func(v *errs.Violations) { v.CheckLine("name", tt.value, tt.required, 10) }, tt.line},
		} {
			var v errs.Violations
			c.check(&v)
			got := ""
			if e, ok := v.Err().(*errs.Error); ok {
				got = e.Fields[0].Description
			}
			if got != c.want {
				t.Errorf("%q (required %v): %q, want %q", tt.value, tt.required, got, c.want)
			}
		}
	}
}
