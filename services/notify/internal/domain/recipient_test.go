package domain_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestRecipientApplyIgnoresStaleEvents(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	no, yes := false, true
	tests := []struct {
		name    string
		changes []domain.UserChange
		want    domain.Recipient
	}{
		{name: "created", changes: []domain.UserChange{
			{OccurTime: at(0), SetsRoles: true, Roles: []string{"warehouse", "admin", "warehouse"}, SetsLocations: true, LocationIDs: []string{"l2", "l1"}, Active: &yes},
		}, want: domain.Recipient{Roles: []string{"admin", "warehouse"}, RolesTime: at(0), LocationIDs: []string{"l1", "l2"}, LocationsTime: at(0), Active: true, StatusTime: at(0)}},
		{name: "roles changed after creation", changes: []domain.UserChange{
			{OccurTime: at(0), SetsRoles: true, Roles: []string{"intake"}, Active: &yes},
			{OccurTime: at(5), SetsRoles: true, Roles: []string{"billing"}},
		}, want: domain.Recipient{Roles: []string{"billing"}, RolesTime: at(5), Active: true, StatusTime: at(0)}},
		{name: "older roles change arriving late is ignored", changes: []domain.UserChange{
			{OccurTime: at(5), SetsRoles: true, Roles: []string{"billing"}},
			{OccurTime: at(0), SetsRoles: true, Roles: []string{"intake"}, SetsLocations: true, LocationIDs: []string{"l1"}, Active: &yes},
		}, want: domain.Recipient{Roles: []string{"billing"}, RolesTime: at(5), LocationIDs: []string{"l1"}, LocationsTime: at(0), Active: true, StatusTime: at(0)}},
		{name: "deactivated then an older reactivation", changes: []domain.UserChange{
			{OccurTime: at(9), Active: &no},
			{OccurTime: at(3), Active: &yes},
		}, want: domain.Recipient{Active: false, StatusTime: at(9)}},
		{name: "reactivated after deactivation", changes: []domain.UserChange{
			{OccurTime: at(3), Active: &no},
			{OccurTime: at(9), Active: &yes},
		}, want: domain.Recipient{Active: true, StatusTime: at(9)}},
		{name: "locations cleared means everywhere", changes: []domain.UserChange{
			{OccurTime: at(1), SetsLocations: true, LocationIDs: []string{"l1"}},
			{OccurTime: at(2), SetsLocations: true},
		}, want: domain.Recipient{LocationsTime: at(2), Active: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := domain.NewRecipient("", "")
			for _, c := range tt.changes {
				r.Apply(c)
			}
			if diff := cmp.Diff(tt.want, *r); diff != "" {
				t.Errorf("recipient (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecipientApplyReportsChange(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := domain.NewRecipient("c", "u")
	c := domain.UserChange{OccurTime: t0, SetsRoles: true, Roles: []string{"admin"}}
	if !r.Apply(c) {
		t.Error("first change reported no change")
	}
	if r.Apply(c) {
		t.Error("the same change again reported a change")
	}
	if r.Apply(domain.UserChange{OccurTime: t0.Add(-time.Hour), SetsRoles: true, Roles: []string{"owner"}}) {
		t.Error("a stale change reported a change")
	}
}
