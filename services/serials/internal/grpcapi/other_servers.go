package grpcapi

import (
	"context"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// StockServer implements serialsv1.StockServiceServer.
type StockServer struct {
	serialsv1.UnimplementedStockServiceServer
	app *app.Application
}

// ListStock returns one page of stock levels.
func (s *StockServer) ListStock(ctx context.Context, req *serialsv1.ListStockRequest) (*serialsv1.ListStockResponse, error) {
	page, err := s.app.Stock.List(ctx, app.ListStock{PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
		WarehouseID: req.GetWarehouseId(), ItemID: req.GetItemId(), LowOnly: req.GetLowOnly()})
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListStockResponse{Levels: protoconv.Map(page.Items, stockToProto), NextPageToken: page.NextPageToken}, nil
}

// SummarizeUnits returns the fleet's figures by item.
func (s *StockServer) SummarizeUnits(ctx context.Context, req *serialsv1.SummarizeUnitsRequest) (*serialsv1.SummarizeUnitsResponse, error) {
	items, err := s.app.Stock.Summarize(ctx, req.GetWarehouseId())
	if err != nil {
		return nil, err
	}
	resp := &serialsv1.SummarizeUnitsResponse{}
	for _, it := range items {
		sum := &serialsv1.ItemUnitSummary{ItemId: it.ItemID, Active: it.Active, Utilisation: it.Utilisation}
		for _, st := range domain.UnitStatuses {
			if n := it.Counts[st]; n > 0 {
				sum.Counts = append(sum.Counts, &serialsv1.UnitCount{Status: app.StatusProto(st), Count: n})
			}
		}
		resp.Items = append(resp.Items, sum)
	}
	return resp, nil
}

// RecallServer implements serialsv1.RecallServiceServer.
type RecallServer struct {
	serialsv1.UnimplementedRecallServiceServer
	app *app.Application
}

// ListRecallHolders returns one page of a recall's units and patients.
func (s *RecallServer) ListRecallHolders(ctx context.Context, req *serialsv1.ListRecallHoldersRequest) (*serialsv1.ListRecallHoldersResponse, error) {
	page, err := s.app.Recalls.Holders(ctx, recallScope(req.GetScope()), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListRecallHoldersResponse{NextPageToken: page.NextPageToken,
		Holders: protoconv.Map(page.Items, func(h app.RecallHolder) *serialsv1.RecallHolder {
			return &serialsv1.RecallHolder{UnitId: h.UnitID, ItemId: h.ItemID, SerialNumber: h.SerialNumber,
				WarehouseId: h.WarehouseID, Status: app.StatusProto(h.Status), PatientId: h.PatientID}
		})}, nil
}

// RecallUnits flags or clears a recall.
func (s *RecallServer) RecallUnits(ctx context.Context, req *serialsv1.RecallUnitsRequest) (*serialsv1.RecallUnitsResponse, error) {
	n, err := s.app.Recalls.Recall(ctx, recallScope(req.GetScope()), req.GetRecalled())
	if err != nil {
		return nil, err
	}
	return &serialsv1.RecallUnitsResponse{ChangedCount: n}, nil
}

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
				Status: app.StatusProto(d.Status), DueDate: protoconv.DateProto(d.Due), Overdue: d.Due.Before(page.Today)}
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
