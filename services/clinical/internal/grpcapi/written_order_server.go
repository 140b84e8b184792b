package grpcapi

import (
	"context"
	"slices"
	"strings"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// WrittenOrderServer implements clinicalv1.WrittenOrderServiceServer:
// standard written orders, drafted, signed and revoked. An order names its
// patient and diagnoses, so a listing names in the call's audit record
// every order and patient it disclosed.
type WrittenOrderServer struct {
	clinicalv1.UnimplementedWrittenOrderServiceServer
	app *app.Application
}

// writtenOrderMask resolves UpdateWrittenOrder's update_mask.
var writtenOrderMask = protoconv.UpdateMask{
	Resource: (&clinicalv1.WrittenOrder{}).ProtoReflect().Descriptor(),
	Writable: protoconv.FieldNames(domain.WrittenOrderFields),
}

// GetWrittenOrder returns one written order.
func (s *WrittenOrderServer) GetWrittenOrder(ctx context.Context, req *clinicalv1.GetWrittenOrderRequest) (*clinicalv1.WrittenOrder, error) {
	return writtenOrderReply(s.app.WrittenOrders.Get(ctx, req.GetId()))
}

// ListWrittenOrders returns one page of written orders, newest first.
func (s *WrittenOrderServer) ListWrittenOrders(ctx context.Context, req *clinicalv1.ListWrittenOrdersRequest) (*clinicalv1.ListWrittenOrdersResponse, error) {
	page, err := s.app.WrittenOrders.List(ctx, app.ListWrittenOrders{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), PatientID: req.GetPatientId(),
		Status: enumToDomain(writtenOrderStatusToDomain, req.GetStatus()),
	})
	if err != nil {
		return nil, err
	}
	resp := &clinicalv1.ListWrittenOrdersResponse{
		WrittenOrders: make([]*clinicalv1.WrittenOrder, len(page.Items)), NextPageToken: page.NextPageToken,
	}
	orderIDs := make([]string, len(page.Items))
	var patientIDs []string
	for i, o := range page.Items {
		resp.WrittenOrders[i], orderIDs[i] = writtenOrderToProto(o), o.ID
		if !slices.Contains(patientIDs, o.PatientID) {
			patientIDs = append(patientIDs, o.PatientID)
		}
	}
	audit.NoteResource(ctx, "written_order_ids", strings.Join(orderIDs, ","))
	audit.NoteResource(ctx, "patient_ids", strings.Join(patientIDs, ","))
	return resp, nil
}

// CreateWrittenOrder adds a draft; output-only fields in the request are
// ignored.
func (s *WrittenOrderServer) CreateWrittenOrder(ctx context.Context, req *clinicalv1.CreateWrittenOrderRequest) (*clinicalv1.WrittenOrder, error) {
	return writtenOrderReply(s.app.WrittenOrders.Create(ctx, app.CreateWrittenOrder{
		Values: writtenOrderValues(req.GetWrittenOrder()), RequestID: req.GetRequestId(),
	}))
}

// UpdateWrittenOrder changes the fields the mask names of a draft.
func (s *WrittenOrderServer) UpdateWrittenOrder(ctx context.Context, req *clinicalv1.UpdateWrittenOrderRequest) (*clinicalv1.WrittenOrder, error) {
	paths, _, err := writtenOrderMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	return writtenOrderReply(s.app.WrittenOrders.Update(ctx, app.UpdateWrittenOrder{
		ID: req.GetWrittenOrder().GetId(), Etag: req.GetWrittenOrder().GetEtag(),
		Fields: protoconv.AsFields[domain.WrittenOrderField](paths), Values: writtenOrderValues(req.GetWrittenOrder()),
	}))
}

// SignWrittenOrder records the prescriber's signature of a draft.
func (s *WrittenOrderServer) SignWrittenOrder(ctx context.Context, req *clinicalv1.SignWrittenOrderRequest) (*clinicalv1.WrittenOrder, error) {
	return writtenOrderReply(s.app.WrittenOrders.Sign(ctx, app.SignWrittenOrder{
		ID: req.GetId(), SignatureDate: protoconv.Date(req.GetSignatureDate()), Etag: req.GetEtag(),
	}))
}

// RevokeWrittenOrder withdraws a draft or signed order.
func (s *WrittenOrderServer) RevokeWrittenOrder(ctx context.Context, req *clinicalv1.RevokeWrittenOrderRequest) (*clinicalv1.WrittenOrder, error) {
	return writtenOrderReply(s.app.WrittenOrders.Revoke(ctx, app.RevokeWrittenOrder{
		ID: req.GetId(), Reason: req.GetReason(), Etag: req.GetEtag(),
	}))
}

// writtenOrderReply renders the order a use case returned, or passes its
// error on unchanged.
func writtenOrderReply(v app.WrittenOrderView, err error) (*clinicalv1.WrittenOrder, error) {
	if err != nil {
		return nil, err
	}
	return writtenOrderToProto(v), nil
}
