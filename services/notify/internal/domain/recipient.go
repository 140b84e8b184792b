package domain

import (
	"slices"
	"time"
)

// Recipient is notify's read model of one user of a tenant: only what
// deciding who receives a notification needs, fed by the company service's
// user events. Events may arrive out of order and more than once, so each
// aspect remembers the time of the event that last set it, and an older
// event never overwrites a newer one.
type Recipient struct {
	CompanyID string
	UserID    string
	// Roles the user holds (role names, "warehouse").
	Roles     []string
	RolesTime time.Time
	// LocationIDs are the locations the user works at; empty means every
	// location.
	LocationIDs   []string
	LocationsTime time.Time
	// Active is false once the user is deactivated; inactive users receive
	// nothing.
	Active     bool
	StatusTime time.Time
}

// NewRecipient is a user notify has heard nothing about yet: no roles, every
// location, active. Each aspect is filled in by the first event naming it.
func NewRecipient(companyID, userID string) *Recipient {
	return &Recipient{CompanyID: companyID, UserID: userID, Active: true}
}

// UserChange is what one company user event says about a user. SetsRoles,
// SetsLocations and a non-nil Active say which aspects the event speaks about;
// the others stay as they are.
type UserChange struct {
	OccurTime     time.Time
	Roles         []string
	SetsRoles     bool
	LocationIDs   []string
	SetsLocations bool
	Active        *bool
}

// Apply applies c to the aspects it sets that no newer event has set, and
// reports whether anything changed. An event as old as the one that set an
// aspect applies again (a redelivery changes nothing; two events of the same
// instant are taken in arrival order).
func (r *Recipient) Apply(c UserChange) bool {
	changed := false
	if c.SetsRoles && !c.OccurTime.Before(r.RolesTime) {
		roles := sortedSet(c.Roles)
		changed = changed || !slices.Equal(roles, r.Roles) || !c.OccurTime.Equal(r.RolesTime)
		r.Roles, r.RolesTime = roles, c.OccurTime
	}
	if c.SetsLocations && !c.OccurTime.Before(r.LocationsTime) {
		locations := sortedSet(c.LocationIDs)
		changed = changed || !slices.Equal(locations, r.LocationIDs) || !c.OccurTime.Equal(r.LocationsTime)
		r.LocationIDs, r.LocationsTime = locations, c.OccurTime
	}
	if c.Active != nil && !c.OccurTime.Before(r.StatusTime) {
		changed = changed || *c.Active != r.Active || !c.OccurTime.Equal(r.StatusTime)
		r.Active, r.StatusTime = *c.Active, c.OccurTime
	}
	return changed
}

// sortedSet returns the distinct values of s in order, so that equal sets
// compare equal however an event listed them.
func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// WorksAt reports whether the user works at any of locationIDs. A user with
// no allowed locations works everywhere. A user limited to some locations
// works at none of an event that names no location: they hear only about
// their own locations.
func (r *Recipient) WorksAt(locationIDs []string) bool {
	if len(r.LocationIDs) == 0 {
		return true
	}
	for _, l := range locationIDs {
		if slices.Contains(r.LocationIDs, l) {
			return true
		}
	}
	return false
}
