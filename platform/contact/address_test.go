package contact

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func TestNormalizeAddress(t *testing.T) {
	tests := []struct {
		name       string
		in         Address
		required   bool
		want       Address
		wantFields []string
	}{
		{name: "empty optional", in: Address{}, want: Address{}},
		{name: "blank optional", in: Address{Line1: "  "}, want: Address{}},
		{name: "empty required", in: Address{}, required: true, wantFields: []string{""}},
		{name: "normalized", in: Address{Line1: " 1 Main ", Line2: "Ste 2", City: "Ponce", State: "pr", PostalCode: " 00716 "}, want: Address{Line1: "1 Main", Line2: "Ste 2", City: "Ponce", State: "PR", PostalCode: "00716"}},
		{name: "zip+4 without dash", in: Address{Line1: "1 Main", City: "Atlanta", State: "GA", PostalCode: "303011234"}, want: Address{Line1: "1 Main", City: "Atlanta", State: "GA", PostalCode: "30301-1234"}},
		{name: "military", in: Address{Line1: "Unit 2050", City: "APO", State: "AE", PostalCode: "09012"}, want: Address{Line1: "Unit 2050", City: "APO", State: "AE", PostalCode: "09012"}},
		{name: "partial", in: Address{City: "Atlanta"}, wantFields: []string{"line1", "state", "postalCode"}},
		{name: "too long", in: Address{Line1: strings.Repeat("x", 101), City: strings.Repeat("y", 61), State: "GA", PostalCode: "30301"}, wantFields: []string{"line1", "city"}},
		{name: "longest", in: Address{Line1: strings.Repeat("é", 100), City: strings.Repeat("y", 60), State: "GA", PostalCode: "30301"}, want: Address{Line1: strings.Repeat("é", 100), City: strings.Repeat("y", 60), State: "GA", PostalCode: "30301"}},
		{name: "bad utf8", in: Address{Line1: "\xff", City: "A", State: "GA", PostalCode: "30301"}, wantFields: []string{"line1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeAddress(tt.in, tt.required)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err == nil {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("address (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestAddressCopyPart(t *testing.T) {
	from := Address{Line1: "L1", Line2: "L2", City: "C", State: "S", PostalCode: "P"}
	tests := []struct {
		part string
		ok   bool
		want Address
	}{
		{part: "line1", ok: true, want: Address{Line1: "L1"}},
		{part: "line2", ok: true, want: Address{Line2: "L2"}},
		{part: "city", ok: true, want: Address{City: "C"}},
		{part: "state", ok: true, want: Address{State: "S"}},
		{part: "postal_code", ok: true, want: Address{PostalCode: "P"}},
		{part: "postalCode", ok: false},
		{part: "country", ok: false},
		{part: "", ok: false},
	}
	for _, tt := range tests {
		var got Address
		if ok := got.CopyPart(from, tt.part); ok != tt.ok || got != tt.want {
			t.Errorf("CopyPart(%q) = %v, %+v; want %v, %+v", tt.part, ok, got, tt.ok, tt.want)
		}
	}
}

func FuzzNormalizeAddress(f *testing.F) {
	f.Add("1200 Main St", "", "Atlanta", "ga", "303011234")
	f.Add(" ", "x", "", "ZZ", "3030")
	f.Add("\xff", "", "a", "aa", "12345-")
	f.Fuzz(func(t *testing.T, line1, line2, city, state, zip string) {
		in := Address{Line1: line1, Line2: line2, City: city, State: state, PostalCode: zip}
		got, err := NormalizeAddress(in, false)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("error kind %v", errs.KindOf(err))
			}
			return
		}
		again, err := NormalizeAddress(got, false)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %+v -> %+v -> %+v, %v", in, got, again, err)
		}
	})
}
