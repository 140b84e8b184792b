package grpcapi

import (
	"context"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/app"
)

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
				WarehouseId: h.WarehouseID, Status: apienum.StatusProto(h.Status), PatientId: h.PatientID}
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
