package grpcapi

import (
	"context"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// PrescriberServer implements clinicalv1.PrescriberServiceServer: the
// practitioners who sign written orders, deactivated rather than deleted.
type PrescriberServer struct {
	clinicalv1.UnimplementedPrescriberServiceServer
	app *app.Application
}

// prescriberMask resolves UpdatePrescriber's update_mask.
var prescriberMask = protoconv.UpdateMask{
	Resource: (&clinicalv1.Prescriber{}).ProtoReflect().Descriptor(),
	Writable: protoconv.FieldNames(domain.PrescriberFields),
}

// GetPrescriber returns one prescriber, active or not.
func (s *PrescriberServer) GetPrescriber(ctx context.Context, req *clinicalv1.GetPrescriberRequest) (*clinicalv1.Prescriber, error) {
	p, err := s.app.Prescribers.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return prescriberToProto(p), nil
}

// ListPrescribers returns one page of prescribers ordered by name.
func (s *PrescriberServer) ListPrescribers(ctx context.Context, req *clinicalv1.ListPrescribersRequest) (*clinicalv1.ListPrescribersResponse, error) {
	page, err := s.app.Prescribers.List(ctx, app.ListPrescribers{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
		LastNamePrefix: req.GetLastNamePrefix(), NPI: req.GetNpi(), ShowInactive: req.GetShowInactive(),
	})
	if err != nil {
		return nil, err
	}
	resp := &clinicalv1.ListPrescribersResponse{
		Prescribers: make([]*clinicalv1.Prescriber, len(page.Items)), NextPageToken: page.NextPageToken,
	}
	for i, p := range page.Items {
		resp.Prescribers[i] = prescriberToProto(p)
	}
	return resp, nil
}

// CreatePrescriber adds a prescriber; id, active, timestamps and etag in
// the request are ignored.
func (s *PrescriberServer) CreatePrescriber(ctx context.Context, req *clinicalv1.CreatePrescriberRequest) (*clinicalv1.Prescriber, error) {
	p, err := s.app.Prescribers.Create(ctx, app.CreatePrescriber{
		Values: prescriberValues(req.GetPrescriber()), RequestID: req.GetRequestId(),
	})
	if err != nil {
		return nil, err
	}
	return prescriberToProto(p), nil
}

// UpdatePrescriber changes the fields the mask names.
func (s *PrescriberServer) UpdatePrescriber(ctx context.Context, req *clinicalv1.UpdatePrescriberRequest) (*clinicalv1.Prescriber, error) {
	paths, _, err := prescriberMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	p, err := s.app.Prescribers.Update(ctx, app.UpdatePrescriber{
		ID: req.GetPrescriber().GetId(), Etag: req.GetPrescriber().GetEtag(),
		Fields: protoconv.AsFields[domain.PrescriberField](paths), Values: prescriberValues(req.GetPrescriber()),
	})
	if err != nil {
		return nil, err
	}
	return prescriberToProto(p), nil
}
