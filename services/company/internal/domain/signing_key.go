package domain

import (
	"slices"
	"time"
)

// SigningAlgorithm is the JWS algorithm of every signing key company makes.
const SigningAlgorithm = "RS256"

// SigningKey is one key pair company signs access tokens with. Keys are not
// tenant data: one set signs for every company.
//
// A key's life: created and activated together (the newest active key
// signs); retired when a newer key activates; still published in the JWKS
// until ExpireTime, by which every token it signed has expired; then
// forgotten by verifiers.
type SigningKey struct {
	// KeyID is the "kid" of tokens signed with the key.
	KeyID string
	// Algorithm is SigningAlgorithm.
	Algorithm string
	// PublicKeyPEM is the public half, PKIX in PEM.
	PublicKeyPEM string
	// EncryptedPrivateKey is the PKCS #8 private half sealed with the
	// service's key ring, bound to (KeyID, "private_key").
	EncryptedPrivateKey []byte
	CreateTime          time.Time
	// ActivateTime is when the key may start signing.
	ActivateTime time.Time
	// RetireTime is when it stopped signing; zero while current.
	RetireTime time.Time
	// ExpireTime is when it stops being published; zero while current.
	ExpireTime time.Time
}

// SigningKeyAADColumn names the private key column in the associated data
// that binds its ciphertext to its row.
const SigningKeyAADColumn = "private_key"

// SigningKeyPolicy decides when keys rotate and how long retired ones stay
// published.
type SigningKeyPolicy struct {
	// MaxAge is how long a key signs before a start-up replaces it
	// (SIGNING_KEY_MAX_AGE).
	MaxAge time.Duration
	// PublishAfterRetire is how long a retired key stays in the JWKS: the
	// longest token lifetime plus the time a replica may keep signing with
	// a key it has not yet seen retired (its key cache lifetime) plus clock
	// leeway.
	PublishAfterRetire time.Duration
}

// SignsAt reports whether k may sign at now.
func (k SigningKey) SignsAt(now time.Time) bool {
	return !now.Before(k.ActivateTime) && (k.RetireTime.IsZero() || now.Before(k.RetireTime))
}

// PublishedAt reports whether k belongs in the JWKS at now.
func (k SigningKey) PublishedAt(now time.Time) bool {
	return k.ExpireTime.IsZero() || now.Before(k.ExpireTime)
}

// CurrentSigningKey returns the key that signs at now: the one activated
// last among those that may sign.
func CurrentSigningKey(keys []SigningKey, now time.Time) (SigningKey, bool) {
	var best SigningKey
	found := false
	for _, k := range keys {
		if k.SignsAt(now) && (!found || k.ActivateTime.After(best.ActivateTime)) {
			best, found = k, true
		}
	}
	return best, found
}

// PublishedSigningKeys returns the keys of the JWKS at now, newest first.
func PublishedSigningKeys(keys []SigningKey, now time.Time) []SigningKey {
	var out []SigningKey
	for _, k := range keys {
		if k.PublishedAt(now) {
			out = append(out, k)
		}
	}
	slices.SortStableFunc(out, func(a, b SigningKey) int { return b.ActivateTime.Compare(a.ActivateTime) })
	return out
}

// NeedsRotation reports whether a start-up at now must make a new key: there
// is none that signs, or the current one is older than MaxAge.
func (p SigningKeyPolicy) NeedsRotation(keys []SigningKey, now time.Time) bool {
	current, ok := CurrentSigningKey(keys, now)
	return !ok || !now.Before(current.ActivateTime.Add(p.MaxAge))
}

// Retire stops k signing at now and schedules the end of its publication;
// it reports false for a key already retired.
func (p SigningKeyPolicy) Retire(k *SigningKey, now time.Time) bool {
	if !k.RetireTime.IsZero() {
		return false
	}
	k.RetireTime = now
	k.ExpireTime = now.Add(p.PublishAfterRetire)
	return true
}
