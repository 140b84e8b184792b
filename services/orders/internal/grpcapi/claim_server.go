package grpcapi

import (
	"context"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// ClaimServer serves ClaimService.
type ClaimServer struct {
	ordersv1.UnimplementedClaimServiceServer
	app *app.Application
}

// RunBilling bills the caller's company as of a day.
func (s *ClaimServer) RunBilling(ctx context.Context, req *ordersv1.RunBillingRequest) (*ordersv1.RunBillingResponse, error) {
	run, err := s.app.Claims.RunBilling(ctx, protoconv.Date(req.GetAsOf()))
	if err != nil {
		return nil, err
	}
	return &ordersv1.RunBillingResponse{AsOf: protoconv.DateProto(run.AsOf), RentalsBilled: int32(run.Rentals),
		ClaimLinesCreated: int32(run.Created), RentalsClosed: int32(run.Closed)}, nil
}

// GetClaimLine returns one claim line.
func (s *ClaimServer) GetClaimLine(ctx context.Context, req *ordersv1.GetClaimLineRequest) (*ordersv1.ClaimLine, error) {
	c, err := s.app.Claims.GetClaimLine(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return claimLineToProto(c), nil
}

// claimStatuses maps the API's status filter to the app's.
var claimStatuses = map[ordersv1.ClaimLineStatus]string{
	ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_OPEN:     app.ClaimStatusOpen,
	ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_EXPORTED: app.ClaimStatusExported,
}

// ListClaimLines returns one page of claim lines.
func (s *ClaimServer) ListClaimLines(ctx context.Context, req *ordersv1.ListClaimLinesRequest) (*ordersv1.ListClaimLinesResponse, error) {
	page, err := s.app.Claims.ListClaimLines(ctx, app.ListClaimLines{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), Status: claimStatuses[req.GetStatus()],
		PayerID: req.GetPayerId(), From: protoconv.Date(req.GetPeriodStart()), To: protoconv.Date(req.GetPeriodEnd()),
	})
	if err != nil {
		return nil, err
	}
	return &ordersv1.ListClaimLinesResponse{ClaimLines: protoconv.Map(page.Items, claimLineToProto), NextPageToken: page.NextPageToken}, nil
}

// ExportClaimLines marks claim lines exported.
func (s *ClaimServer) ExportClaimLines(ctx context.Context, req *ordersv1.ExportClaimLinesRequest) (*ordersv1.ExportClaimLinesResponse, error) {
	lines, err := s.app.Claims.ExportClaimLines(ctx, app.ExportClaimLines{IDs: req.GetIds(), Force: req.GetForce()})
	if err != nil {
		return nil, err
	}
	return &ordersv1.ExportClaimLinesResponse{ClaimLines: protoconv.Map(lines, claimLineToProto)}, nil
}

func claimLineToProto(c *domain.ClaimLine) *ordersv1.ClaimLine {
	status := ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_OPEN
	if c.Exported() {
		status = ordersv1.ClaimLineStatus_CLAIM_LINE_STATUS_EXPORTED
	}
	return &ordersv1.ClaimLine{
		Id: c.ID, OrderId: c.OrderID, OrderLineId: c.LineID, PatientId: c.PatientID, CoverageId: c.CoverageID,
		PayerId: c.PayerID, CoverageRank: c.CoverageRank, OrderingNpi: c.OrderingNPI, RenderingNpi: c.RenderingNPI,
		Hcpcs: c.HCPCS, Modifiers: c.Modifiers, Units: c.Units, DateOfService: protoconv.DateProto(c.Period.From),
		PeriodFrom: protoconv.DateProto(c.Period.From), PeriodThrough: protoconv.DateProto(c.Period.Through),
		BillingMonth: int32(c.Period.Month), Charge: money(c.Charge), Expected: money(c.Expected),
		DiagnosisCodes: c.DiagnosisCodes, PlaceOfService: c.PlaceOfService, SerialNumber: c.SerialNumber,
		Status: status, ExportCount: c.ExportCount, LastExportTime: protoconv.Time(c.LastExportTime),
		LastExportedBy: c.LastExportedBy, CreateTime: protoconv.Time(c.CreateTime), ShipmentId: c.ShipmentID,
	}
}
