package etag_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/etag"
)

func TestFromVersion(t *testing.T) {
	tests := []struct {
		version int64
		want    string
	}{
		{0, `"0"`},
		{1, `"1"`},
		{42, `"42"`},
		{math.MaxInt64, `"9223372036854775807"`},
	}
	for _, tt := range tests {
		if got := etag.FromVersion(tt.version); got != tt.want {
			t.Errorf("FromVersion(%d) = %s, want %s", tt.version, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		supplied string
		current  int64
		wantErr  bool
		wantKind errs.Kind
	}{
		{name: "no etag supplied", supplied: "", current: 7},
		{name: "current", supplied: etag.FromVersion(7), current: 7},
		{name: "current weak", supplied: `W/"7"`, current: 7},
		{name: "largest version", supplied: etag.FromVersion(math.MaxInt64), current: math.MaxInt64},
		{name: "stale", supplied: etag.FromVersion(6), current: 7, wantErr: true, wantKind: errs.KindAborted},
		{name: "from the future", supplied: etag.FromVersion(8), current: 7, wantErr: true, wantKind: errs.KindAborted},
		{name: "stale weak", supplied: `W/"6"`, current: 7, wantErr: true, wantKind: errs.KindAborted},
		{name: "unquoted", supplied: "7", current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "open quote", supplied: `"7`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "empty quotes", supplied: `""`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "leading zero", supplied: `"07"`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "plus sign", supplied: `"+7"`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "negative zero", supplied: `"-0"`, current: 0, wantErr: true, wantKind: errs.KindInvalid},
		{name: "space inside", supplied: `" 7"`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "lower-case weak prefix", supplied: `w/"7"`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "overflow", supplied: `"9223372036854775808"`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "not a number", supplied: `"abc"`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "wildcard", supplied: "*", current: 7, wantErr: true, wantKind: errs.KindInvalid},
		{name: "very long", supplied: `"` + strings.Repeat("1", 100) + `"`, current: 7, wantErr: true, wantKind: errs.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := etag.Check(tt.supplied, tt.current)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Check(%q, %d) error = %v, want error: %v", tt.supplied, tt.current, err, tt.wantErr)
			}
			if err != nil && errs.KindOf(err) != tt.wantKind {
				t.Errorf("Check(%q, %d) kind = %v, want %v", tt.supplied, tt.current, errs.KindOf(err), tt.wantKind)
			}
		})
	}
}

func TestCheckErrorDetails(t *testing.T) {
	var e *errs.Error
	if !errors.As(etag.Check(etag.FromVersion(1), 2), &e) {
		t.Fatal("stale etag: want *errs.Error")
	}
	if e.Reason != etag.ReasonMismatch {
		t.Errorf("stale etag reason = %q, want %q", e.Reason, etag.ReasonMismatch)
	}
	if !errors.As(etag.Check("bogus", 2), &e) {
		t.Fatal("malformed etag: want *errs.Error")
	}
	if diff := cmp.Diff([]string{etag.Field}, fieldNames(e)); diff != "" {
		t.Errorf("malformed etag fields (-want +got):\n%s", diff)
	}
}

// FuzzParse checks that the parser never panics and accepts exactly the
// etags FromVersion makes (plus their weak form).
func FuzzParse(f *testing.F) {
	for _, seed := range []string{`"0"`, `"42"`, `W/"42"`, `"-1"`, `"007"`, `""`, `"`, `W/`, `"9223372036854775807"`, "\x00", `W/W/"1"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := etag.Parse(s)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("Parse(%q) kind = %v, want invalid", s, errs.KindOf(err))
			}
			return
		}
		if strong := strings.TrimPrefix(s, "W/"); etag.FromVersion(v) != strong {
			t.Fatalf("Parse(%q) = %d, but FromVersion(%d) = %s", s, v, v, etag.FromVersion(v))
		}
		if err := etag.Check(s, v); err != nil {
			t.Fatalf("Check(%q, %d) = %v, want nil", s, v, err)
		}
	})
}

func fieldNames(e *errs.Error) []string {
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	return names
}
