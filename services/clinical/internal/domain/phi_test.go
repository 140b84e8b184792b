package domain

import (
	"fmt"
	"strings"
	"testing"
)

func TestPHIPrintsMasked(t *testing.T) {
	const mbi = "1EG4TE5MK73"
	p := Patient{ID: "p1", MBI: mbi, SSN: "123456789"}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(format, p)
		if strings.Contains(out, mbi) || strings.Contains(out, "123456789") {
			t.Errorf("Sprintf(%q) leaks PHI: %s", format, out)
		}
	}
	if out := fmt.Sprint(p.MBI); out != "****" {
		t.Errorf("Sprint(PHI) = %q, want ****", out)
	}
}

func TestPHIMaskAndReveal(t *testing.T) {
	tests := []struct {
		value   PHI
		visible int
		want    string
	}{
		{value: "1EG4TE5MK73", visible: MBIVisible, want: "****TE5MK73"},
		{value: "123456789", visible: SSNVisible, want: "****6789"},
		{value: "AB12", visible: MemberIDVisible, want: "****"},
		{value: "", visible: MedicaidIDVisible, want: ""},
	}
	for _, tt := range tests {
		if got := tt.value.Mask(tt.visible); got != tt.want {
			t.Errorf("Mask(%d) = %q, want %q", tt.visible, got, tt.want)
		}
		if tt.value.Reveal() != string(tt.value) || tt.value.IsZero() != (tt.value == "") {
			t.Errorf("Reveal/IsZero wrong for a value of length %d", len(tt.value))
		}
	}
}
