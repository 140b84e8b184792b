package gateway_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/errs"
)

const (
	orderID   = "0190a6a2-0000-7000-8000-0000000000d1"
	orderETag = `"7"`
)

// fakeOrders stands in for the orders service's OrderService and
// PriceListService behind the real interceptor chain: the proto's
// permission rules decide before a handler runs.
type fakeOrders struct {
	ordersv1.UnimplementedOrderServiceServer
	ordersv1.UnimplementedPriceListServiceServer
}

func (f *fakeOrders) GetOrder(_ context.Context, req *ordersv1.GetOrderRequest) (*ordersv1.Order, error) {
	if req.GetId() != orderID {
		return nil, errs.NotFound("order", req.GetId())
	}
	return &ordersv1.Order{Id: orderID, BranchId: locationID, Status: ordersv1.OrderStatus_ORDER_STATUS_DRAFT, Etag: orderETag}, nil
}

func (f *fakeOrders) ApproveOrder(_ context.Context, req *ordersv1.ApproveOrderRequest) (*ordersv1.Order, error) {
	return &ordersv1.Order{Id: req.GetId(), Status: ordersv1.OrderStatus_ORDER_STATUS_APPROVED, Etag: `"8"`}, nil
}

func (f *fakeOrders) ListPriceLists(context.Context, *ordersv1.ListPriceListsRequest) (*ordersv1.ListPriceListsResponse, error) {
	return &ordersv1.ListPriceListsResponse{PriceLists: []*ordersv1.PriceList{{Id: "0190a6a2-0000-7000-8000-0000000000d2"}}}, nil
}

// TestOrdersRoutes proves the orders and price list bindings are served by
// dialling ORDERS_ADDR, so the service's own chain decides, and that
// readiness counts orders once it is configured.
func TestOrdersRoutes(t *testing.T) {
	t.Run("absent without ORDERS_ADDR", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		for _, path := range []string{"/api/v1/orders/" + orderID, "/api/v1/price-lists"} {
			resp := h.do(request{method: "GET", path: path, token: h.token(auth.RoleOwner)})
			if resp.status != http.StatusNotFound {
				t.Fatalf("GET %s: status = %d, want 404", path, resp.status)
			}
			resp.errorBody(t)
		}
	})

	h := newHarness(t, harnessOptions{orders: &fakeOrders{}})

	t.Run("get", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/orders/" + orderID, token: h.token(auth.RoleWarehouse)})
		if resp.status != http.StatusOK || resp.header.Get("ETag") != orderETag {
			t.Fatalf("status %d, ETag %q; want 200 and %s\n%s", resp.status, resp.header.Get("ETag"), orderETag, resp.body)
		}
		body := resp.json(t)
		if body["branchId"] != locationID || body["status"] != "ORDER_STATUS_DRAFT" {
			t.Errorf("body = %s", resp.body)
		}
	})

	t.Run("missing order", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/orders/" + missingID, token: h.token(auth.RoleIntake)})
		if resp.status != http.StatusNotFound {
			t.Fatalf("status = %d, want 404", resp.status)
		}
	})

	t.Run("custom method and its permission", func(t *testing.T) {
		resp := h.do(request{method: "POST", path: "/api/v1/orders/" + orderID + ":approve", token: h.token(auth.RoleIntake), body: `{}`})
		if resp.status != http.StatusForbidden {
			t.Fatalf("intake approving: status = %d, want 403\n%s", resp.status, resp.body)
		}
		resp = h.do(request{method: "POST", path: "/api/v1/orders/" + orderID + ":approve", token: h.token(auth.RoleBilling), body: `{"etag":"\"7\""}`})
		if resp.status != http.StatusOK || resp.json(t)["status"] != "ORDER_STATUS_APPROVED" {
			t.Fatalf("billing approving: status = %d\n%s", resp.status, resp.body)
		}
	})

	t.Run("price lists", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/price-lists", token: h.token(auth.RoleBilling)})
		if resp.status != http.StatusOK {
			t.Fatalf("status = %d, want 200\n%s", resp.status, resp.body)
		}
		resp = h.do(request{method: "GET", path: "/api/v1/price-lists", token: h.token(auth.RoleWarehouse)})
		if resp.status != http.StatusForbidden {
			t.Fatalf("warehouse listing price lists: status = %d, want 403", resp.status)
		}
	})

	t.Run("readiness counts orders", func(t *testing.T) {
		ready := h.do(request{method: "GET", path: "/readyz"})
		want := map[string]any{"status": "ready", "services": map[string]any{"company": "SERVING", "orders": "SERVING"}}
		if diff := cmp.Diff(want, ready.json(t)); ready.status != http.StatusOK || diff != "" {
			t.Fatalf("ready: status %d, body (-want +got):\n%s", ready.status, diff)
		}
	})
}
