package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
)

// PayerServer implements clinicalv1.PayerServiceServer.
type PayerServer struct {
	clinicalv1.UnimplementedPayerServiceServer
	app *app.Application
}
