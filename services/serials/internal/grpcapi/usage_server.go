package grpcapi

import (
	"context"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// UsageServer implements serialsv1.UsageServiceServer.
type UsageServer struct {
	serialsv1.UnimplementedUsageServiceServer
	app *app.Application
}

// RecordUsage records nightly readings of a rented unit.
func (s *UsageServer) RecordUsage(ctx context.Context, req *serialsv1.RecordUsageRequest) (*serialsv1.RecordUsageResponse, error) {
	readings := protoconv.Map(req.GetReadings(), func(r *serialsv1.NightReading) domain.NightUsage {
		return domain.NightUsage{Night: protoconv.Date(r.GetNight()), Minutes: int(r.GetMinutes())}
	})
	u, err := s.app.Usage.Record(ctx, req.GetUnitId(), readings)
	if err != nil {
		return nil, err
	}
	return &serialsv1.RecordUsageResponse{PatientId: u.CurrentPatientID, RecordedCount: int32(len(readings))}, nil
}

// GetComplianceSummary measures a patient's use against Medicare's rule.
func (s *UsageServer) GetComplianceSummary(ctx context.Context, req *serialsv1.GetComplianceSummaryRequest) (*serialsv1.ComplianceSummary, error) {
	c, err := s.app.Usage.Compliance(ctx, req.GetUnitId(), req.GetPatientId(),
		protoconv.Date(req.GetWindowStart()), protoconv.Date(req.GetWindowEnd()))
	if err != nil {
		return nil, err
	}
	return &serialsv1.ComplianceSummary{UnitId: c.UnitID, PatientId: c.PatientID,
		WindowStart: protoconv.DateProto(c.WindowStart), WindowEnd: protoconv.DateProto(c.WindowEnd),
		NightsRecorded: int32(c.NightsRecorded), NightsCompliant: int32(c.NightsCompliant),
		BestWindowStart: optionalDate(c.BestStart), BestWindowCompliant: int32(c.BestCount), Compliant: c.Compliant}, nil
}
