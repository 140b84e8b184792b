package keyring

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"strings"
)

// deriveInfo prefixes the HKDF info of every derived key, so keys this
// package derives cannot collide with keys some other use of the same
// secret might derive.
const deriveInfo = "ariesone keyring derive v1\x00"

// Derive returns the key ring of one purpose, such as "page-token": every
// key of k (each version and the index key) run through HKDF-SHA256 with
// the purpose as info. A second use of ENCRYPTION_KEY then needs no second
// secret to configure, yet shares no key with sealing PHI: what one purpose
// seals never opens under k or under another purpose, and neither ring's
// outputs help an attack on the other's.
//
// The derived ring has the versions and primary of k, so it rotates with
// ENCRYPTION_KEY: what it seals under a version opens on every replica,
// and after restarts, as long as that version stays listed. Derivation is
// deterministic; changing it would make everything a derived ring ever
// sealed unreadable, so the known-answer test pins it.
//
// purpose is a constant chosen by the programmer; an empty one, one with a
// 0x00 byte, or a Keyring that Parse did not build is an error.
func (k *Keyring) Derive(purpose string) (*Keyring, error) {
	if purpose == "" || strings.Contains(purpose, aadSeparator) {
		return nil, fmt.Errorf("keyring: Derive purpose must be non-empty and free of 0x00 bytes")
	}
	if k == nil || len(k.keys) == 0 || k.indexKey == nil {
		return nil, errNoKeys
	}
	d := &Keyring{
		primary: k.primary,
		aeads:   make(map[uint32]cipher.AEAD, len(k.keys)),
		keys:    make(map[uint32][]byte, len(k.keys)),
	}
	var err error
	if d.indexKey, err = deriveKey(k.indexKey, purpose, indexLabel); err != nil {
		return nil, err
	}
	for version, key := range k.keys {
		derived, err := deriveKey(key, purpose, "version")
		if err != nil {
			return nil, err
		}
		aead, err := newAEAD(derived)
		if err != nil {
			return nil, fmt.Errorf("keyring: derived key of version %d: %w", version, err)
		}
		d.keys[version] = derived
		d.aeads[version] = aead
	}
	return d, nil
}

// deriveKey is HKDF-SHA256 of key, without salt (the key is already
// uniformly random), with info naming the purpose and the kind of key, so
// the index key and a version key never derive alike.
func deriveKey(key []byte, purpose, kind string) ([]byte, error) {
	derived, err := hkdf.Key(sha256.New, key, nil, deriveInfo+purpose+"\x00"+kind, KeySize)
	if err != nil {
		return nil, fmt.Errorf("keyring: deriving a %s key: %w", kind, err)
	}
	return derived, nil
}
