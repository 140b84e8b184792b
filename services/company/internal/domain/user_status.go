package domain

import (
	"time"

	"github.com/ariesone/ariesone/platform/errs"
)

// UserStatus says whether a user may sign in.
type UserStatus string

// User statuses.
const (
	// UserActive may sign in.
	UserActive UserStatus = "active"
	// UserDeactivated may not sign in until reactivated.
	UserDeactivated UserStatus = "deactivated"
	// UserLocked is locked out for a while after repeated failed sign-ins;
	// the authentication code sets and lifts it.
	UserLocked UserStatus = "locked"
)

// UserAction is an administrative change of a user's status.
type UserAction string

// User actions.
const (
	DeactivateUser UserAction = "deactivate"
	ReactivateUser UserAction = "reactivate"
)

// Reasons of user status errors.
const (
	// ReasonUserTransition: the action is not allowed from the user's
	// current status (deactivating a deactivated user, for example).
	ReasonUserTransition = "USER_STATUS_TRANSITION_NOT_ALLOWED"
	// ReasonSelfDeactivation: users cannot deactivate themselves.
	ReasonSelfDeactivation = "SELF_DEACTIVATION"
)

// UserTransitions is the user status state machine: for each status, the
// actions allowed from it and the status each leads to. Anything missing is
// refused. Reactivating a locked user is an administrator's unlock.
var UserTransitions = map[UserStatus]map[UserAction]UserStatus{
	UserActive:      {DeactivateUser: UserDeactivated},
	UserLocked:      {DeactivateUser: UserDeactivated, ReactivateUser: UserActive},
	UserDeactivated: {ReactivateUser: UserActive},
}

// transition moves the user by action, or refuses a move the table lacks.
func (u *User) transition(action UserAction, now time.Time) error {
	to, ok := UserTransitions[u.Status][action]
	if !ok {
		e := errs.FailedPrecondition(ReasonUserTransition, "cannot "+string(action)+" a user who is "+string(u.Status))
		return e.With("status", string(u.Status))
	}
	u.Status = to
	u.UpdateTime = now
	return nil
}

// Deactivate stops the user from signing in, for actor at now. Users cannot
// deactivate themselves; only an owner may deactivate an owner; the last
// active owner cannot be deactivated (activeOwners counts the company's
// active owners, this user included).
func (u *User) Deactivate(actor Actor, activeOwners int, now time.Time) error {
	if actor.ID == u.ID {
		return errs.FailedPrecondition(ReasonSelfDeactivation, "users cannot deactivate themselves")
	}
	if err := requireOwnerFor(actor, u); err != nil {
		return err
	}
	if u.IsActiveOwner() && activeOwners <= 1 {
		return lastOwner("deactivate")
	}
	return u.transition(DeactivateUser, now)
}

// Reactivate lets a deactivated or locked user sign in again, for actor at
// now. Only an owner may reactivate an owner.
func (u *User) Reactivate(actor Actor, now time.Time) error {
	if err := requireOwnerFor(actor, u); err != nil {
		return err
	}
	return u.transition(ReactivateUser, now)
}
