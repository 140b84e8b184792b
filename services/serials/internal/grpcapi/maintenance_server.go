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
