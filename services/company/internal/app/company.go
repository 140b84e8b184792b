package app

import (
	"context"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// CompanyRepository stores companies.
type CompanyRepository interface {
	GetCompany(ctx context.Context, id string) (*domain.Company, error)
	UpdateCompany(ctx context.Context, id string, fn func(*domain.Company) error) (*domain.Company, error)
	CompanyIDForCode(ctx context.Context, code string) (id string, found bool, err error)
	CreateCompanyWithOwner(ctx context.Context, c *domain.Company, owner *domain.User, passwordHash string) error
	FindUserByEmail(ctx context.Context, companyID, email string) (u *domain.User, found bool, err error)
}

// Companies are the company commands and queries: the caller's own
// company, and the operator's bootstrap of a new one.
type Companies struct{ r *registry }

// Get returns the company of the caller's token.
func (h Companies) Get(ctx context.Context) (*domain.Company, error) {
	_, tenant, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return h.r.Store.GetCompany(ctx, tenant)
}

// UpdateCompany changes the caller's company. Violations name fields of
// the request ("company.npi").
type UpdateCompany struct {
	// ID is the company the client believes it is changing: empty, or the
	// caller's own company. The company is always the caller's; another id
	// is refused rather than ignored, so a client confused about its tenant
	// learns it before anything is written.
	ID string
	// Etag from the caller's last read; "" skips the check.
	Etag string
	// Fields to write; the caller resolves an empty update mask to every
	// writable field.
	Fields []domain.CompanyField
	// Values of the fields.
	Values domain.CompanyValues
}

// Update applies cmd and records CompanyUpdated.
func (h Companies) Update(ctx context.Context, cmd UpdateCompany) (*domain.Company, error) {
	actor, tenant, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if cmd.ID != "" && cmd.ID != tenant {
		return nil, errs.Invalid(errs.FieldViolation{Field: "company.id", Description: "must be empty or the id of the caller's own company"})
	}
	now := h.r.Now.Stamp()
	return usecase.Change(ctx, h.r.UnitOfWork, h.r.Events, func(ctx context.Context) (*domain.Company, []Event, error) {
		c, err := h.r.Store.UpdateCompany(ctx, tenant, func(c *domain.Company) error {
			if err := etag.Check(cmd.Etag, c.Version); err != nil {
				return usecase.UnderField("company", err)
			}
			if err := c.Update(cmd.Fields, cmd.Values, h.r.Keyring); err != nil {
				return usecase.UnderField("company", err)
			}
			c.UpdateTime = now
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		return c, []Event{{
			Type:       EventCompanyUpdated,
			CompanyID:  c.ID,
			ResourceID: c.ID,
			Payload: &companyv1.CompanyUpdated{
				CompanyId:     c.ID,
				ActorId:       actor.ID,
				OccurTime:     timestamp(c.UpdateTime),
				ChangedFields: fieldNames(cmd.Fields),
				LegalName:     c.LegalName,
				DisplayName:   c.DisplayName,
				Version:       c.Version,
			},
		}}, nil
	})
}
