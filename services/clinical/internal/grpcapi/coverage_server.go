package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
)

// CoverageServer implements clinicalv1.CoverageServiceServer.
type CoverageServer struct {
	clinicalv1.UnimplementedCoverageServiceServer
	app *app.Application
}
