package app

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Application is the company service's whole use-case surface: every
// command and query the API (and the operator commands) can run.
type Application struct {
	Commands Commands
	Queries  Queries
}

// Commands change state. Each runs as one unit of work: its change and the
// events recorded for it commit together or not at all.
type Commands struct {
	BootstrapCompany BootstrapCompanyHandler
	UpdateCompany    UpdateCompanyHandler

	CreateLocation   CreateLocationHandler
	UpdateLocation   UpdateLocationHandler
	DeleteLocation   DeleteLocationHandler
	UndeleteLocation UndeleteLocationHandler

	CreateUser     CreateUserHandler
	UpdateUser     UpdateUserHandler
	SetUserRoles   SetUserRolesHandler
	DeactivateUser DeactivateUserHandler
	ReactivateUser ReactivateUserHandler
}

// Queries read state and change nothing.
type Queries struct {
	GetCompany GetCompanyHandler

	GetLocation   GetLocationHandler
	ListLocations ListLocationsHandler

	GetUser   GetUserHandler
	ListUsers ListUsersHandler
}

// CompanyRepository stores companies.
type CompanyRepository interface {
	GetCompany(ctx context.Context, id string) (*domain.Company, error)
	UpdateCompany(ctx context.Context, id string, fn func(*domain.Company) error) (*domain.Company, error)
	CompanyIDForCode(ctx context.Context, code string) (id string, found bool, err error)
	CreateCompanyWithOwner(ctx context.Context, c *domain.Company, owner *domain.User, passwordHash string) error
	FindUserByEmail(ctx context.Context, companyID, email string) (u *domain.User, found bool, err error)
}

// LocationRepository stores locations.
type LocationRepository interface {
	GetLocation(ctx context.Context, id string) (*domain.Location, error)
	ListLocations(ctx context.Context, typ domain.LocationType, showDeleted bool, afterCode string, limit int) ([]*domain.Location, error)
	CreateLocation(ctx context.Context, l *domain.Location, requestID string, requestHash []byte) (out *domain.Location, replayed bool, err error)
	UpdateLocation(ctx context.Context, id string, fn func(*domain.Location) error) (*domain.Location, error)
}

// UserRepository stores users.
type UserRepository interface {
	GetUser(ctx context.Context, id string) (*domain.User, error)
	ListUsers(ctx context.Context, role domain.Role, showDeactivated bool, afterID string, limit int) ([]*domain.User, error)
	CreateUser(ctx context.Context, u *domain.User, passwordHash, requestID string, requestHash []byte, check func(domain.Roster) error) (out *domain.User, replayed bool, err error)
	UpdateUser(ctx context.Context, id string, fn func(domain.Roster, *domain.User) error) (u *domain.User, revokedSessions []string, err error)
}

// Keyring seals secrets at rest and computes keyed digests; the service's
// AES-GCM key ring implements it.
type Keyring interface {
	domain.Sealer
	BlindIndex(purpose, normalized string) []byte
}

// Deps are what the directory's use cases are built from.
type Deps struct {
	Companies CompanyRepository
	Locations LocationRepository
	Users     UserRepository
	Keyring   Keyring
	// Pages seals the page tokens of ListLocations and ListUsers.
	Pages *page.Sealer
	// UnitOfWork makes each command's store calls and its events one
	// transaction.
	UnitOfWork UnitOfWork
	Events     EventRecorder
	// Now is the clock; nil means the system clock.
	Now usecase.Clock
}

// NewApplication builds the directory's commands and queries.
func NewApplication(d Deps) *Application {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &directory{Deps: d}
	return &Application{
		Commands: Commands{
			BootstrapCompany: BootstrapCompanyHandler{s},
			UpdateCompany:    UpdateCompanyHandler{s},
			CreateLocation:   CreateLocationHandler{s},
			UpdateLocation:   UpdateLocationHandler{s},
			DeleteLocation:   DeleteLocationHandler{s},
			UndeleteLocation: UndeleteLocationHandler{s},
			CreateUser:       CreateUserHandler{s},
			UpdateUser:       UpdateUserHandler{s},
			SetUserRoles:     SetUserRolesHandler{s},
			DeactivateUser:   DeactivateUserHandler{s},
			ReactivateUser:   ReactivateUserHandler{s},
		},
		Queries: Queries{
			GetCompany:    GetCompanyHandler{s},
			GetLocation:   GetLocationHandler{s},
			ListLocations: ListLocationsHandler{s},
			GetUser:       GetUserHandler{s},
			ListUsers:     ListUsersHandler{s},
		},
	}
}

// directory is what every directory handler shares.
type directory struct {
	Deps
}

// caller returns the authenticated actor and its company (the tenant). A
// request without one is refused; the interceptor chain never lets one
// through, so this is a second line.
func caller(ctx context.Context) (domain.Actor, string, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return domain.Actor{}, "", err
	}
	return domain.Actor{ID: p.Subject, Roles: p.Roles}, p.CompanyID, nil
}
