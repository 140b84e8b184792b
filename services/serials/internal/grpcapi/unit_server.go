package grpcapi

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/app"
)

// UnitServer implements serialsv1.UnitServiceServer: units and their
// transactions.
type UnitServer struct {
	serialsv1.UnimplementedUnitServiceServer
	app *app.Application
}

// GetUnit returns one unit.
func (s *UnitServer) GetUnit(ctx context.Context, req *serialsv1.GetUnitRequest) (*serialsv1.Unit, error) {
	u, err := s.app.Units.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return unitToProto(u), nil
}

// ListUnits returns one page of units ordered by serial number.
func (s *UnitServer) ListUnits(ctx context.Context, req *serialsv1.ListUnitsRequest) (*serialsv1.ListUnitsResponse, error) {
	page, err := s.app.Units.List(ctx, app.ListUnits{PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
		ItemID: req.GetItemId(), WarehouseID: req.GetWarehouseId(), Status: apienum.StatusDomain(req.GetStatus()),
		PatientID: req.GetPatientId()})
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListUnitsResponse{Units: protoconv.Map(page.Items, unitToProto), NextPageToken: page.NextPageToken}, nil
}

// ReceiveUnit receives one unit on hand.
func (s *UnitServer) ReceiveUnit(ctx context.Context, req *serialsv1.ReceiveUnitRequest) (*serialsv1.Unit, error) {
	u, err := s.app.Units.Receive(ctx, app.ReceiveUnit{ItemID: req.GetUnit().GetItemId(), Values: unitValues(req.GetUnit()),
		RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return unitToProto(u), nil
}

// BatchCreateUnits receives a shipment, all or none.
func (s *UnitServer) BatchCreateUnits(ctx context.Context, req *serialsv1.BatchCreateUnitsRequest) (*serialsv1.BatchCreateUnitsResponse, error) {
	rows := make([]app.BatchUnit, len(req.GetUnits()))
	for i, u := range req.GetUnits() {
		rows[i] = app.BatchUnit{ItemID: u.GetItemId(), Values: unitValues(u)}
	}
	ids, err := s.app.Units.BatchCreate(ctx, app.BatchCreateUnits{WarehouseID: req.GetWarehouseId(), Units: rows,
		RequestID: req.GetRequestId()})
	if errors.Is(err, app.ErrBulkDisabled) {
		return nil, status.Error(codes.Unimplemented, "BatchCreateUnits is disabled on this deployment (FEATURE_BULK_OPERATIONS)")
	}
	if err != nil {
		return nil, err
	}
	return &serialsv1.BatchCreateUnitsResponse{CreatedCount: int32(len(ids)), UnitIds: ids}, nil
}

// TransitionUnit applies one transaction to a unit.
func (s *UnitServer) TransitionUnit(ctx context.Context, req *serialsv1.TransitionUnitRequest) (*serialsv1.Unit, error) {
	u, err := s.app.Units.Transition(ctx, app.TransitionUnit{ID: req.GetId(), Kind: transactionKind(req.GetKind()),
		PatientID: req.GetPatientId(), WarehouseID: req.GetWarehouseId(), Etag: req.GetEtag()})
	if err != nil {
		return nil, err
	}
	return unitToProto(u), nil
}

// ReserveUnit holds a unit for an order line, once per line.
func (s *UnitServer) ReserveUnit(ctx context.Context, req *serialsv1.ReserveUnitRequest) (*serialsv1.Unit, error) {
	u, err := s.app.Units.Reserve(ctx, app.ReserveUnit{OrderLineID: req.GetOrderLineId(), ItemID: req.GetItemId(),
		WarehouseID: req.GetWarehouseId(), SerialNumber: req.GetSerialNumber()})
	if err != nil {
		return nil, err
	}
	return unitToProto(u), nil
}

// ReleaseUnit cancels an order line's reservation, if it holds one.
func (s *UnitServer) ReleaseUnit(ctx context.Context, req *serialsv1.ReleaseUnitRequest) (*serialsv1.ReleaseUnitResponse, error) {
	id, err := s.app.Units.Release(ctx, req.GetOrderLineId())
	if err != nil {
		return nil, err
	}
	return &serialsv1.ReleaseUnitResponse{UnitId: id}, nil
}

// ListUnitTransactions returns one page of a unit's history.
func (s *UnitServer) ListUnitTransactions(ctx context.Context, req *serialsv1.ListUnitTransactionsRequest) (*serialsv1.ListUnitTransactionsResponse, error) {
	page, err := s.app.Units.Transactions(ctx, app.ListUnitTransactions{UnitID: req.GetUnitId(), PageSize: req.GetPageSize(),
		PageToken: req.GetPageToken()})
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListUnitTransactionsResponse{Transactions: protoconv.Map(page.Items, transactionToProto),
		NextPageToken: page.NextPageToken}, nil
}

// ValidateSerial answers whether a serial may be used as intended.
func (s *UnitServer) ValidateSerial(ctx context.Context, req *serialsv1.ValidateSerialRequest) (*serialsv1.ValidateSerialResponse, error) {
	v, err := s.app.Units.Validate(ctx, app.ValidateSerial{SerialNumber: req.GetSerialNumber(), ItemID: req.GetItemId(),
		HCPCS: req.GetHcpcs(), Operation: transactionKind(req.GetOperation()), WarehouseID: req.GetWarehouseId()})
	if err != nil {
		return nil, err
	}
	resp := &serialsv1.ValidateSerialResponse{Valid: len(v.Reasons) == 0, SerialNumber: v.Serial}
	for _, r := range v.Reasons {
		resp.Reasons = append(resp.Reasons, reasonProto[r])
	}
	if v.Unit != nil {
		resp.UnitId, resp.ItemId, resp.Status = v.Unit.ID, v.Unit.ItemID, apienum.StatusProto(v.Unit.Status)
	}
	return resp, nil
}
