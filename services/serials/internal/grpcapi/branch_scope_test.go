package grpcapi_test

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// listedUnits pages through ListUnits one unit a page, so the keyset
// pagination runs over the scoped rows.
func listedUnits(t *testing.T, e *serialstest.Env, ctx context.Context) []string {
	t.Helper()
	var ids []string
	token := ""
	for {
		resp, err := e.Units.ListUnits(ctx, &serialsv1.ListUnitsRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatalf("ListUnits: %v", err)
		}
		for _, u := range resp.GetUnits() {
			ids = append(ids, u.GetId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			slices.Sort(ids)
			return ids
		}
	}
}

// TestBranchScopedUserSeesOnlyItsWarehousesUnits calls over the real
// transport with a token limited to WH1 (the "loc" claim): a unit at WH2
// is NOT_FOUND to read or move, absent from every page of the list, and
// unknown to ValidateSerial even once an unrestricted lookup has cached
// it; receiving into WH2 is NOT_FOUND. An unrestricted user sees both.
func TestBranchScopedUserSeesOnlyItsWarehousesUnits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, serialstest.Options{})
	scoped := f.e.Keys.AsScoped(f.a.CompanyID, newID(), []string{f.a.WH1}, auth.RoleWarehouse)
	var mine, theirs []string
	for range 3 {
		mine = append(mine, f.receive(t, f.item, nextSerial(), f.a.WH1).GetId())
		theirs = append(theirs, f.receive(t, f.item, nextSerial(), f.a.WH2).GetId())
	}
	slices.Sort(mine)
	everyone := slices.Sorted(slices.Values(append(slices.Clone(mine), theirs...)))

	if got := listedUnits(t, f.e, scoped); !slices.Equal(got, mine) {
		t.Errorf("scoped user lists %v, want %v", got, mine)
	}
	if got := listedUnits(t, f.e, f.a.Warehouse); !slices.Equal(got, everyone) {
		t.Errorf("unrestricted user lists %v, want %v", got, everyone)
	}
	there, err := f.e.Units.GetUnit(f.a.Warehouse, &serialsv1.GetUnitRequest{Id: theirs[0]})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.e.Units.GetUnit(scoped, &serialsv1.GetUnitRequest{Id: theirs[0]})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = f.transition(scoped, theirs[0], serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_MAINTENANCE_OUT)
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = f.e.Units.ReceiveUnit(scoped, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
		ItemId: f.item.GetId(), SerialNumber: nextSerial(), WarehouseId: f.a.WH2}})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	validate := func(ctx context.Context) *serialsv1.ValidateSerialResponse {
		t.Helper()
		v, err := f.e.Units.ValidateSerial(ctx, &serialsv1.ValidateSerialRequest{SerialNumber: there.GetSerialNumber(),
			Operation: serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_MAINTENANCE_OUT})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := validate(f.a.Warehouse); v.GetUnitId() != there.GetId() {
		t.Fatalf("unrestricted ValidateSerial = %v", v)
	}
	if v := validate(scoped); v.GetUnitId() != "" || v.GetValid() {
		t.Errorf("scoped ValidateSerial of another warehouse's serial = %v, want no unit", v)
	}
}
