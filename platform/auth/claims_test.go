package auth_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/identity"
)

func TestClaimsPrincipal(t *testing.T) {
	tests := []struct {
		name   string
		claims auth.Claims
		want   identity.Principal
	}{
		{
			name: "user by default",
			claims: auth.Claims{
				RegisteredClaims: jwt.RegisteredClaims{Subject: "u-1", ID: "jti-1",
					IssuedAt: jwt.NewNumericDate(time.Unix(1_800_000_000, 0)), ExpiresAt: jwt.NewNumericDate(time.Unix(1_800_000_900, 0))},
				CompanyID: "c-1",
				Roles:     []string{auth.RoleIntake, auth.RoleBilling},
				SessionID: "s-1",
			},
			want: identity.Principal{Subject: "u-1", CompanyID: "c-1", Roles: []string{"intake", "billing"}, Kind: identity.KindUser, TokenID: "jti-1", SessionID: "s-1",
				IssueTime: time.Unix(1_800_000_000, 0), ExpireTime: time.Unix(1_800_000_900, 0)},
		},
		{
			name:   "api key",
			claims: auth.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "key-1"}, CompanyID: "c-1", Roles: []string{auth.RolePartner}, Kind: "api_key"},
			want:   identity.Principal{Subject: "key-1", CompanyID: "c-1", Roles: []string{"partner"}, Kind: identity.KindAPIKey},
		},
		{
			name:   "service without roles",
			claims: auth.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "orders"}, CompanyID: "c-1", Kind: "service"},
			want:   identity.Principal{Subject: "orders", CompanyID: "c-1", Kind: identity.KindService},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.claims.Principal()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestClaimsPrincipalCopiesRoles(t *testing.T) {
	c := &auth.Claims{CompanyID: "c-1", Roles: []string{auth.RolePartner, auth.RoleAuditor}}
	p := c.Principal()
	p.Roles[0] = auth.RoleOwner
	_ = append(p.Roles[:1], "admin")

	if diff := cmp.Diff([]string{auth.RolePartner, auth.RoleAuditor}, c.Roles); diff != "" {
		t.Errorf("claims roles mutated through the principal (-want +got):\n%s", diff)
	}
}
