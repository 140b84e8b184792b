package grpcapi

import (
	"context"
	"slices"

	"google.golang.org/grpc"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// RegisterDirectory registers the directory's services (companies,
// locations, users) on s, backed by a.
func RegisterDirectory(s grpc.ServiceRegistrar, a *app.Application) {
	companyv1.RegisterCompanyServiceServer(s, &CompanyServer{app: a})
	companyv1.RegisterLocationServiceServer(s, &LocationServer{app: a})
	companyv1.RegisterUserServiceServer(s, &UserServer{app: a})
}

// CompanyServer implements CompanyService: the caller's own company.
type CompanyServer struct {
	companyv1.UnimplementedCompanyServiceServer
	app *app.Application
}

// companyMask resolves UpdateCompany's update_mask.
var companyMask = protoconv.UpdateMask{
	Resource: (&companyv1.Company{}).ProtoReflect().Descriptor(),
	Writable: fieldNames(domain.CompanyFields),
}

// GetCompany returns the caller's company.
func (s *CompanyServer) GetCompany(ctx context.Context, _ *companyv1.GetCompanyRequest) (*companyv1.Company, error) {
	c, err := s.app.Companies.Get(ctx)
	if err != nil {
		return nil, err
	}
	return companyToProto(c), nil
}

// UpdateCompany changes the fields of the caller's company that the mask
// names. tax_id is input-only, so a client that read the company never
// holds it: an implied mask (empty or "*") changes it only when a value is
// sent. To remove the tax id, name tax_id in the mask and send it empty.
func (s *CompanyServer) UpdateCompany(ctx context.Context, req *companyv1.UpdateCompanyRequest) (*companyv1.Company, error) {
	paths, implied, err := companyMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	if implied && req.GetCompany().GetTaxId() == "" {
		paths = slices.DeleteFunc(paths, func(p string) bool { return p == string(domain.CompanyTaxID) })
	}
	c, err := s.app.Companies.Update(ctx, app.UpdateCompany{
		ID:     req.GetCompany().GetId(),
		Etag:   req.GetCompany().GetEtag(),
		Fields: protoconv.AsFields[domain.CompanyField](paths),
		Values: companyValues(req.GetCompany()),
	})
	if err != nil {
		return nil, err
	}
	return companyToProto(c), nil
}

func fieldNames[F ~string](fields []F) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = string(f)
	}
	return out
}
