// Package auth verifies the JWTs that company issues and decides, from the
// rule each RPC declares in its proto options, whether the caller may make the
// call. Services verify tokens locally with company's published keys (JWKS),
// so no call to company sits on the hot path.
package auth

import (
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ariesone/ariesone/platform/identity"
)

// Claims are the claims of an AriesOne access token: the registered claims
// (sub, iss, aud, exp, nbf, iat, jti) plus the tenant and roles.
type Claims struct {
	jwt.RegisteredClaims
	// CompanyID is the tenant the token acts for.
	CompanyID string `json:"company_id"`
	// Roles granted to the subject within the tenant.
	Roles []string `json:"roles"`
	// Kind is "user", "api_key" or "service".
	Kind string `json:"kind,omitempty"`
	// SessionID ties a user's tokens to one login session.
	SessionID string `json:"sid,omitempty"`
}

// Principal converts verified claims into the request's caller.
func (c *Claims) Principal() identity.Principal {
	kind := identity.Kind(c.Kind)
	if kind == "" {
		kind = identity.KindUser
	}
	return identity.Principal{
		Subject:    c.Subject,
		CompanyID:  c.CompanyID,
		Roles:      append([]string(nil), c.Roles...),
		Kind:       kind,
		TokenID:    c.ID,
		SessionID:  c.SessionID,
		IssueTime:  numericTime(c.IssuedAt),
		ExpireTime: numericTime(c.ExpiresAt),
	}
}

// numericTime is the time of a JWT date claim, zero when absent.
func numericTime(d *jwt.NumericDate) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time
}
