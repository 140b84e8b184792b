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

// CoverageServer implements clinicalv1.CoverageServiceServer: patients'
// coverages and their eligibility checks. Member ids are masked for
// callers without patients.phi.
type CoverageServer struct {
	clinicalv1.UnimplementedCoverageServiceServer
	app *app.Application
}

// GetCoverage returns one coverage of a patient.
func (s *CoverageServer) GetCoverage(ctx context.Context, req *clinicalv1.GetCoverageRequest) (*clinicalv1.Coverage, error) {
	return coverageReply(ctx)(s.app.Coverages.Get(ctx, req.GetPatientId(), req.GetId()))
}

// ListCoverages returns one page of a patient's coverages by rank.
func (s *CoverageServer) ListCoverages(ctx context.Context, req *clinicalv1.ListCoveragesRequest) (*clinicalv1.ListCoveragesResponse, error) {
	p, err := s.app.Coverages.List(ctx, app.ListCoverages{PatientID: req.GetPatientId(), PageSize: req.GetPageSize(),
		PageToken: req.GetPageToken(), ShowDeleted: req.GetShowDeleted()})
	if err != nil {
		return nil, err
	}
	reveal := revealsPHI(ctx)
	noteCoverages(ctx, p.Items)
	return &clinicalv1.ListCoveragesResponse{
		Coverages:     protoconv.Map(p.Items, func(c *domain.Coverage) *clinicalv1.Coverage { return coverageToProto(c, reveal) }),
		NextPageToken: p.NextPageToken,
	}, nil
}

// CreateCoverage adds a coverage to a patient; output-only fields in the
// request are ignored.
func (s *CoverageServer) CreateCoverage(ctx context.Context, req *clinicalv1.CreateCoverageRequest) (*clinicalv1.Coverage, error) {
	return coverageReply(ctx)(s.app.Coverages.Create(ctx, app.CreateCoverage{PatientID: req.GetPatientId(),
		Values: coverageValues(req.GetCoverage()), RequestID: req.GetRequestId()}))
}

// UpdateCoverage changes the fields the mask names. Under an implied mask
// an empty member_id keeps the one on file: a client that read it masked
// leaves it empty rather than send the mask back.
func (s *CoverageServer) UpdateCoverage(ctx context.Context, req *clinicalv1.UpdateCoverageRequest) (*clinicalv1.Coverage, error) {
	paths, implied, err := coverageMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	c := req.GetCoverage()
	if implied && c.GetMemberId() == "" {
		paths = slices.DeleteFunc(paths, func(p string) bool { return p == string(domain.CoverageMemberID) })
	}
	return coverageReply(ctx)(s.app.Coverages.Update(ctx, app.UpdateCoverage{PatientID: c.GetPatientId(), ID: c.GetId(),
		Etag: c.GetEtag(), Fields: protoconv.AsFields[domain.CoverageField](paths), Values: coverageValues(c)}))
}

// DeleteCoverage soft-deletes a coverage and returns it.
func (s *CoverageServer) DeleteCoverage(ctx context.Context, req *clinicalv1.DeleteCoverageRequest) (*clinicalv1.Coverage, error) {
	return coverageReply(ctx)(s.app.Coverages.Delete(ctx, app.DeleteCoverage{PatientID: req.GetPatientId(),
		ID: req.GetId(), Etag: req.GetEtag()}))
}

// ReorderCoverages ranks a patient's current coverages anew.
func (s *CoverageServer) ReorderCoverages(ctx context.Context, req *clinicalv1.ReorderCoveragesRequest) (*clinicalv1.ReorderCoveragesResponse, error) {
	cs, err := s.app.Coverages.Reorder(ctx, app.ReorderCoverages{PatientID: req.GetPatientId(), CoverageIDs: req.GetCoverageIds()})
	if err != nil {
		return nil, err
	}
	reveal := revealsPHI(ctx)
	out := &clinicalv1.ReorderCoveragesResponse{Coverages: make([]*clinicalv1.Coverage, len(cs))}
	ptrs := make([]*domain.Coverage, len(cs))
	for i := range cs {
		ptrs[i] = &cs[i]
		out.Coverages[i] = coverageToProto(&cs[i], reveal)
	}
	noteCoverages(ctx, ptrs)
	return out, nil
}

// CheckEligibility checks a coverage on a date of service and logs it.
func (s *CoverageServer) CheckEligibility(ctx context.Context, req *clinicalv1.CheckEligibilityRequest) (*clinicalv1.EligibilityCheck, error) {
	c, err := s.app.Coverages.CheckEligibility(ctx, app.CheckEligibility{PatientID: req.GetPatientId(),
		CoverageID: req.GetId(), DateOfService: protoconv.Date(req.GetDateOfService())})
	if err != nil {
		return nil, err
	}
	return eligibilityCheckToProto(c, req.GetPatientId()), nil
}

// ListEligibilityChecks returns one page of a coverage's eligibility log,
// newest first.
func (s *CoverageServer) ListEligibilityChecks(ctx context.Context, req *clinicalv1.ListEligibilityChecksRequest) (*clinicalv1.ListEligibilityChecksResponse, error) {
	p, err := s.app.Coverages.ListEligibilityChecks(ctx, app.ListEligibilityChecks{PatientID: req.GetPatientId(),
		CoverageID: req.GetCoverageId(), PageSize: req.GetPageSize(), PageToken: req.GetPageToken()})
	if err != nil {
		return nil, err
	}
	return &clinicalv1.ListEligibilityChecksResponse{
		EligibilityChecks: protoconv.Map(p.Items, func(c *domain.EligibilityCheck) *clinicalv1.EligibilityCheck {
			return eligibilityCheckToProto(c, req.GetPatientId())
		}),
		NextPageToken: p.NextPageToken,
	}, nil
}

// coverageReply renders a use case's coverage for the caller.
func coverageReply(ctx context.Context) func(*domain.Coverage, error) (*clinicalv1.Coverage, error) {
	return func(c *domain.Coverage, err error) (*clinicalv1.Coverage, error) {
		if err != nil {
			return nil, err
		}
		return coverageToProto(c, revealsPHI(ctx)), nil
	}
}

// noteCoverages names every coverage a listing disclosed in its audit
// record.
func noteCoverages(ctx context.Context, cs []*domain.Coverage) {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	audit.NoteResource(ctx, "coverage_ids", strings.Join(ids, ","))
}
