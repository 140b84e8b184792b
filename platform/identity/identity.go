// Package identity carries the authenticated caller through a request. It is
// deliberately free of gRPC and JWT so that application and store code (tenant
// scoping, audit) can ask "who is calling, for which company" without knowing
// how the caller proved it.
package identity

import (
	"context"
	"slices"
	"time"
)

// Kind tells what sort of credential a principal presented.
type Kind string

const (
	// KindUser is a person who signed in with a password.
	KindUser Kind = "user"
	// KindAPIKey is a partner system using a token exchanged for an API key.
	KindAPIKey Kind = "api_key"
	// KindService is another AriesOne service acting on its own behalf.
	KindService Kind = "service"
)

// Principal is the verified caller of a request. The tenant (CompanyID) comes
// from the verified token and never from a request body.
type Principal struct {
	// Subject is the user id, API key id or service name (JWT "sub").
	Subject string
	// CompanyID is the tenant the principal acts for (JWT "company_id").
	CompanyID string
	// Roles are the role names granted to the principal (JWT "roles").
	Roles []string
	// Kind tells which sort of credential was presented.
	Kind Kind
	// TokenID is the JWT "jti", for audit and revocation.
	TokenID string
	// SessionID ties a user's tokens to one login session, when present.
	SessionID string
	// Locations are the company locations (branches, warehouses) the
	// principal is limited to (JWT "loc"), canonical UUIDs; empty means
	// every location of the company. The stores hand them to row-level
	// security, so a branch-scoped user's queries see only those
	// locations' patients, units and orders.
	Locations []string
	// IssueTime and ExpireTime bound the token's authority (JWT "iat" and
	// "exp"): a revocation refuses tokens issued before it, and a stream
	// ends when its token expires.
	IssueTime  time.Time
	ExpireTime time.Time
}

// HasRole reports whether the principal holds role.
func (p Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

type principalKey struct{}

type slotKey struct{}

// Slot lets a layer that wraps a request (the audit interceptor, the access
// log) learn who the caller turned out to be, even though authentication runs
// deeper in the chain and its context never flows back out.
type Slot struct {
	principal Principal
	set       bool
}

// Principal returns the principal recorded in the slot, if any.
func (s *Slot) Principal() (Principal, bool) { return s.principal, s.set }

// WithSlot returns ctx carrying a fresh slot that NewContext will fill.
func WithSlot(ctx context.Context) (context.Context, *Slot) {
	s := &Slot{}
	return context.WithValue(ctx, slotKey{}, s), s
}

// NewContext returns ctx carrying p, and records p in the slot of an outer
// layer when there is one.
func NewContext(ctx context.Context, p Principal) context.Context {
	if s, ok := ctx.Value(slotKey{}).(*Slot); ok {
		s.principal, s.set = p, true
	}
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of the request, if one was authenticated.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
