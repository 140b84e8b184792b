package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
)

// ReadinessServer implements clinicalv1.ReadinessServiceServer.
type ReadinessServer struct {
	clinicalv1.UnimplementedReadinessServiceServer
	app *app.Application
}
