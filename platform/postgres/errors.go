package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ariesone/ariesone/platform/errs"
)

// codeUniqueViolation is the SQLSTATE of a unique constraint violation.
const codeUniqueViolation = "23505"

// codeInsufficientPrivilege is the SQLSTATE of, among others, a row that a
// policy's WITH CHECK refuses.
const codeInsufficientPrivilege = "42501"

// outsideScope reports whether err is a write refused by a row-level
// security policy's WITH CHECK.
func outsideScope(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeInsufficientPrivilege &&
		strings.Contains(pgErr.Message, "row-level security")
}

// errOutsideScope is what a location-scoped caller gets for writing a row
// into a location that is not theirs (a patient into another branch):
// NOT_FOUND, as reading that location's rows would be, never
// PERMISSION_DENIED, which would confirm that the location exists.
func errOutsideScope(cause error) error {
	return &errs.Error{
		Kind:     errs.KindNotFound,
		Reason:   "NOT_FOUND",
		Message:  "location not found among the caller's locations",
		Metadata: map[string]string{"resource": "location"},
		Cause:    cause,
	}
}

// UniqueViolation returns the constraint a unique violation hit, or false
// when err is not one. Stores map constraint names to the resource they
// protect, so a collision becomes ALREADY_EXISTS naming it.
func UniqueViolation(err error) (constraint string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation {
		return pgErr.ConstraintName, true
	}
	return "", false
}

// AlreadyExists turns a unique violation of one of the constraints in
// keys (constraint name → resource) into errs.AlreadyExists for resource
// key; other errors pass through.
func AlreadyExists(err error, keys map[string]string, key string) error {
	if constraint, ok := UniqueViolation(err); ok {
		if resource, ok := keys[constraint]; ok {
			return errs.AlreadyExists(resource, key)
		}
	}
	return err
}

// Wrap names the store operation op in an unexpected database error, for
// the log; classified errors (platform/errs) pass through unchanged, since
// their message is the client's.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
