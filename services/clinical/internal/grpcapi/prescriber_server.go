package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
)

// PrescriberServer implements clinicalv1.PrescriberServiceServer.
type PrescriberServer struct {
	clinicalv1.UnimplementedPrescriberServiceServer
	app *app.Application
}
