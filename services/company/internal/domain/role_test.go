package domain

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

var now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func TestRolesMatchThePlatformRoleTable(t *testing.T) {
	var platform []string
	for r := range auth.RolePermissions {
		platform = append(platform, r)
	}
	sort.Strings(platform)
	mine := RoleNames(Roles)
	sort.Strings(mine)
	if diff := cmp.Diff(platform, mine); diff != "" {
		t.Errorf("domain roles differ from auth.RolePermissions (-platform +domain):\n%s", diff)
	}
}

func TestParseRoles(t *testing.T) {
	tests := []struct {
		name       string
		in         []string
		want       []Role
		wantFields []string
	}{
		{name: "one", in: []string{"intake"}, want: []Role{RoleIntake}},
		{name: "canonical order", in: []string{"partner", "owner", "billing"}, want: []Role{RoleOwner, RoleBilling, RolePartner}},
		{name: "empty", in: nil, wantFields: []string{""}},
		{name: "unknown", in: []string{"admin", "root"}, wantFields: []string{"[1]"}},
		{name: "case matters", in: []string{"Owner"}, wantFields: []string{"[0]"}},
		{name: "duplicate", in: []string{"admin", "intake", "admin"}, wantFields: []string{"[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRoles(tt.in)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckGrant(t *testing.T) {
	owner := Actor{ID: "o", Roles: []string{"owner"}}
	admin := Actor{ID: "a", Roles: []string{"admin"}}
	tests := []struct {
		name  string
		actor Actor
		roles []Role
		want  errs.Kind
		ok    bool
	}{
		{name: "owner grants owner", actor: owner, roles: []Role{RoleOwner}, ok: true},
		{name: "admin grants admin", actor: admin, roles: []Role{RoleAdmin, RoleIntake}, ok: true},
		{name: "admin grants owner", actor: admin, roles: []Role{RoleOwner}, want: errs.KindPermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errstest.Check(t, CheckGrant(tt.actor, tt.roles), tt.ok, tt.want, ReasonOwnerRequired)
		})
	}
}

func TestSetRoles(t *testing.T) {
	owner := Actor{ID: "actor-owner", Roles: []string{"owner"}}
	admin := Actor{ID: "actor-admin", Roles: []string{"admin"}}
	tests := []struct {
		name         string
		actor        Actor
		target       User
		roles        []Role
		activeOwners int
		ok           bool
		kind         errs.Kind
		reason       string
	}{
		{name: "admin changes an intake user", actor: admin, target: user(UserActive, RoleIntake), roles: []Role{RoleBilling}, activeOwners: 1, ok: true},
		{name: "admin grants owner", actor: admin, target: user(UserActive, RoleIntake), roles: []Role{RoleOwner}, activeOwners: 1, kind: errs.KindPermissionDenied, reason: ReasonOwnerRequired},
		{name: "admin removes owner", actor: admin, target: user(UserActive, RoleOwner), roles: []Role{RoleAdmin}, activeOwners: 2, kind: errs.KindPermissionDenied, reason: ReasonOwnerRequired},
		{name: "admin edits an owner's other roles", actor: admin, target: user(UserActive, RoleOwner), roles: []Role{RoleOwner, RoleBilling}, activeOwners: 2, kind: errs.KindPermissionDenied, reason: ReasonOwnerRequired},
		{name: "owner grants owner", actor: owner, target: user(UserActive, RoleAdmin), roles: []Role{RoleOwner}, activeOwners: 1, ok: true},
		{name: "owner demotes one of two owners", actor: owner, target: user(UserActive, RoleOwner), roles: []Role{RoleAdmin}, activeOwners: 2, ok: true},
		{name: "owner demotes the last owner", actor: owner, target: user(UserActive, RoleOwner), roles: []Role{RoleAdmin}, activeOwners: 1, kind: errs.KindFailedPrecondition, reason: ReasonLastOwner},
		{name: "demoting a deactivated owner is fine", actor: owner, target: user(UserDeactivated, RoleOwner), roles: []Role{RoleAdmin}, activeOwners: 1, ok: true},
		{name: "last owner keeps owner", actor: owner, target: user(UserActive, RoleOwner), roles: []Role{RoleOwner, RoleAdmin}, activeOwners: 1, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.target
			before := slices.Clone(u.Roles)
			err := u.SetRoles(tt.actor, tt.roles, tt.activeOwners, now)
			errstest.Check(t, err, tt.ok, tt.kind, tt.reason)
			want := tt.roles
			if !tt.ok {
				want = before
			}
			if diff := cmp.Diff(want, u.Roles); diff != "" {
				t.Errorf("roles after (-want +got):\n%s", diff)
			}
		})
	}
}

func user(status UserStatus, roles ...Role) User {
	return User{ID: "target", CompanyID: "c", Email: "t@example.com", GivenName: "T", FamilyName: "U", Roles: roles, Status: status, Version: 1}
}
