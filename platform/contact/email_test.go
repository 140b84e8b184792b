package contact

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		invalid bool
	}{
		{in: " Ana.Lopez@Example.com ", want: "Ana.Lopez@Example.com"},
		{in: "a@b.co", want: "a@b.co"},
		{in: "", invalid: true},
		{in: "Ana <ana@example.com>", invalid: true},
		{in: "ana@localhost", invalid: true},
		{in: "ana", invalid: true},
		{in: strings.Repeat("a", 250) + "@x.io", invalid: true},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if tt.invalid {
			if diff := cmp.Diff([]string{""}, errstest.Fields(t, err)); diff != "" {
				t.Errorf("NormalizeEmail(%q) violations (-want +got):\n%s", tt.in, diff)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ana@example.com", " A@B.co ", "Ana <a@b.co>", "a@b", "@", "\"q uoted\"@x.org", "a@[127.0.0.1]", strings.Repeat("a", 300) + "@x.io"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizeEmail(in)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("NormalizeEmail(%q) error kind %v", in, errs.KindOf(err))
			}
			return
		}
		if len(got) > MaxEmail || strings.TrimSpace(got) != got || !strings.Contains(got, "@") {
			t.Fatalf("NormalizeEmail(%q) = %q, not a stored form", in, got)
		}
		again, err := NormalizeEmail(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeEmail is not idempotent on %q: %q, %v", got, again, err)
		}
	})
}
