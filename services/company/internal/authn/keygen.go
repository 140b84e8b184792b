package authn

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// SigningKeyBits are the RSA modulus sizes SIGNING_KEY_BITS accepts. 4096 is
// the default the design names; smaller sizes exist for tests and for
// development machines, where a 4096-bit key takes seconds to generate.
var SigningKeyBits = []int{2048, 3072, 4096}

// KeyGenerator makes signing keys: an RSA key pair whose private half is
// sealed with the key ring before it leaves this function.
type KeyGenerator struct {
	// Bits is the RSA modulus size.
	Bits   int
	Cipher PrivateKeyCipher
}

// GenerateSigningKey makes a key that activates at now.
func (g KeyGenerator) GenerateSigningKey(now time.Time) (domain.SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, g.Bits)
	if err != nil {
		return domain.SigningKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	kid, err := uuid.NewV7()
	if err != nil {
		return domain.SigningKey{}, fmt.Errorf("generate signing key id: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return domain.SigningKey{}, fmt.Errorf("encode signing key: %w", err)
	}
	sealed, err := g.Cipher.EncryptString(string(der), kid.String(), domain.SigningKeyAADColumn)
	if err != nil {
		return domain.SigningKey{}, fmt.Errorf("seal signing key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return domain.SigningKey{}, fmt.Errorf("encode public key: %w", err)
	}
	return domain.SigningKey{
		KeyID:               kid.String(),
		Algorithm:           domain.SigningAlgorithm,
		PublicKeyPEM:        string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		EncryptedPrivateKey: sealed,
		CreateTime:          now,
		ActivateTime:        now,
	}, nil
}
