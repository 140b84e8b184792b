package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

// Idempotency method keys: the names under which creates claim their
// request_id (platform/postgres.Idempotent).
const (
	methodCreateLocation = "CreateLocation"
	methodCreateUser     = "CreateUser"
)

// SQLSTATE codes the store turns into domain errors.
const (
	codeUniqueViolation = "23505"
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
func classify(err error, key string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation {
		if resource, ok := uniqueKeys[pgErr.ConstraintName]; ok {
			return errs.AlreadyExists(resource, key)
		}
	}
	return err
}

// createOnce runs a create under an AIP-155 idempotency key inside tx: a
// repeated request (same key, same hash) returns the id created the first
// time with replayed true and runs nothing; a new one runs create, which
// returns the new resource's id, and records it as the key's response. An
// empty requestID means no idempotency was asked for.
func createOnce(ctx context.Context, tx pgx.Tx, method, requestID string, requestHash []byte, create func() (string, error)) (id string, replayed bool, err error) {
	stored, found, err := postgres.Idempotent(ctx, tx, method, requestID, requestHash)
	if err != nil {
		return "", false, err
	}
	if found {
		return string(stored), true, nil
	}
	id, err = create()
	if err != nil {
		return "", false, err
	}
	if err := postgres.SaveResponse(ctx, tx, method, requestID, []byte(id)); err != nil {
		return "", false, err
	}
	return id, false, nil
}

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

// wrap adds the operation to an unexpected database error, for the log.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
