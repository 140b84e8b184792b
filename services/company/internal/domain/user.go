package domain

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
)

// User is a person who signs in to one company. The sign-in state
// (password hash, failed attempts, lockout) is kept by the authentication
// code and is not part of this type, so directory code can never leak or
// overwrite it.
type User struct {
	ID        string
	CompanyID string
	// Email is the sign-in name, unique within the company compared
	// case-insensitively; kept as the user typed it.
	Email      string
	GivenName  string
	FamilyName string
	// Roles are in the canonical order of Roles; never empty.
	Roles []Role
	// AllowedLocationIDs narrow where the user works; empty means every
	// location.
	AllowedLocationIDs []string
	Status             UserStatus
	LastLoginTime      *time.Time
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// HasRole reports whether the user holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// IsActiveOwner reports whether the user counts towards the company's
// active owners.
func (u *User) IsActiveOwner() bool { return u.Status == UserActive && u.HasRole(RoleOwner) }

// Roster answers what the user rules need to know about the rest of the
// company. The store answers inside the transaction that makes the change,
// after locking the company's user changes, so the answer cannot go stale
// before the change commits.
type Roster interface {
	// ActiveOwners counts the company's active users holding the owner role.
	ActiveOwners(ctx context.Context) (int, error)
	// UnknownLocations returns those of ids that are not locations of the
	// company in use (missing, another company's, or deleted).
	UnknownLocations(ctx context.Context, ids []string) ([]string, error)
}

// UserField names a writable profile field of a user by its API name.
// Email is immutable; roles and status change through their own commands.
type UserField string

// The writable profile fields of a user.
const (
	UserGivenName          UserField = "given_name"
	UserFamilyName         UserField = "family_name"
	UserAllowedLocationIDs UserField = "allowed_location_ids"
)

// UserFields lists every writable profile field, in API order.
var UserFields = []UserField{UserGivenName, UserFamilyName, UserAllowedLocationIDs}

// UserProfile holds the values a client sends for a user.
type UserProfile struct {
	// Email is read only when the user is created.
	Email              string
	GivenName          string
	FamilyName         string
	AllowedLocationIDs []string
}

// User field limits, matching the API's.
const (
	maxPersonName       = 100
	maxAllowedLocations = 100
)

// NewUser returns an active user of company with roles (already checked
// with ParseRoles) created at now. Violations name fields relative to the
// user ("email", "allowedLocationIds[1]").
func NewUser(id, companyID string, profile UserProfile, roles []Role, now time.Time) (*User, error) {
	var v errs.Violations
	email, err := contact.NormalizeEmail(profile.Email)
	v.Merge("email", err)
	u := &User{
		ID:         id,
		CompanyID:  companyID,
		Email:      email,
		Roles:      slices.Clone(roles),
		Status:     UserActive,
		Version:    1,
		CreateTime: now,
		UpdateTime: now,
	}
	v.Merge("", u.apply(UserFields, profile))
	if len(roles) == 0 {
		v.Add("roles", "at least one role is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateProfile writes the named profile fields at now, for actor. Only an
// owner may change an owner.
func (u *User) UpdateProfile(actor Actor, fields []UserField, profile UserProfile, now time.Time) error {
	if err := requireOwnerFor(actor, u); err != nil {
		return err
	}
	if err := u.apply(fields, profile); err != nil {
		return err
	}
	u.UpdateTime = now
	return nil
}

// apply checks and writes the named profile fields, all or none.
func (u *User) apply(fields []UserField, p UserProfile) error {
	var v errs.Violations
	next := *u
	for _, f := range fields {
		switch f {
		case UserGivenName:
			next.GivenName = strings.TrimSpace(p.GivenName)
			v.CheckText("givenName", next.GivenName, true, maxPersonName)
		case UserFamilyName:
			next.FamilyName = strings.TrimSpace(p.FamilyName)
			v.CheckText("familyName", next.FamilyName, true, maxPersonName)
		case UserAllowedLocationIDs:
			next.AllowedLocationIDs = normalizeLocationIDs(&v, p.AllowedLocationIDs)
		default:
			v.Addf(string(f), "is not a writable field of a user")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	*u = next
	return nil
}

// normalizeLocationIDs checks a list of location ids: UUIDs, none twice,
// at most maxAllowedLocations. Ids come back in canonical (lower-case) form.
func normalizeLocationIDs(v *errs.Violations, ids []string) []string {
	if len(ids) > maxAllowedLocations {
		v.Addf("allowedLocationIds", "must list at most %d locations", maxAllowedLocations)
		return nil
	}
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for i, raw := range ids {
		field := fmt.Sprintf("allowedLocationIds[%d]", i)
		id, err := uuid.Parse(strings.TrimSpace(raw))
		switch {
		case err != nil || len(strings.TrimSpace(raw)) != 36:
			v.Add(field, "must be a location id (UUID)")
		case seen[id.String()]:
			v.Add(field, "is listed twice")
		default:
			seen[id.String()] = true
			out = append(out, id.String())
		}
	}
	return out
}

// CheckLocations verifies, through the roster, that every allowed location
// of u is a location of the company in use. Violations name
// "allowedLocationIds[i]" relative to the user.
func (u *User) CheckLocations(ctx context.Context, r Roster) error {
	if len(u.AllowedLocationIDs) == 0 {
		return nil
	}
	unknown, err := r.UnknownLocations(ctx, u.AllowedLocationIDs)
	if err != nil {
		return err
	}
	var v errs.Violations
	for i, id := range u.AllowedLocationIDs {
		if slices.Contains(unknown, id) {
			v.Add(fmt.Sprintf("allowedLocationIds[%d]", i), "is not a location of this company in use")
		}
	}
	return v.Err()
}

// SetRoles replaces the user's roles (already checked with ParseRoles) for
// actor at now. Only an owner may grant or remove owner, or change an
// owner's roles at all; the company must keep an active owner, so the last
// one cannot be demoted (activeOwners counts the company's active owners,
// this user included).
func (u *User) SetRoles(actor Actor, roles []Role, activeOwners int, now time.Time) error {
	if err := requireOwnerFor(actor, u); err != nil {
		return err
	}
	if err := CheckGrant(actor, roles); err != nil {
		return err
	}
	if u.IsActiveOwner() && !slices.Contains(roles, RoleOwner) && activeOwners <= 1 {
		return lastOwner("remove the owner role from")
	}
	u.Roles = slices.Clone(roles)
	u.UpdateTime = now
	return nil
}

func lastOwner(action string) error {
	return errs.FailedPrecondition(ReasonLastOwner,
		"cannot "+action+" the company's last active owner; make another user an owner first")
}
