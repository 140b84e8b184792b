package grpcapi

import (
	"context"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// ReadinessServer implements clinicalv1.ReadinessServiceServer: what is
// missing before equipment can be billed for a patient. It only reads; the
// audit record names the patient checked (the response's patient_id).
type ReadinessServer struct {
	clinicalv1.UnimplementedReadinessServiceServer
	app *app.Application
}

// CheckReadiness lists what is missing for the patient, the HCPCS codes
// and the date of service.
func (s *ReadinessServer) CheckReadiness(ctx context.Context, req *clinicalv1.CheckReadinessRequest) (*clinicalv1.ReadinessReport, error) {
	r, err := s.app.Readiness.Check(ctx, app.CheckReadiness{
		PatientID: req.GetPatientId(), HCPCSCodes: req.GetHcpcsCodes(), DateOfService: protoconv.Date(req.GetDateOfService()),
	})
	if err != nil {
		return nil, err
	}
	out := &clinicalv1.ReadinessReport{
		PatientId: r.PatientID, DateOfService: protoconv.DateProto(r.DateOfService), Ready: r.Ready(),
		Missing: make([]*clinicalv1.Requirement, len(r.Missing)),
	}
	for i, m := range r.Missing {
		out.Missing[i] = &clinicalv1.Requirement{
			Code: requirementCodeProto(m.Code), Hcpcs: m.HCPCS, Resource: m.Resource, Description: m.Description,
		}
	}
	return out, nil
}

// requirementCodeProto is the API value of a requirement code: the
// domain's name after "REQUIREMENT_CODE_", so one list of codes is the
// truth. A code the API does not name yet is UNSPECIFIED, which clients
// read as "not ready", as the API tells them to.
func requirementCodeProto(c domain.RequirementCode) clinicalv1.RequirementCode {
	return clinicalv1.RequirementCode(clinicalv1.RequirementCode_value["REQUIREMENT_CODE_"+string(c)])
}
