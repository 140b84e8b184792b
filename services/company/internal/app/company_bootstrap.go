package app

import (
	"context"
	"fmt"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// BootstrapCompany creates a company and its first owner: the platform
// operator's way to add a tenant (the API has no CreateCompany). It is
// idempotent by code, so a deployment can run it on every start.
type BootstrapCompany struct {
	// Code is the company's sign-in code, such as "acme-medical".
	Code      string
	LegalName string
	// The first owner's sign-in email, password and names.
	OwnerEmail      string
	OwnerPassword   string
	OwnerGivenName  string
	OwnerFamilyName string
}

// BootstrapResult says what BootstrapCompany found or made.
type BootstrapResult struct {
	CompanyID string
	OwnerID   string
	// Created is false when the company already existed with that owner.
	Created bool
}

// ReasonCompanyExists: bootstrap found the code taken by a company whose
// owners do not include the given email.
const ReasonCompanyExists = "COMPANY_EXISTS"

// Bootstrap creates the company and owner, or reports them as they exist. It
// acts for no caller: the operator is trusted by holding the database
// credentials. A
// company with the code whose users include the email as an owner is
// success with Created false (the password is neither checked nor
// changed); any other company with the code is FAILED_PRECONDITION with
// reason ReasonCompanyExists. Violations name "code", "legalName",
// "owner.email", "owner.givenName", "owner.familyName" and "ownerPassword".
func (h Companies) Bootstrap(ctx context.Context, cmd BootstrapCompany) (BootstrapResult, error) {
	companyID, err := usecase.NewID()
	if err != nil {
		return BootstrapResult{}, err
	}
	ownerID, err := usecase.NewID()
	if err != nil {
		return BootstrapResult{}, err
	}
	now := h.r.Now.Stamp()
	company, companyErr := domain.NewCompany(companyID, cmd.Code, cmd.LegalName, now)
	owner, ownerErr := domain.NewUser(ownerID, companyID, domain.UserProfile{
		Email:      cmd.OwnerEmail,
		GivenName:  cmd.OwnerGivenName,
		FamilyName: cmd.OwnerFamilyName,
	}, []domain.Role{domain.RoleOwner}, now)
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "", Err: companyErr},
		usecase.FieldCheck{Field: "owner", Err: ownerErr},
		usecase.FieldCheck{Field: "ownerPassword", Err: domain.CheckNewPassword("", cmd.OwnerPassword, cmd.OwnerEmail)},
	); err != nil {
		return BootstrapResult{}, err
	}

	if res, found, err := h.existing(ctx, company.Code, owner.Email); found || err != nil {
		return res, err
	}
	// Hash before the unit of work: argon2id's CPU time should not hold a
	// connection.
	hash, err := domain.HashPassword(cmd.OwnerPassword)
	if err != nil {
		return BootstrapResult{}, err
	}
	err = h.r.UnitOfWork.InTx(ctx, func(ctx context.Context) error {
		if err := h.r.Store.CreateCompanyWithOwner(ctx, company, owner, hash); err != nil {
			return err
		}
		return usecase.RecordAll(ctx, h.r.Events, Event{
			Type:       EventCompanyCreated,
			CompanyID:  company.ID,
			ResourceID: company.ID,
			Payload: &companyv1.CompanyCreated{
				CompanyId: company.ID,
				OccurTime: timestamp(company.CreateTime),
				Code:      company.Code,
				LegalName: company.LegalName,
			},
		}, Event{
			Type:       EventUserCreated,
			CompanyID:  company.ID,
			ResourceID: owner.ID,
			Payload: &companyv1.UserCreated{
				CompanyId: company.ID,
				UserId:    owner.ID,
				OccurTime: timestamp(owner.CreateTime),
				Email:     owner.Email,
				Roles:     protoRoles(owner.Roles),
			},
		})
	})
	if errs.Is(err, errs.KindAlreadyExists) {
		// Another bootstrap with the same code won the race. The unit of
		// work has rolled back, so the lookup runs on its own.
		res, found, err := h.existing(ctx, company.Code, owner.Email)
		if err == nil && !found {
			err = fmt.Errorf("bootstrap: company %s collided but is not visible", company.Code)
		}
		return res, err
	}
	if err != nil {
		return BootstrapResult{}, err
	}
	return BootstrapResult{CompanyID: company.ID, OwnerID: owner.ID, Created: true}, nil
}

// existing looks for a company with code. found is true when there is one;
// the error is then nil only when email belongs to one of its owners.
func (h Companies) existing(ctx context.Context, code, email string) (BootstrapResult, bool, error) {
	companyID, found, err := h.r.Store.CompanyIDForCode(ctx, code)
	if err != nil || !found {
		return BootstrapResult{}, false, err
	}
	u, found, err := h.r.Store.FindUserByEmail(ctx, companyID, email)
	if err != nil {
		return BootstrapResult{}, true, err
	}
	if !found || !u.HasRole(domain.RoleOwner) {
		return BootstrapResult{}, true, errs.FailedPrecondition(ReasonCompanyExists,
			fmt.Sprintf("company %q already exists and %s is not one of its owners", code, email))
	}
	return BootstrapResult{CompanyID: companyID, OwnerID: u.ID}, true, nil
}
