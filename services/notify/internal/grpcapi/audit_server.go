package grpcapi

import (
	"context"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// AuditServer implements AuditService: the caller's tenant's hash-chained
// audit trail.
type AuditServer struct {
	notifyv1.UnimplementedAuditServiceServer
	app *app.Application
}

// NewAuditServer returns the AuditService handlers.
func NewAuditServer(a *app.Application) *AuditServer { return &AuditServer{app: a} }

// ListAuditRecords returns one page of the trail, newest first.
func (s *AuditServer) ListAuditRecords(ctx context.Context, req *notifyv1.ListAuditRecordsRequest) (*notifyv1.ListAuditRecordsResponse, error) {
	filter := domain.AuditQuery{ActorID: req.GetActorId(), ResourceID: req.GetResourceId(), Method: req.GetMethod()}
	if req.GetStartTime() != nil {
		filter.Start = req.GetStartTime().AsTime()
	}
	if req.GetEndTime() != nil {
		filter.End = req.GetEndTime().AsTime()
	}
	p, err := s.app.AuditRecords.List(ctx, app.ListAuditRecords{
		PageSize:  req.GetPageSize(),
		PageToken: req.GetPageToken(),
		Filter:    filter,
	})
	if err != nil {
		return nil, err
	}
	resp := &notifyv1.ListAuditRecordsResponse{NextPageToken: p.NextPageToken, AuditRecords: make([]*notifyv1.AuditRecord, len(p.Items))}
	for i, r := range p.Items {
		resp.AuditRecords[i] = auditRecordToProto(r)
	}
	return resp, nil
}

// VerifyAuditChain recomputes the caller's chain and reports the first
// broken link.
func (s *AuditServer) VerifyAuditChain(ctx context.Context, _ *notifyv1.VerifyAuditChainRequest) (*notifyv1.VerifyAuditChainResponse, error) {
	v, err := s.app.AuditRecords.VerifyChain(ctx)
	if err != nil {
		return nil, err
	}
	return &notifyv1.VerifyAuditChainResponse{
		Valid:               v.Valid,
		CheckedRecords:      v.Checked,
		FirstBrokenSequence: v.BrokenSequence,
		FirstBrokenId:       v.BrokenID,
		Problem:             string(v.Problem),
	}, nil
}
