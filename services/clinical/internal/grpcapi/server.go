package grpcapi

import (
	"context"

	"google.golang.org/grpc"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
)

// Register adds every clinical gRPC service to s.
func Register(s grpc.ServiceRegistrar, a *app.Application) {
	clinicalv1.RegisterPatientServiceServer(s, &PatientServer{app: a})
	clinicalv1.RegisterPayerServiceServer(s, &PayerServer{app: a})
	clinicalv1.RegisterCoverageServiceServer(s, &CoverageServer{app: a})
	clinicalv1.RegisterPrescriberServiceServer(s, &PrescriberServer{app: a})
	clinicalv1.RegisterWrittenOrderServiceServer(s, &WrittenOrderServer{app: a})
	clinicalv1.RegisterReadinessServiceServer(s, &ReadinessServer{app: a})
}

// PermissionPHI lets a caller see PHI identifiers (MBI, Medicaid id, SSN,
// member id) in clear; everyone else reads them masked. It guards fields,
// not methods, so no RPC's rule names it.
const PermissionPHI = "patients.phi"

// revealsPHI reports whether the caller's roles grant PermissionPHI.
func revealsPHI(ctx context.Context) bool {
	p, ok := identity.FromContext(ctx)
	return ok && auth.Permits(p.Roles, PermissionPHI)
}
