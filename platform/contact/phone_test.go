package contact

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in         Phone
		want       Phone
		wantFields []string
	}{
		{in: Phone{}, want: Phone{}},
		{in: Phone{Kind: PhoneKindHome}, want: Phone{}},
		{in: Phone{Number: "404.555.0123", Extension: "12", Kind: PhoneKindFax}, want: Phone{Number: "+14045550123", Extension: "12", Kind: PhoneKindFax}},
		{in: Phone{Number: "+1 (404) 555-0123"}, want: Phone{Number: "+14045550123"}},
		{in: Phone{Number: "104-555-0123"}, wantFields: []string{"number"}},
		{in: Phone{Extension: "12"}, wantFields: []string{"number"}},
		{in: Phone{Number: "4045550123", Extension: "1234567", Kind: "pager"}, wantFields: []string{"extension", "kind"}},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
			t.Errorf("NormalizePhone(%+v) violations (-want +got):\n%s", tt.in, diff)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("NormalizePhone(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestPhoneCopyPart(t *testing.T) {
	from := Phone{Number: "N", Extension: "E", Kind: PhoneKindWork}
	tests := []struct {
		part string
		ok   bool
		want Phone
	}{
		{part: "number", ok: true, want: Phone{Number: "N"}},
		{part: "extension", ok: true, want: Phone{Extension: "E"}},
		{part: "kind", ok: true, want: Phone{Kind: PhoneKindWork}},
		{part: "e164", ok: false},
	}
	for _, tt := range tests {
		var got Phone
		if ok := got.CopyPart(from, tt.part); ok != tt.ok || got != tt.want {
			t.Errorf("CopyPart(%q) = %v, %+v; want %v, %+v", tt.part, ok, got, tt.ok, tt.want)
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	f.Add("(404) 555-0123", "12", "work")
	f.Add("+1 404 555 0123", "", "")
	f.Add("1-104-555-0123", "x", "pager")
	f.Fuzz(func(t *testing.T, number, extension, kind string) {
		got, err := NormalizePhone(Phone{Number: number, Extension: extension, Kind: PhoneKind(kind)})
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("error kind %v", errs.KindOf(err))
			}
			return
		}
		again, err := NormalizePhone(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %+v -> %+v, %v", got, again, err)
		}
	})
}
