package grpcapi

import (
	"context"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ItemServer implements serialsv1.ItemServiceServer: the item master.
type ItemServer struct {
	serialsv1.UnimplementedItemServiceServer
	app *app.Application
}

// itemMask resolves UpdateItem's update_mask.
var itemMask = protoconv.UpdateMask{
	Resource: (&serialsv1.Item{}).ProtoReflect().Descriptor(),
	Writable: protoconv.FieldNames(domain.ItemFields),
}

// GetItem returns one item, active or not.
func (s *ItemServer) GetItem(ctx context.Context, req *serialsv1.GetItemRequest) (*serialsv1.Item, error) {
	it, err := s.app.Items.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return itemToProto(it), nil
}

// ListItems returns one page of items ordered by code.
func (s *ItemServer) ListItems(ctx context.Context, req *serialsv1.ListItemsRequest) (*serialsv1.ListItemsResponse, error) {
	page, err := s.app.Items.List(ctx, app.ListItems{PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
		HCPCS: req.GetHcpcs(), ShowInactive: req.GetShowInactive()})
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListItemsResponse{Items: protoconv.Map(page.Items, itemToProto), NextPageToken: page.NextPageToken}, nil
}

// CreateItem adds an item; id, active, timestamps and etag are ignored.
func (s *ItemServer) CreateItem(ctx context.Context, req *serialsv1.CreateItemRequest) (*serialsv1.Item, error) {
	it, err := s.app.Items.Create(ctx, app.CreateItem{Values: itemValues(req.GetItem()), RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return itemToProto(it), nil
}

// UpdateItem changes the fields the mask names.
func (s *ItemServer) UpdateItem(ctx context.Context, req *serialsv1.UpdateItemRequest) (*serialsv1.Item, error) {
	paths, _, err := itemMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	it, err := s.app.Items.Update(ctx, app.UpdateItem{ID: req.GetItem().GetId(), Etag: req.GetItem().GetEtag(),
		Fields: protoconv.AsFields[domain.ItemField](paths), Values: itemValues(req.GetItem())})
	if err != nil {
		return nil, err
	}
	return itemToProto(it), nil
}

// GetManufacturerSerialRule returns a manufacturer's rule.
func (s *ItemServer) GetManufacturerSerialRule(ctx context.Context, req *serialsv1.GetManufacturerSerialRuleRequest) (*serialsv1.ManufacturerSerialRule, error) {
	r, err := s.app.Items.ManufacturerRule(ctx, req.GetManufacturer())
	if err != nil {
		return nil, err
	}
	return makerRuleToProto(r), nil
}

// ListManufacturerSerialRules returns one page of manufacturer rules.
func (s *ItemServer) ListManufacturerSerialRules(ctx context.Context, req *serialsv1.ListManufacturerSerialRulesRequest) (*serialsv1.ListManufacturerSerialRulesResponse, error) {
	page, err := s.app.Items.ManufacturerRules(ctx, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &serialsv1.ListManufacturerSerialRulesResponse{Rules: protoconv.Map(page.Items, makerRuleToProto),
		NextPageToken: page.NextPageToken}, nil
}

// SetManufacturerSerialRule creates or replaces a manufacturer's rule.
func (s *ItemServer) SetManufacturerSerialRule(ctx context.Context, req *serialsv1.SetManufacturerSerialRuleRequest) (*serialsv1.ManufacturerSerialRule, error) {
	r, err := s.app.Items.SetManufacturerRule(ctx, app.SetManufacturerRule{Manufacturer: req.GetRule().GetManufacturer(),
		Format: serialFormat(req.GetRule().GetRule()), Etag: req.GetRule().GetEtag()})
	if err != nil {
		return nil, err
	}
	return makerRuleToProto(r), nil
}

// DeleteManufacturerSerialRule removes a manufacturer's rule.
func (s *ItemServer) DeleteManufacturerSerialRule(ctx context.Context, req *serialsv1.DeleteManufacturerSerialRuleRequest) (*emptypb.Empty, error) {
	if err := s.app.Items.DeleteManufacturerRule(ctx, req.GetManufacturer(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}
