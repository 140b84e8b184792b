package domain

import "time"

// Kinds of principal an access token is issued to (the token's "kind").
const (
	AccessKindUser   = "user"
	AccessKindAPIKey = "api_key"
)

// AccessGrant is what an access token asserts: who, for which company, with
// which roles, from when and for how long.
type AccessGrant struct {
	// Subject is the user id or the API key id.
	Subject   string
	CompanyID string
	Roles     []Role
	// Kind is AccessKindUser or AccessKindAPIKey.
	Kind string
	// SessionID is the user's session; empty for API keys.
	SessionID string
	// Locations limit a user to these locations (the user's allowed
	// locations when the token is issued); empty means every location, and
	// is what API keys get.
	Locations []string
	// IssueTime starts the token's validity (iat and nbf).
	IssueTime time.Time
	// TTL is the token's lifetime from IssueTime.
	TTL time.Duration
}

// ExpireTime is when a token for g expires.
func (g AccessGrant) ExpireTime() time.Time { return g.IssueTime.Add(g.TTL) }

// AccessToken is a signed access token.
type AccessToken struct {
	// Token is the compact JWS to send as a bearer credential.
	Token string
	// ID is its "jti".
	ID string
	// KeyID is the "kid" of the key that signed it.
	KeyID string
	// IssueTime and ExpireTime are its iat and exp, in whole seconds as the
	// token carries them.
	IssueTime  time.Time
	ExpireTime time.Time
}
