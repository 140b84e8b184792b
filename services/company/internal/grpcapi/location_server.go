package grpcapi

import (
	"context"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// LocationServer implements LocationService: the company's branches and
// warehouses, with soft delete.
type LocationServer struct {
	companyv1.UnimplementedLocationServiceServer
	app *app.Application
}

// locationMask resolves UpdateLocation's update_mask.
var locationMask = protoconv.UpdateMask{
	Resource: (&companyv1.Location{}).ProtoReflect().Descriptor(),
	Writable: fieldNames(domain.LocationFields),
}

// GetLocation returns one location, also when it is soft-deleted (with
// delete_time set).
func (s *LocationServer) GetLocation(ctx context.Context, req *companyv1.GetLocationRequest) (*companyv1.Location, error) {
	l, err := s.app.Locations.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return locationToProto(l), nil
}

// ListLocations returns one page of locations ordered by code.
func (s *LocationServer) ListLocations(ctx context.Context, req *companyv1.ListLocationsRequest) (*companyv1.ListLocationsResponse, error) {
	typ, err := locationTypeFilter(req.GetType())
	if err != nil {
		return nil, err
	}
	p, err := s.app.Locations.List(ctx, app.ListLocations{
		PageSize:    req.GetPageSize(),
		PageToken:   req.GetPageToken(),
		Type:        typ,
		ShowDeleted: req.GetShowDeleted(),
	})
	if err != nil {
		return nil, err
	}
	resp := &companyv1.ListLocationsResponse{NextPageToken: p.NextPageToken, Locations: make([]*companyv1.Location, len(p.Locations))}
	for i, l := range p.Locations {
		resp.Locations[i] = locationToProto(l)
	}
	return resp, nil
}

// CreateLocation adds a location; id, timestamps and etag in the request
// are ignored.
func (s *LocationServer) CreateLocation(ctx context.Context, req *companyv1.CreateLocationRequest) (*companyv1.Location, error) {
	l, err := s.app.Locations.Create(ctx, app.CreateLocation{
		Values:    locationValues(req.GetLocation()),
		RequestID: req.GetRequestId(),
	})
	if err != nil {
		return nil, err
	}
	return locationToProto(l), nil
}

// UpdateLocation changes the fields the mask names.
func (s *LocationServer) UpdateLocation(ctx context.Context, req *companyv1.UpdateLocationRequest) (*companyv1.Location, error) {
	paths, _, err := locationMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	l, err := s.app.Locations.Update(ctx, app.UpdateLocation{
		ID:     req.GetLocation().GetId(),
		Etag:   req.GetLocation().GetEtag(),
		Fields: protoconv.AsFields[domain.LocationField](paths),
		Values: locationValues(req.GetLocation()),
	})
	if err != nil {
		return nil, err
	}
	return locationToProto(l), nil
}

// DeleteLocation soft-deletes a location and returns it.
func (s *LocationServer) DeleteLocation(ctx context.Context, req *companyv1.DeleteLocationRequest) (*companyv1.Location, error) {
	l, err := s.app.Locations.Delete(ctx, app.DeleteLocation{ID: req.GetId(), Etag: req.GetEtag()})
	if err != nil {
		return nil, err
	}
	return locationToProto(l), nil
}

// UndeleteLocation restores a soft-deleted location.
func (s *LocationServer) UndeleteLocation(ctx context.Context, req *companyv1.UndeleteLocationRequest) (*companyv1.Location, error) {
	l, err := s.app.Locations.Undelete(ctx, app.UndeleteLocation{ID: req.GetId(), Etag: req.GetEtag()})
	if err != nil {
		return nil, err
	}
	return locationToProto(l), nil
}
