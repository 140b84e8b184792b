package grpcapi

import (
	"context"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// PayerServer implements clinicalv1.PayerServiceServer: payers and their
// plans.
type PayerServer struct {
	clinicalv1.UnimplementedPayerServiceServer
	app *app.Application
}

// GetPayer returns one payer.
func (s *PayerServer) GetPayer(ctx context.Context, req *clinicalv1.GetPayerRequest) (*clinicalv1.Payer, error) {
	r, err := s.app.Payers.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return payerToProto(r), nil
}

// ListPayers returns one page of payers.
func (s *PayerServer) ListPayers(ctx context.Context, req *clinicalv1.ListPayersRequest) (*clinicalv1.ListPayersResponse, error) {
	p, err := s.app.Payers.List(ctx, app.ListPayers{PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
		Type: enumToDomain(payerTypeToDomain, req.GetType()), ShowInactive: req.GetShowInactive()})
	if err != nil {
		return nil, err
	}
	return &clinicalv1.ListPayersResponse{Payers: protoconv.Map(p.Items, payerToProto), NextPageToken: p.NextPageToken}, nil
}

// CreatePayer adds a payer.
func (s *PayerServer) CreatePayer(ctx context.Context, req *clinicalv1.CreatePayerRequest) (*clinicalv1.Payer, error) {
	r, err := s.app.Payers.Create(ctx, app.CreatePayer{Values: payerValues(req.GetPayer()), RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return payerToProto(r), nil
}

// UpdatePayer changes the fields the mask names.
func (s *PayerServer) UpdatePayer(ctx context.Context, req *clinicalv1.UpdatePayerRequest) (*clinicalv1.Payer, error) {
	paths, _, err := payerMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	r, err := s.app.Payers.Update(ctx, app.UpdatePayer{ID: req.GetPayer().GetId(), Etag: req.GetPayer().GetEtag(),
		Fields: protoconv.AsFields[domain.PayerField](paths), Values: payerValues(req.GetPayer())})
	if err != nil {
		return nil, err
	}
	return payerToProto(r), nil
}

// GetPlan returns one plan of a payer.
func (s *PayerServer) GetPlan(ctx context.Context, req *clinicalv1.GetPlanRequest) (*clinicalv1.Plan, error) {
	r, err := s.app.Payers.GetPlan(ctx, req.GetPayerId(), req.GetId())
	if err != nil {
		return nil, err
	}
	return planToProto(r), nil
}

// ListPlans returns one page of a payer's plans.
func (s *PayerServer) ListPlans(ctx context.Context, req *clinicalv1.ListPlansRequest) (*clinicalv1.ListPlansResponse, error) {
	p, err := s.app.Payers.ListPlans(ctx, app.ListPlans{PayerID: req.GetPayerId(), PageSize: req.GetPageSize(),
		PageToken: req.GetPageToken(), ShowInactive: req.GetShowInactive()})
	if err != nil {
		return nil, err
	}
	return &clinicalv1.ListPlansResponse{Plans: protoconv.Map(p.Items, planToProto), NextPageToken: p.NextPageToken}, nil
}

// CreatePlan adds a plan to a payer.
func (s *PayerServer) CreatePlan(ctx context.Context, req *clinicalv1.CreatePlanRequest) (*clinicalv1.Plan, error) {
	r, err := s.app.Payers.CreatePlan(ctx, app.CreatePlan{PayerID: req.GetPayerId(), Values: planValues(req.GetPlan()),
		RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return planToProto(r), nil
}

// UpdatePlan changes the fields the mask names.
func (s *PayerServer) UpdatePlan(ctx context.Context, req *clinicalv1.UpdatePlanRequest) (*clinicalv1.Plan, error) {
	paths, _, err := planMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	p := req.GetPlan()
	r, err := s.app.Payers.UpdatePlan(ctx, app.UpdatePlan{PayerID: p.GetPayerId(), ID: p.GetId(), Etag: p.GetEtag(),
		Fields: protoconv.AsFields[domain.PlanField](paths), Values: planValues(p)})
	if err != nil {
		return nil, err
	}
	return planToProto(r), nil
}
