package grpcapi

import (
	"context"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
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
				sum.Counts = append(sum.Counts, &serialsv1.UnitCount{Status: apienum.StatusProto(st), Count: n})
			}
		}
		resp.Items = append(resp.Items, sum)
	}
	return resp, nil
}
