package identity_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/identity"
)

type otherKey struct{}

var jane = identity.Principal{
	Subject: "u-1", CompanyID: "c-1", Roles: []string{"intake", "billing"},
	Kind: identity.KindUser, TokenID: "jti-1", SessionID: "s-1",
}

func TestFromContext(t *testing.T) {
	tests := []struct {
		name   string
		ctx    func(context.Context) context.Context
		want   identity.Principal
		wantOK bool
	}{
		{name: "no principal", ctx: func(ctx context.Context) context.Context { return ctx }},
		{name: "principal", ctx: func(ctx context.Context) context.Context { return identity.NewContext(ctx, jane) }, want: jane, wantOK: true},
		{
			name: "inherited by child contexts",
			ctx: func(ctx context.Context) context.Context {
				return context.WithValue(identity.NewContext(ctx, jane), otherKey{}, "x")
			},
			want: jane, wantOK: true,
		},
		{
			name: "innermost wins",
			ctx: func(ctx context.Context) context.Context {
				return identity.NewContext(identity.NewContext(ctx, jane), identity.Principal{Subject: "svc", Kind: identity.KindService})
			},
			want: identity.Principal{Subject: "svc", Kind: identity.KindService}, wantOK: true,
		},
		{
			name: "a slot alone is not a principal",
			ctx: func(ctx context.Context) context.Context {
				ctx, _ = identity.WithSlot(ctx)
				return ctx
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := identity.FromContext(tt.ctx(t.Context()))
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlot(t *testing.T) {
	tests := []struct {
		name   string
		fill   func(slotted context.Context)
		want   identity.Principal
		wantOK bool
	}{
		{name: "never authenticated", fill: func(context.Context) {}},
		{
			name: "filled from the slot's own context",
			fill: func(ctx context.Context) { identity.NewContext(ctx, jane) },
			want: jane, wantOK: true,
		},
		{
			name: "filled from a child context deeper in the chain",
			fill: func(ctx context.Context) {
				child, cancel := context.WithCancel(context.WithValue(ctx, otherKey{}, "x"))
				defer cancel()
				identity.NewContext(child, jane)
			},
			want: jane, wantOK: true,
		},
		{
			name: "the last authentication wins",
			fill: func(ctx context.Context) {
				ctx = identity.NewContext(ctx, identity.Principal{Subject: "first"})
				identity.NewContext(ctx, jane)
			},
			want: jane, wantOK: true,
		},
		{
			name: "not filled from an unrelated context",
			fill: func(context.Context) { identity.NewContext(context.Background(), jane) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, slot := identity.WithSlot(t.Context())
			tt.fill(ctx)
			got, ok := slot.Principal()
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHasRole(t *testing.T) {
	tests := []struct {
		name  string
		roles []string
		role  string
		want  bool
	}{
		{name: "held", roles: []string{"intake", "billing"}, role: "billing", want: true},
		{name: "not held", roles: []string{"intake"}, role: "owner", want: false},
		{name: "no roles", roles: nil, role: "intake", want: false},
		{name: "case-sensitive", roles: []string{"owner"}, role: "Owner", want: false},
		{name: "no prefix match", roles: []string{"owner"}, role: "own", want: false},
		{name: "empty role not held", roles: []string{"intake"}, role: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := identity.Principal{Roles: tt.roles}
			if got := p.HasRole(tt.role); got != tt.want {
				t.Errorf("HasRole(%q) with %v = %v, want %v", tt.role, tt.roles, got, tt.want)
			}
		})
	}
}
