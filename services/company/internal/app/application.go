package app

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/gate"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Application is the company service's whole use-case surface, one group
// of commands and queries per resource: every one the API (and the
// operator commands) can run.
type Application struct {
	Companies   Companies
	Locations   Locations
	Users       Users
	Auth        Auth
	APIKeys     APIKeys
	SigningKeys SigningKeys
	Passwords   Passwords
}

// Repository is everything the use cases store and read; the service's
// store implements all of it on one schema.
type Repository interface {
	CompanyRepository
	LocationRepository
	UserRepository
	AuthRepository
	APIKeyRepository
	SigningKeyRepository
	PasswordRepository
}

// Keyring seals secrets at rest and computes keyed digests; the service's
// AES-GCM key ring implements it.
type Keyring interface {
	domain.Sealer
	BlindIndex(purpose, normalized string) []byte
}

// Deps are what the company use cases are built from.
type Deps struct {
	Store   Repository
	Keyring Keyring
	// Pages seals the page tokens of ListLocations, ListUsers and
	// ListApiKeys.
	Pages *page.Sealer
	// Tokens signs the access tokens sign-in, refresh and API-key exchange
	// return.
	Tokens AccessTokenIssuer
	// AuthPolicy is the lifetimes and limits of sign-in, sessions and
	// tokens.
	AuthPolicy AuthPolicy
	// KeyGenerator makes the key pairs signing-key rotation adds.
	KeyGenerator SigningKeyGenerator
	// SigningKeyPolicy says when a signing key is due for rotation and how
	// long a retired one stays published.
	SigningKeyPolicy domain.SigningKeyPolicy
	// PasswordGate bounds how many password hashes (sign-in, a new user's
	// password) run at once; nil means no bound.
	PasswordGate *gate.Gate
	// UnitOfWork makes each command's store calls and its events one
	// transaction.
	UnitOfWork UnitOfWork
	Events     EventRecorder
	// Now is the clock; nil means the system clock. The use cases read it
	// through Stamp, at the precision Postgres stores, so a time written and
	// read back compares equal to the one the code decided with.
	Now usecase.Clock
}

// NewApplication builds the company commands and queries.
func NewApplication(d Deps) *Application {
	if d.Now == nil {
		d.Now = time.Now
	}
	r := &registry{Deps: d}
	return &Application{
		Companies:   Companies{r},
		Locations:   Locations{r},
		Users:       Users{r},
		Auth:        Auth{r},
		APIKeys:     APIKeys{r},
		SigningKeys: SigningKeys{r},
		Passwords:   Passwords{r},
	}
}

// registry is what every company use case shares.
type registry struct {
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
	return actorOf(p), p.CompanyID, nil
}

// actorOf is the actor a principal acts as in the domain's permission
// checks.
func actorOf(p identity.Principal) domain.Actor {
	return domain.Actor{ID: p.Subject, Roles: p.Roles}
}
