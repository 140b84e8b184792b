package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
)

// WrittenOrderServer implements clinicalv1.WrittenOrderServiceServer.
type WrittenOrderServer struct {
	clinicalv1.UnimplementedWrittenOrderServiceServer
	app *app.Application
}
