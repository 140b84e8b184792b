// Package authn holds company's side of token authentication: the signing
// keys in memory (decrypted from the signing_keys table, refreshed from it),
// the issuer that signs access tokens with the current key, the verifier
// company uses for its own RPCs, and the JWKS document the other services
// verify with.
package authn

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// PrivateKeyCipher seals and opens signing private keys at rest. The
// service's key ring (platform/keyring) implements it.
type PrivateKeyCipher interface {
	EncryptString(plaintext string, associatedData ...string) ([]byte, error)
	DecryptString(ciphertext []byte, associatedData ...string) (string, error)
}

// SigningKeyLister reads the published signing keys.
type SigningKeyLister interface {
	ListSigningKeys(ctx context.Context, now time.Time) ([]domain.SigningKey, error)
}

// DefaultKeyCacheTTL is how long a KeySet trusts its copy of the table
// before signing: the longest a replica keeps signing with a key another
// replica has retired.
const DefaultKeyCacheTTL = 30 * time.Second

// KeySet is the in-memory copy of the published signing keys, with the
// private keys decrypted. One replica rotating keys is seen by the others
// when their copy is older than the cache lifetime, or at once when they
// see a token with a kid they do not know (see NewVerifier).
type KeySet struct {
	store    SigningKeyLister
	cipher   PrivateKeyCipher
	now      func() time.Time
	cacheTTL time.Duration

	mu        sync.Mutex
	loaded    time.Time
	keys      []domain.SigningKey // published, newest first
	decrypted map[string]auth.SigningKey
}

// KeySetOption adjusts a KeySet.
type KeySetOption func(*KeySet)

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) KeySetOption { return func(k *KeySet) { k.now = now } }

// WithCacheTTL replaces DefaultKeyCacheTTL.
func WithCacheTTL(d time.Duration) KeySetOption { return func(k *KeySet) { k.cacheTTL = d } }

// NewKeySet returns an empty KeySet that loads from store on first use.
func NewKeySet(store SigningKeyLister, cipher PrivateKeyCipher, opts ...KeySetOption) *KeySet {
	k := &KeySet{store: store, cipher: cipher, now: time.Now, cacheTTL: DefaultKeyCacheTTL, decrypted: map[string]auth.SigningKey{}}
	for _, o := range opts {
		o(k)
	}
	return k
}

// CacheTTL is the set's cache lifetime.
func (k *KeySet) CacheTTL() time.Duration { return k.cacheTTL }

// Reload reads the table now, whatever the age of the copy.
func (k *KeySet) Reload(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reloadLocked(ctx)
}

func (k *KeySet) reloadLocked(ctx context.Context) error {
	now := k.now()
	keys, err := k.store.ListSigningKeys(ctx, now)
	if err != nil {
		return err
	}
	decrypted := make(map[string]auth.SigningKey, len(keys))
	for _, key := range keys {
		if d, ok := k.decrypted[key.KeyID]; ok {
			decrypted[key.KeyID] = d
			continue
		}
		d, err := k.open(key)
		if err != nil {
			return err
		}
		decrypted[key.KeyID] = d
	}
	k.keys, k.decrypted, k.loaded = keys, decrypted, now
	return nil
}

// open decrypts a stored key and checks that its private half belongs to
// the public half on record, so a row whose columns were mixed up or
// tampered with fails loudly instead of publishing one key and signing with
// another.
func (k *KeySet) open(key domain.SigningKey) (auth.SigningKey, error) {
	der, err := k.cipher.DecryptString(key.EncryptedPrivateKey, key.KeyID, domain.SigningKeyAADColumn)
	if err != nil {
		return auth.SigningKey{}, fmt.Errorf("signing key %s: %w", key.KeyID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey([]byte(der))
	if err != nil {
		return auth.SigningKey{}, fmt.Errorf("signing key %s: private key: %w", key.KeyID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return auth.SigningKey{}, fmt.Errorf("signing key %s: %T cannot sign", key.KeyID, priv)
	}
	block, _ := pem.Decode([]byte(key.PublicKeyPEM))
	if block == nil {
		return auth.SigningKey{}, fmt.Errorf("signing key %s: public key is not PEM", key.KeyID)
	}
	ownPublic, err := x509.MarshalPKIXPublicKey(signer.Public())
	if err != nil {
		return auth.SigningKey{}, fmt.Errorf("signing key %s: %w", key.KeyID, err)
	}
	if !bytes.Equal(ownPublic, block.Bytes) {
		return auth.SigningKey{}, fmt.Errorf("signing key %s: private key does not match the public key on record", key.KeyID)
	}
	return auth.SigningKey{KeyID: key.KeyID, Private: signer}, nil
}

// fresh reloads when the copy is older than maxAge, then calls read with
// the keys under the lock.
func (k *KeySet) fresh(ctx context.Context, maxAge time.Duration, read func(now time.Time) error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if k.loaded.IsZero() || now.Sub(k.loaded) >= maxAge {
		if err := k.reloadLocked(ctx); err != nil {
			return err
		}
	}
	return read(now)
}

// ErrNoSigningKey reports that no key may sign: the start-up rotation has
// not run, or every key was retired without a successor.
var ErrNoSigningKey = errors.New("authn: no signing key is active")

// Current returns the key that signs now. It reloads a copy older than the
// cache lifetime, and once more when the copy has no key that signs (the
// current key may have been rotated away by another replica).
func (k *KeySet) Current(ctx context.Context) (auth.SigningKey, error) {
	var out auth.SigningKey
	found := false
	pick := func(now time.Time) error {
		var cur domain.SigningKey
		if cur, found = domain.CurrentSigningKey(k.keys, now); found {
			out = k.decrypted[cur.KeyID]
		}
		return nil
	}
	if err := k.fresh(ctx, k.cacheTTL, pick); err != nil {
		return auth.SigningKey{}, err
	}
	if !found {
		if err := k.fresh(ctx, 0, pick); err != nil {
			return auth.SigningKey{}, err
		}
	}
	if !found {
		return auth.SigningKey{}, ErrNoSigningKey
	}
	return out, nil
}

// CurrentAge is how long ago the key that signs now was made, from a copy
// no older than the cache lifetime; false when no key signs. Rotation
// happens when a replica starts (or on the operator's command), so a long
// uptime lets the key outgrow SIGNING_KEY_MAX_AGE: this is what alerts say.
func (k *KeySet) CurrentAge(ctx context.Context) (time.Duration, bool, error) {
	var age time.Duration
	found := false
	err := k.fresh(ctx, k.cacheTTL, func(now time.Time) error {
		var cur domain.SigningKey
		if cur, found = domain.CurrentSigningKey(k.keys, now); found {
			age = now.Sub(cur.CreateTime)
		}
		return nil
	})
	return age, found, err
}

// JWKS renders the published public keys, newest first, from a copy no
// older than maxAge.
func (k *KeySet) JWKS(ctx context.Context, maxAge time.Duration) ([]byte, error) {
	var doc []byte
	err := k.fresh(ctx, maxAge, func(now time.Time) error {
		published := domain.PublishedSigningKeys(k.keys, now)
		keys := make([]auth.SigningKey, len(published))
		for i, p := range published {
			keys[i] = k.decrypted[p.KeyID]
		}
		var err error
		doc, err = auth.PublicJWKS(keys...)
		return err
	})
	return doc, err
}
