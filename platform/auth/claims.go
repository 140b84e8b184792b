// Package auth verifies the JWTs that company issues and decides, from the
// rule each RPC declares in its proto options, whether the caller may make the
// call. Services verify tokens locally with company's published keys (JWKS),
// so no call to company sits on the hot path.
package auth

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

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
	// Locations limit a user to these company locations (UUIDs); absent or
	// empty means every location. API keys and services carry none.
	Locations []string `json:"loc,omitempty"`
}

// MaxLocations bounds the "loc" claim. company lets a user be limited to
// at most 100 locations; a token naming more was not issued by it, and a
// bound keeps the per-transaction setting small.
const MaxLocations = 100

// errLocations is why a token with a malformed "loc" claim is refused.
var errLocations = errors.New("token locations malformed")

// CheckLocations returns the "loc" claim in canonical form, or an error
// when it names more than MaxLocations ids or one that is not a UUID. A
// token that narrows its holder must narrow it to something the stores
// can compare with; refusing it is safer than reading it as unrestricted.
func (c *Claims) CheckLocations() ([]string, error) {
	if len(c.Locations) == 0 {
		return nil, nil
	}
	if len(c.Locations) > MaxLocations {
		return nil, errLocations
	}
	out := make([]string, len(c.Locations))
	for i, l := range c.Locations {
		id, err := uuid.Parse(l)
		if err != nil || len(l) != 36 {
			return nil, errLocations
		}
		out[i] = id.String()
	}
	return out, nil
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
		Locations:  append([]string(nil), c.Locations...),
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
