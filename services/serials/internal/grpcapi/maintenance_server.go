package grpcapi

import (
	"context"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// MaintenanceServer implements serialsv1.MaintenanceServiceServer.
type MaintenanceServer struct {
	serialsv1.UnimplementedMaintenanceServiceServer
	app *app.Application
}

// CreateMaintenanceRecord records work on a unit.
func (s *MaintenanceServer) CreateMaintenanceRecord(ctx context.Context, req *serialsv1.CreateMaintenanceRecordRequest) (*serialsv1.MaintenanceRecord, error) {
	r := req.GetRecord()
	rec, err := s.app.Maintenance.Create(ctx, app.CreateMaintenance{UnitID: req.GetUnitId(), Release: req.GetRelease(),
		RequestID: req.GetRequestId(), Values: domain.MaintenanceValues{
			Problem: r.GetProblem(), WorkDone: r.GetWorkDone(), Technician: r.GetTechnician(),
			LaborMinutes: r.GetLaborMinutes(), CostCents: r.GetCost().GetAmountCents(), CostCurrency: r.GetCost().GetCurrencyCode(),
			PerformDate: protoconv.Date(r.GetPerformDate()), NextDue: protoconv.Date(r.GetNextDue())}})
	if err != nil {
		return nil, err
	}
	return maintenanceToProto(rec), nil
}

// ListMaintenanceRecords returns one page of a unit's records.
func (s *MaintenanceServer) ListMaintenanceRecords(ctx context.Context, req *serialsv1.ListMaintenanceRecordsRequest) (*serialsv1.ListMaintenanceRecordsResponse, error) {
	page, err := s.app.Maintenance.List(ctx, req.GetUnitId(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListMaintenanceRecordsResponse{Records: protoconv.Map(page.Items, maintenanceToProto),
		NextPageToken: page.NextPageToken}, nil
}

// ListMaintenanceDue returns one page of a warehouse's units due.
func (s *MaintenanceServer) ListMaintenanceDue(ctx context.Context, req *serialsv1.ListMaintenanceDueRequest) (*serialsv1.ListMaintenanceDueResponse, error) {
	page, err := s.app.Maintenance.Due(ctx, req.GetWarehouseId(), req.GetWithinDays(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListMaintenanceDueResponse{NextPageToken: page.NextPageToken,
		Units: protoconv.Map(page.Units, func(d app.DueUnit) *serialsv1.MaintenanceDue {
			return &serialsv1.MaintenanceDue{UnitId: d.UnitID, ItemId: d.ItemID, SerialNumber: d.SerialNumber,
				Status: apienum.StatusProto(d.Status), DueDate: protoconv.DateProto(d.Due), Overdue: d.Due.Before(page.Today)}
		})}, nil
}

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
