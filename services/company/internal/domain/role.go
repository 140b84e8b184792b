package domain

import (
	"fmt"
	"slices"

	"github.com/ariesone/ariesone/platform/errs"
)

// Role is a named set of permissions a user holds within a company. The
// names are the ones access tokens carry and the platform's role table maps
// to permissions; a test keeps the two lists equal.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner      Role = "owner"
	RoleAdmin      Role = "admin"
	RoleIntake     Role = "intake"
	RoleBilling    Role = "billing"
	RoleWarehouse  Role = "warehouse"
	RoleTechnician Role = "technician"
	RoleAuditor    Role = "auditor"
	RolePartner    Role = "partner"
)

// Roles lists every role in a fixed order: the order stored and returned.
var Roles = []Role{RoleOwner, RoleAdmin, RoleIntake, RoleBilling, RoleWarehouse, RoleTechnician, RoleAuditor, RolePartner}

// Reasons of the role and user rules' errors, which clients may branch on.
const (
	// ReasonOwnerRequired: only an owner may grant or remove the owner role,
	// or change, deactivate or reactivate a user who is an owner.
	ReasonOwnerRequired = "OWNER_REQUIRED"
	// ReasonLastOwner: the change would leave the company without an
	// active owner.
	ReasonLastOwner = "LAST_OWNER"
)

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ParseRoles checks a set of roles a request asks for: at least one, each
// known, none twice. It returns them in the canonical order of Roles.
// Violations name the roles by index ("[2]"), relative to the field that
// carried them.
func ParseRoles(names []string) ([]Role, error) {
	var v errs.Violations
	if len(names) == 0 {
		v.Add("", "at least one role is required")
	}
	seen := map[Role]bool{}
	for i, n := range names {
		r := Role(n)
		switch {
		case !r.Valid():
			v.Addf(fmt.Sprintf("[%d]", i), "%q is not a role", n)
		case seen[r]:
			v.Addf(fmt.Sprintf("[%d]", i), "role %s is listed twice", n)
		}
		seen[r] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return sortRoles(seen), nil
}

func sortRoles(set map[Role]bool) []Role {
	out := make([]Role, 0, len(set))
	for _, r := range Roles {
		if set[r] {
			out = append(out, r)
		}
	}
	return out
}

// RoleNames returns the roles as the strings tokens and the database carry.
func RoleNames(roles []Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

// Actor is who performs a command: the authenticated caller, by the id and
// roles its token carries.
type Actor struct {
	// ID is the user id, or the API key id for a partner system.
	ID string
	// Roles are the role names in the caller's token.
	Roles []string
}

// IsOwner reports whether the actor acts with the owner role.
func (a Actor) IsOwner() bool { return slices.Contains(a.Roles, string(RoleOwner)) }

// requireOwnerFor refuses a non-owner actor acting on an owner: only owners
// manage owners, so an admin can neither demote, lock out nor edit the
// people above them.
func requireOwnerFor(actor Actor, target *User) error {
	if target.HasRole(RoleOwner) && !actor.IsOwner() {
		return ownerRequired("only an owner may change a user who is an owner")
	}
	return nil
}

// CheckOwnerReset refuses a non-owner resetting an owner's password: taking
// over an owner's account would be a way round requireOwnerFor.
func CheckOwnerReset(actor Actor, targetRoles []Role) error {
	if slices.Contains(targetRoles, RoleOwner) && !actor.IsOwner() {
		return ownerRequired("only an owner may reset the password of an owner")
	}
	return nil
}

// CheckGrant refuses roles an actor may not grant to a new user: only an
// owner may create another owner.
func CheckGrant(actor Actor, roles []Role) error {
	if slices.Contains(roles, RoleOwner) && !actor.IsOwner() {
		return ownerRequired("only an owner may grant the owner role")
	}
	return nil
}

func ownerRequired(message string) error {
	e := errs.PermissionDenied(message)
	e.Reason = ReasonOwnerRequired
	return e
}
