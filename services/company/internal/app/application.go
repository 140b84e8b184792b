package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/page"
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
	// UnitOfWork makes each command's store calls and its events one
	// transaction.
	UnitOfWork UnitOfWork
	Events     EventRecorder
	// Now is the clock; nil means the system clock.
	Now func() time.Time
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

// now returns the clock's time at the database's precision (microseconds),
// so what a command returns equals what a later read returns.
func (d *directory) now() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }

// caller returns the authenticated actor and its company (the tenant). A
// request without one is refused; the interceptor chain never lets one
// through, so this is a second line.
func caller(ctx context.Context) (domain.Actor, string, error) {
	p, ok := identity.FromContext(ctx)
	if !ok || p.CompanyID == "" {
		return domain.Actor{}, "", errs.Unauthenticated("missing credentials")
	}
	return domain.Actor{ID: p.Subject, Roles: p.Roles}, p.CompanyID, nil
}

// newID returns a UUIDv7: time-ordered, so new rows land at the end of
// the primary key's index.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// checkID refuses an id that is not a UUID in canonical form, as a
// violation of field; a malformed id names no resource.
func checkID(field, id string) error {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "must be a UUID"})
	}
	return nil
}

// requestHash is the AIP-155 fingerprint of a create request (without its
// request_id): a keyed digest, so a fingerprint that covers a password
// reveals nothing about it to whoever reads the idempotency table.
func (d *directory) requestHash(method string, request any) ([]byte, error) {
	b, err := json.Marshal(request)
	if err != nil {
		return nil, fmt.Errorf("hashing %s request: %w", method, err)
	}
	return d.Keyring.BlindIndex("company.idempotency."+method, string(b)), nil
}

// underField re-roots the field violations of an invalid-argument error
// under prefix, the request field that carried the checked value
// ("location" turns "address.state" into "location.address.state"). Other
// errors pass through unchanged.
func underField(prefix string, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid || prefix == "" {
		return err
	}
	c := *e
	c.Fields = make([]errs.FieldViolation, len(e.Fields))
	for i, f := range e.Fields {
		c.Fields[i] = errs.FieldViolation{Field: joinField(prefix, f.Field), Description: f.Description}
	}
	return &c
}

func joinField(prefix, field string) string {
	switch {
	case field == "":
		return prefix
	case strings.HasPrefix(field, "["):
		return prefix + field
	default:
		return prefix + "." + field
	}
}

// invalidFields collects the violations of several checks into one error,
// each under its request field, so a client learns every problem at once.
// A check that failed for another reason than invalid input is returned
// as is.
func invalidFields(checks ...fieldCheck) error {
	var v errs.Violations
	for _, c := range checks {
		if c.err == nil {
			continue
		}
		if errs.KindOf(c.err) != errs.KindInvalid {
			return c.err
		}
		v.Merge(c.field, c.err)
	}
	return v.Err()
}

type fieldCheck struct {
	field string
	err   error
}

// keysetPage runs one AIP-158 page of a listing ordered by a single unique
// key. It checks the page size, decodes the token (bound to scope: the
// method, the tenant and the filter), fetches one item more than the page
// to learn whether another follows, and makes the next token from the key
// of the page's last item. validKey, when set, refuses a decoded key that
// could not have come from key (a crafted token).
func keysetPage[T any](pageSize int32, token string, scope []string, validKey func(string) bool,
	fetch func(after string, limit int) ([]T, error), key func(T) string) (items []T, next string, err error) {
	size, err := page.Size(pageSize)
	if err != nil {
		return nil, "", err
	}
	keys, err := page.Decode(token, scope...)
	if err != nil {
		return nil, "", err
	}
	after := ""
	if keys != nil {
		if len(keys) != 1 || keys[0] == "" || (validKey != nil && !validKey(keys[0])) {
			return nil, "", page.InvalidToken("is not a page token returned by this API")
		}
		after = keys[0]
	}
	items, err = fetch(after, size+1)
	if err != nil || len(items) <= size {
		return items, "", err
	}
	items = items[:size]
	next, err = page.Encode([]string{key(items[size-1])}, scope...)
	return items, next, err
}
