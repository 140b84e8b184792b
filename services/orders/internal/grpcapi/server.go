// Package grpcapi serves the orders service's gRPC API: it turns requests
// into the app layer's commands and queries and their results back into
// messages. It holds no rules of its own.
package grpcapi

import (
	"google.golang.org/grpc"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/services/orders/internal/app"
)

// Register serves a's API on s.
func Register(s grpc.ServiceRegistrar, a *app.Application) {
	ordersv1.RegisterPriceListServiceServer(s, &PriceListServer{app: a})
	ordersv1.RegisterOrderServiceServer(s, &OrderServer{app: a})
	ordersv1.RegisterClaimServiceServer(s, &ClaimServer{app: a})
	ordersv1.RegisterResupplyServiceServer(s, &ResupplyServer{app: a})
}

// PriceListServer serves PriceListService.
type PriceListServer struct {
	ordersv1.UnimplementedPriceListServiceServer
	app *app.Application
}

// OrderServer serves OrderService.
type OrderServer struct {
	ordersv1.UnimplementedOrderServiceServer
	app *app.Application
}
