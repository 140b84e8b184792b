package auth

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// SigningKey is one private key of the token issuer with its key id. company
// holds several during a rotation: the newest signs, the older ones stay
// published until the tokens they signed have expired.
type SigningKey struct {
	// KeyID is the "kid" header of tokens signed with this key.
	KeyID string
	// Private is an *rsa.PrivateKey (RS256) or ed25519.PrivateKey (EdDSA).
	Private crypto.Signer
}

func (k SigningKey) method() (jwt.SigningMethod, error) {
	switch k.Private.(type) {
	case *rsa.PrivateKey:
		return jwt.SigningMethodRS256, nil
	case ed25519.PrivateKey:
		return jwt.SigningMethodEdDSA, nil
	default:
		return nil, fmt.Errorf("auth: unsupported signing key type %T", k.Private)
	}
}

// Sign issues a token for claims, with the key id in the header.
func (k SigningKey) Sign(claims *Claims) (string, error) {
	if k.KeyID == "" {
		return "", errors.New("auth: signing key has no key id")
	}
	m, err := k.method()
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(m, claims)
	t.Header["kid"] = k.KeyID
	return t.SignedString(k.Private)
}

// PublicJWKS renders the public halves of keys as a JSON Web Key Set, the
// document served at /.well-known/jwks.json and read by every Verifier.
func PublicJWKS(keys ...SigningKey) ([]byte, error) {
	store := jwkset.NewMemoryStorage()
	for _, k := range keys {
		m, err := k.method()
		if err != nil {
			return nil, err
		}
		jwk, err := jwkset.NewJWKFromKey(k.Private.Public(), jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{
				ALG: jwkset.ALG(m.Alg()),
				KID: k.KeyID,
				USE: jwkset.UseSig,
			},
		})
		if err != nil {
			return nil, fmt.Errorf("auth: key %s: %w", k.KeyID, err)
		}
		if err := store.KeyWrite(context.Background(), jwk); err != nil {
			return nil, err
		}
	}
	set, err := store.Marshal(context.Background())
	if err != nil {
		return nil, err
	}
	return json.Marshal(set)
}
