package store

import (
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Store is the directory's repository: companies, locations and users in
// the company schema. Every method runs in its own transaction, scoped to
// the tenant of the caller in ctx (or, for the few operator paths, to a
// tenant named explicitly), or joins the unit of work ctx carries
// (postgres.DB.InTx), so a use case's calls and its events commit together.
type Store struct {
	db *postgres.DB
}

// New returns a Store on db, whose pool must log in as the service's
// runtime role (see platform/postgres) and use the company schema.
func New(db *postgres.DB) *Store { return &Store{db: db} }

// Repository is all of the service's persistence on one pool: the
// directory (Store), authentication (Auth) and signing keys (SigningKeys)
// together, which is what the use cases take (app.Repository).
type Repository struct {
	*Store
	*Auth
	*SigningKeys
}

// NewRepository returns the three stores on db as one.
func NewRepository(db *postgres.DB) Repository {
	return Repository{Store: New(db), Auth: NewAuth(db), SigningKeys: NewSigningKeys(db)}
}

// Idempotency method keys: the names under which creates claim their
// request_id (platform/postgres.Idempotent).
const (
	methodCreateLocation = "CreateLocation"
	methodCreateUser     = "CreateUser"
)

// uniqueKeys maps the unique constraints of the schema to the resource they
// protect, so a collision becomes ALREADY_EXISTS naming it.
var uniqueKeys = map[string]string{
	"companies_code_key":         "company",
	"locations_company_code_key": "location",
	"users_company_email_key":    "user",
}

// classify turns a collision on a unique key into errs.AlreadyExists for
// resource key; other errors pass through.
func classify(err error, key string) error { return postgres.AlreadyExists(err, uniqueKeys, key) }

// nullable sends NULL for a nil byte slice (no value) rather than an
// empty bytea.
func nullable(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// rolesFromColumn converts the roles column to domain roles.
func rolesFromColumn(names []string) []domain.Role {
	out := make([]domain.Role, len(names))
	for i, n := range names {
		out[i] = domain.Role(n)
	}
	return out
}

// notFound reports that resource id is absent for the caller's tenant,
// including when it belongs to another tenant: the two must look the same.
func notFound(resource, id string) error { return errs.NotFound(resource, id) }
