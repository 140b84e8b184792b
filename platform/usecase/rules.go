package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/page"
)

// Caller returns the authenticated principal of ctx, which names the
// tenant (CompanyID) every command and query is scoped to. A request
// without one is refused; the interceptor chain never lets one through, so
// this is a second line.
func Caller(ctx context.Context) (identity.Principal, error) {
	p, ok := identity.FromContext(ctx)
	if !ok || p.CompanyID == "" {
		return identity.Principal{}, errs.Unauthenticated("missing credentials")
	}
	return p, nil
}

// NewID returns a UUIDv7: time-ordered, so new rows land at the end of
// the primary key's index.
func NewID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// IsID reports whether s is a UUID in canonical form (36 characters), the
// only form of a resource id; a page cursor's id key is checked with it.
func IsID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// CheckID refuses an id that is not a UUID in canonical form, as a
// violation of field; a malformed id names no resource.
func CheckID(field, id string) error {
	if !IsID(id) {
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "must be a UUID"})
	}
	return nil
}

// UnderField re-roots the field violations of an invalid-argument error
// under prefix, the request field that carried the checked value
// ("location" turns "address.state" into "location.address.state"). Other
// errors pass through unchanged.
func UnderField(prefix string, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid || prefix == "" {
		return err
	}
	c := *e
	c.Fields = make([]errs.FieldViolation, len(e.Fields))
	for i, f := range e.Fields {
		c.Fields[i] = errs.FieldViolation{Field: JoinField(prefix, f.Field), Description: f.Description}
	}
	return &c
}

// JoinField appends a field path (or an index, "[2]") to prefix.
func JoinField(prefix, field string) string {
	switch {
	case field == "":
		return prefix
	case strings.HasPrefix(field, "["):
		return prefix + field
	default:
		return prefix + "." + field
	}
}

// FieldCheck is the outcome of checking one request field.
type FieldCheck struct {
	Field string
	Err   error
}

// InvalidFields collects the violations of several checks into one error,
// each under its request field, so a client learns every problem at once.
// A check that failed for another reason than invalid input is returned
// as is.
func InvalidFields(checks ...FieldCheck) error {
	var v errs.Violations
	for _, c := range checks {
		if c.Err == nil {
			continue
		}
		if errs.KindOf(c.Err) != errs.KindInvalid {
			return c.Err
		}
		v.Merge(c.Field, c.Err)
	}
	return v.Err()
}

// KeysetPage runs one AIP-158 page of a listing ordered by a single unique
// key. It checks the page size, opens the token with tokens (bound to
// scope: the method, the tenant and the filter), fetches one item more than
// the page to learn whether another follows, and seals the next token from
// the key of the page's last item. validKey, when set, refuses an opened
// key that could not have come from key.
func KeysetPage[T any](tokens *page.Sealer, pageSize int32, token string, scope []string, validKey func(string) bool,
	fetch func(after string, limit int) ([]T, error), key func(T) string) (items []T, next string, err error) {
	var valid func([]string) bool
	if validKey != nil {
		valid = func(keys []string) bool { return validKey(keys[0]) }
	}
	return CompositeKeysetPage(tokens, pageSize, token, scope, 1, valid,
		func(after []string, limit int) ([]T, error) {
			if after == nil {
				return fetch("", limit)
			}
			return fetch(after[0], limit)
		},
		func(item T) []string { return []string{key(item)} })
}

// CompositeKeysetPage is KeysetPage for a listing ordered by width keys
// (a name, then the id that breaks ties): fetch gets the keys of the last
// item of the previous page, or nil for the first page. A token whose keys
// are not width non-empty strings that validKeys accepts is refused. The
// sealer is a parameter, not package state, so every service's listings
// seal with the key ring it was built with.
func CompositeKeysetPage[T any](tokens *page.Sealer, pageSize int32, token string, scope []string, width int, validKeys func([]string) bool,
	fetch func(after []string, limit int) ([]T, error), keys func(T) []string) (items []T, next string, err error) {
	size, err := page.Size(pageSize)
	if err != nil {
		return nil, "", err
	}
	after, err := tokens.Open(token, scope...)
	if err != nil {
		return nil, "", err
	}
	if after != nil && (len(after) != width || slices.Contains(after, "") || (validKeys != nil && !validKeys(after))) {
		return nil, "", page.InvalidToken("is not a page token returned by this API")
	}
	items, err = fetch(after, size+1)
	if err != nil || len(items) <= size {
		return items, "", err
	}
	items = items[:size]
	next, err = tokens.Seal(keys(items[size-1]), scope...)
	return items, next, err
}

// Get runs a read of one resource by id for an authenticated caller; an
// id that is not a UUID is a violation of field.
func Get[T any](ctx context.Context, field, id string, read func(ctx context.Context, id string) (T, error)) (T, error) {
	var zero T
	if _, err := Caller(ctx); err != nil {
		return zero, err
	}
	if err := CheckID(field, id); err != nil {
		return zero, err
	}
	return read(ctx, id)
}

// Page is one page of a listing and the token of the next page ("" on the
// last).
type Page[T any] struct {
	Items         []T
	NextPageToken string
}
