package buildinfo

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

func TestAnswer(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"--version"}, true},
		{[]string{"-version"}, true},
		{[]string{"version"}, true},
		{nil, false},
		{[]string{"migrate"}, false},
		{[]string{"--version", "extra"}, false},
		{[]string{"--versions"}, false},
	} {
		var out bytes.Buffer
		if got := Answer("serials", tc.args, &out); got != tc.want {
			t.Errorf("Answer(%q) = %v, want %v", tc.args, got, tc.want)
		}
		if tc.want != (out.Len() > 0) {
			t.Errorf("Answer(%q) printed %q", tc.args, out.String())
		}
	}
}

func TestStampedVersionWins(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.4.0"
	got := String("orders")
	if want := "orders v1.4.0 (" + runtime.Version() + ")"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
	version = ""
	if v := Version(); v != "devel" && !strings.HasPrefix(v, "devel-") {
		t.Fatalf("unstamped Version = %q, want devel or devel-<commit>", v)
	}
}
