package grpcapi

import (
	"google.golang.org/grpc"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/services/serials/internal/app"
)

// Register adds every serials gRPC service to s.
func Register(s grpc.ServiceRegistrar, a *app.Application) {
	serialsv1.RegisterItemServiceServer(s, &ItemServer{app: a})
	serialsv1.RegisterUnitServiceServer(s, &UnitServer{app: a})
	serialsv1.RegisterStockServiceServer(s, &StockServer{app: a})
	serialsv1.RegisterRecallServiceServer(s, &RecallServer{app: a})
	serialsv1.RegisterMaintenanceServiceServer(s, &MaintenanceServer{app: a})
	serialsv1.RegisterUsageServiceServer(s, &UsageServer{app: a})
}
