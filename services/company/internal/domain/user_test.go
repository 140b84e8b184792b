package domain

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

const (
	loc1 = "0195f3a2-0000-7000-8000-000000000001"
	loc2 = "0195f3a2-0000-7000-8000-000000000002"
)

func TestNewUser(t *testing.T) {
	valid := UserProfile{Email: " Ana.Lopez@Example.com ", GivenName: " Ana ", FamilyName: "López", AllowedLocationIDs: []string{strings.ToUpper(loc1)}}
	tests := []struct {
		name       string
		profile    UserProfile
		roles      []Role
		wantFields []string
	}{
		{name: "valid", profile: valid, roles: []Role{RoleIntake}},
		{name: "no roles", profile: valid, wantFields: []string{"roles"}},
		{name: "everything wrong", profile: UserProfile{Email: "Ana <ana@example.com>", GivenName: " ", FamilyName: strings.Repeat("x", 101), AllowedLocationIDs: []string{"nope", loc1, loc1}}, roles: []Role{RoleAdmin},
			wantFields: []string{"email", "givenName", "familyName", "allowedLocationIds[0]", "allowedLocationIds[2]"}},
		{name: "email without a dot in the domain", profile: UserProfile{Email: "ana@localhost", GivenName: "A", FamilyName: "L"}, roles: []Role{RoleAdmin}, wantFields: []string{"email"}},
		{name: "too many locations", profile: UserProfile{Email: "a@b.co", GivenName: "A", FamilyName: "L", AllowedLocationIDs: make([]string, 101)}, roles: []Role{RoleAdmin}, wantFields: []string{"allowedLocationIds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := NewUser("u1", "c1", tt.profile, tt.roles, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			want := &User{ID: "u1", CompanyID: "c1", Email: "Ana.Lopez@Example.com", GivenName: "Ana", FamilyName: "López",
				Roles: []Role{RoleIntake}, AllowedLocationIDs: []string{loc1}, Status: UserActive, Version: 1, CreateTime: now, UpdateTime: now}
			if diff := cmp.Diff(want, u); diff != "" {
				t.Errorf("user (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateProfile(t *testing.T) {
	owner := Actor{ID: "o", Roles: []string{"owner"}}
	admin := Actor{ID: "a", Roles: []string{"admin"}}
	tests := []struct {
		name   string
		actor  Actor
		target User
		fields []UserField
		values UserProfile
		ok     bool
		kind   errs.Kind
	}{
		{name: "admin renames an intake user", actor: admin, target: user(UserActive, RoleIntake), fields: []UserField{UserGivenName}, values: UserProfile{GivenName: "New"}, ok: true},
		{name: "admin renames an owner", actor: admin, target: user(UserActive, RoleOwner), fields: []UserField{UserGivenName}, values: UserProfile{GivenName: "New"}, kind: errs.KindPermissionDenied},
		{name: "owner renames an owner", actor: owner, target: user(UserActive, RoleOwner), fields: []UserField{UserGivenName}, values: UserProfile{GivenName: "New"}, ok: true},
		{name: "blank name", actor: admin, target: user(UserActive, RoleIntake), fields: []UserField{UserFamilyName}, values: UserProfile{FamilyName: ""}, kind: errs.KindInvalid},
		{name: "email is not writable", actor: admin, target: user(UserActive, RoleIntake), fields: []UserField{"email"}, values: UserProfile{Email: "x@y.z"}, kind: errs.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.target
			err := u.UpdateProfile(tt.actor, tt.fields, tt.values, now)
			errstest.Check(t, err, tt.ok, tt.kind, "")
			if tt.ok && u.GivenName != "New" {
				t.Errorf("given name = %q, want New", u.GivenName)
			}
			if !tt.ok && u.GivenName != "T" {
				t.Errorf("a refused update changed the user: given name %q", u.GivenName)
			}
		})
	}
}

func TestDeactivateAndReactivate(t *testing.T) {
	owner := Actor{ID: "o", Roles: []string{"owner"}}
	admin := Actor{ID: "a", Roles: []string{"admin"}}
	self := Actor{ID: "target", Roles: []string{"owner"}}
	tests := []struct {
		name         string
		action       UserAction
		actor        Actor
		target       User
		activeOwners int
		want         UserStatus
		kind         errs.Kind
		reason       string
	}{
		{name: "admin deactivates intake", action: DeactivateUser, actor: admin, target: user(UserActive, RoleIntake), want: UserDeactivated},
		{name: "deactivate a locked user", action: DeactivateUser, actor: admin, target: user(UserLocked, RoleIntake), want: UserDeactivated},
		{name: "deactivate twice", action: DeactivateUser, actor: admin, target: user(UserDeactivated, RoleIntake), kind: errs.KindFailedPrecondition, reason: ReasonUserTransition},
		{name: "self", action: DeactivateUser, actor: self, target: user(UserActive, RoleOwner), activeOwners: 3, kind: errs.KindFailedPrecondition, reason: ReasonSelfDeactivation},
		{name: "admin deactivates owner", action: DeactivateUser, actor: admin, target: user(UserActive, RoleOwner), activeOwners: 2, kind: errs.KindPermissionDenied, reason: ReasonOwnerRequired},
		{name: "owner deactivates one of two owners", action: DeactivateUser, actor: owner, target: user(UserActive, RoleOwner), activeOwners: 2, want: UserDeactivated},
		{name: "owner deactivates the last owner", action: DeactivateUser, actor: owner, target: user(UserActive, RoleOwner), activeOwners: 1, kind: errs.KindFailedPrecondition, reason: ReasonLastOwner},
		{name: "reactivate deactivated", action: ReactivateUser, actor: admin, target: user(UserDeactivated, RoleIntake), want: UserActive},
		{name: "reactivate unlocks", action: ReactivateUser, actor: admin, target: user(UserLocked, RoleIntake), want: UserActive},
		{name: "reactivate active", action: ReactivateUser, actor: admin, target: user(UserActive, RoleIntake), kind: errs.KindFailedPrecondition, reason: ReasonUserTransition},
		{name: "admin reactivates owner", action: ReactivateUser, actor: admin, target: user(UserDeactivated, RoleOwner), kind: errs.KindPermissionDenied, reason: ReasonOwnerRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.target
			before := u.Status
			var err error
			switch tt.action {
			case DeactivateUser:
				err = u.Deactivate(tt.actor, tt.activeOwners, now)
			case ReactivateUser:
				err = u.Reactivate(tt.actor, now)
			}
			errstest.Check(t, err, tt.want != "", tt.kind, tt.reason)
			want := tt.want
			if want == "" {
				want = before
			}
			if u.Status != want {
				t.Errorf("status = %s, want %s", u.Status, want)
			}
		})
	}
}

// TestUserTransitionsAreComplete reads the state machine table: every
// status has an entry, and every move leads to a known status.
func TestUserTransitionsAreComplete(t *testing.T) {
	statuses := []UserStatus{UserActive, UserDeactivated, UserLocked}
	for _, s := range statuses {
		moves, ok := UserTransitions[s]
		if !ok {
			t.Errorf("status %s has no row", s)
		}
		for action, to := range moves {
			if _, ok := UserTransitions[to]; !ok {
				t.Errorf("%s --%s--> %s leads to a status without a row", s, action, to)
			}
		}
	}
}

type fakeRoster struct{ known map[string]bool }

func (f fakeRoster) ActiveOwners(context.Context) (int, error) { return 1, nil }
func (f fakeRoster) UnknownLocations(_ context.Context, ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		if !f.known[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

func TestCheckLocations(t *testing.T) {
	r := fakeRoster{known: map[string]bool{loc1: true}}
	u := user(UserActive, RoleIntake)
	if err := u.CheckLocations(context.Background(), r); err != nil {
		t.Errorf("no locations: %v", err)
	}
	u.AllowedLocationIDs = []string{loc1, loc2}
	if diff := cmp.Diff([]string{"allowedLocationIds[1]"}, errstest.Fields(t, u.CheckLocations(context.Background(), r))); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}
