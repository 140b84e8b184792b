package grpcapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/protoconv"
)

func TestUpdateMaskResolve(t *testing.T) {
	tests := []struct {
		name        string
		rules       protoconv.UpdateMask
		paths       []string
		nilMask     bool
		want        []string
		wantImplied bool
		wantBad     int
	}{
		{name: "nil mask is every writable field", rules: locationMask, nilMask: true, want: locationMask.Writable, wantImplied: true},
		{name: "empty mask", rules: companyMask, paths: []string{}, want: companyMask.Writable, wantImplied: true},
		{name: "star", rules: userMask, paths: []string{"*"}, want: userMask.Writable, wantImplied: true},
		{name: "named fields in mask order, once", rules: locationMask, paths: []string{"time_zone", "name", "time_zone"}, want: []string{"time_zone", "name"}},
		{name: "id and etag are ignored", rules: locationMask, paths: []string{"id", "etag", "name"}, want: []string{"name"}},
		{name: "parts of the address", rules: companyMask, paths: []string{"address.city", "phone.number"}, want: []string{"address.city", "phone.number"}},
		{name: "unknown field", rules: locationMask, paths: []string{"colour"}, wantBad: 1},
		{name: "unknown part", rules: locationMask, paths: []string{"address.country"}, wantBad: 1},
		{name: "too deep", rules: locationMask, paths: []string{"address.city.name"}, wantBad: 1},
		{name: "part of a scalar", rules: locationMask, paths: []string{"name.first"}, wantBad: 1},
		{name: "output only", rules: locationMask, paths: []string{"create_time", "delete_time"}, wantBad: 2},
		{name: "immutable", rules: userMask, paths: []string{"email"}, wantBad: 1},
		{name: "roles are output only on users", rules: userMask, paths: []string{"roles", "status"}, wantBad: 2},
		{name: "star with others", rules: userMask, paths: []string{"*", "given_name"}, wantBad: 1},
		{name: "json name is not a path", rules: userMask, paths: []string{"givenName"}, wantBad: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m *fieldmaskpb.FieldMask
			if !tt.nilMask {
				m = &fieldmaskpb.FieldMask{Paths: tt.paths}
			}
			got, implied, err := tt.rules.Resolve(m)
			if tt.wantBad > 0 {
				var e *errs.Error
				if !errorsAs(err, &e) || e.Kind != errs.KindInvalid || len(e.Fields) != tt.wantBad {
					t.Fatalf("resolve = %v, %v; want %d violations", got, err, tt.wantBad)
				}
				for _, f := range e.Fields {
					if f.Field != protoconv.MaskField {
						t.Errorf("violation names %q, want %q", f.Field, protoconv.MaskField)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || implied != tt.wantImplied {
				t.Errorf("resolve = %v (implied %v), want implied %v; diff (-want +got):\n%s", got, implied, tt.wantImplied, diff)
			}
		})
	}
}

// FuzzUpdateMask checks that no mask makes resolve panic, that every
// refusal is an invalid updateMask, and that every accepted path is a
// writable field or a part of one.
func FuzzUpdateMask(f *testing.F) {
	for _, s := range []string{"name", "address.city", "id,etag", "*", "", "a.b.c", "create_time", ".", "address.", "phone.kind,code"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		paths := strings.Split(joined, ",")
		got, _, err := locationMask.Resolve(&fieldmaskpb.FieldMask{Paths: paths})
		if err != nil {
			var e *errs.Error
			if !errorsAs(err, &e) || e.Kind != errs.KindInvalid {
				t.Fatalf("resolve(%q) error %v is not invalid", paths, err)
			}
			return
		}
		for _, p := range got {
			top, _, _ := strings.Cut(p, ".")
			if !slices.Contains(locationMask.Writable, top) {
				t.Fatalf("resolve(%q) accepted %q", paths, p)
			}
		}
	})
}

func errorsAs(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	if ok {
		*target = e
	}
	return ok
}
