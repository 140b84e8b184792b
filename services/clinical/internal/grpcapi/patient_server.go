package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
)

// PatientServer implements clinicalv1.PatientServiceServer.
type PatientServer struct {
	clinicalv1.UnimplementedPatientServiceServer
	app *app.Application
}
