package grpcapi_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

// listedOrders pages through ListOrders one order a page, so the keyset
// pagination runs over the scoped rows.
func listedOrders(t *testing.T, e *orderstest.Env, ctx context.Context) []string {
	t.Helper()
	var ids []string
	token := ""
	for {
		resp, err := e.Orders.ListOrders(ctx, &ordersv1.ListOrdersRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatalf("ListOrders: %v", err)
		}
		for _, o := range resp.GetOrders() {
			ids = append(ids, o.GetId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			slices.Sort(ids)
			return ids
		}
	}
}

// TestBranchScopedUserSeesOnlyItsBranchsOrders calls over the real
// transport with a token limited to one branch and its warehouse (the
// "loc" claim): another branch's order is NOT_FOUND to read, change or
// list deliveries of, absent from every page of the list, and an order
// cannot be drafted in another branch; an unrestricted user sees both.
func TestBranchScopedUserSeesOnlyItsBranchsOrders(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	tn := newTenant(t, e)
	w := tn.world
	other := e.Peers.NewWorld()
	inOther := func() *ordersv1.Order {
		o := cpapOrder(w)
		o.PatientId, o.BranchId, o.WarehouseId, o.WrittenOrderId = other.PatientID, other.BranchID, other.WarehouseID, other.WrittenOrderID
		return o
	}
	scoped := e.Keys.AsScoped(tn.company, uuid.NewString(), []string{w.BranchID, w.WarehouseID}, auth.RoleIntake)

	var mine, theirs []string
	for range 2 {
		mine = append(mine, create(t, e, scoped, cpapOrder(w)).GetId())
		theirs = append(theirs, create(t, e, tn.intake, inOther()).GetId())
	}
	slices.Sort(mine)
	everyone := slices.Sorted(slices.Values(append(slices.Clone(mine), theirs...)))

	if got := listedOrders(t, e, scoped); !slices.Equal(got, mine) {
		t.Errorf("scoped user lists %v, want %v", got, mine)
	}
	if got := listedOrders(t, e, tn.intake); !slices.Equal(got, everyone) {
		t.Errorf("unrestricted user lists %v, want %v", got, everyone)
	}
	_, err := e.Orders.GetOrder(scoped, &ordersv1.GetOrderRequest{Id: theirs[0]})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Orders.ListDeliveries(scoped, &ordersv1.ListDeliveriesRequest{OrderId: theirs[0]})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Orders.SubmitOrder(scoped, &ordersv1.SubmitOrderRequest{Id: theirs[0]})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Orders.CreateOrder(scoped, &ordersv1.CreateOrderRequest{Order: inOther()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	if _, err := e.Orders.GetOrder(tn.intake, &ordersv1.GetOrderRequest{Id: theirs[0]}); err != nil {
		t.Errorf("unrestricted GetOrder: %v", err)
	}
}
