package authn

import (
	"context"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Issuer signs access tokens with the current key of a KeySet.
type Issuer struct {
	keys     *KeySet
	issuer   string
	audience string
}

// NewIssuer returns an issuer of tokens for iss issuer and aud audience
// (JWT_ISSUER, JWT_AUDIENCE): the values every verifier checks.
func NewIssuer(keys *KeySet, issuer, audience string) *Issuer {
	return &Issuer{keys: keys, issuer: issuer, audience: audience}
}

// AccessClaims builds the claims of a token for g with token id jti. The
// token is valid from g.IssueTime (iat and nbf) for g.TTL.
func AccessClaims(g domain.AccessGrant, issuer, audience, jti string) *auth.Claims {
	return &auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   g.Subject,
			Audience:  jwt.ClaimStrings{audience},
			ExpiresAt: jwt.NewNumericDate(g.ExpireTime()),
			NotBefore: jwt.NewNumericDate(g.IssueTime),
			IssuedAt:  jwt.NewNumericDate(g.IssueTime),
			ID:        jti,
		},
		CompanyID: g.CompanyID,
		Roles:     domain.RoleNames(g.Roles),
		Kind:      g.Kind,
		SessionID: g.SessionID,
		Locations: g.Locations,
	}
}

// IssueAccessToken signs a token for g with the current key.
func (i *Issuer) IssueAccessToken(ctx context.Context, g domain.AccessGrant) (domain.AccessToken, error) {
	key, err := i.keys.Current(ctx)
	if err != nil {
		return domain.AccessToken{}, err
	}
	jti, err := uuid.NewV7()
	if err != nil {
		return domain.AccessToken{}, fmt.Errorf("token id: %w", err)
	}
	claims := AccessClaims(g, i.issuer, i.audience, jti.String())
	signed, err := key.Sign(claims)
	if err != nil {
		return domain.AccessToken{}, fmt.Errorf("sign access token: %w", err)
	}
	// NumericDate has whole seconds: report the expiry the token carries.
	return domain.AccessToken{
		Token:      signed,
		ID:         claims.ID,
		KeyID:      key.KeyID,
		IssueTime:  claims.IssuedAt.Time,
		ExpireTime: claims.ExpiresAt.Time,
	}, nil
}
