package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

const (
	// KeySize is the length in bytes of every key in the ring: AES-256 keys
	// and the HMAC-SHA256 blind index key alike.
	KeySize = 32
	// MaxVersion is the highest key version Parse accepts. Versions travel
	// in four bytes of every ciphertext; the cap keeps them within an int
	// on every platform.
	MaxVersion = 1<<31 - 1
	// indexLabel labels the blind index key in ENCRYPTION_KEY.
	indexLabel = "index"
)

// Keyring holds the AES-256-GCM keys of every version listed in
// ENCRYPTION_KEY and the blind index key. Build one with Parse; the zero
// value holds no keys. A Keyring is safe for concurrent use, and its String
// form never shows key material, so it may be logged.
type Keyring struct {
	primary uint32
	aeads   map[uint32]cipher.AEAD
	// keys holds each version's key, from which Derive makes the keys of
	// a purpose's ring; aeads alone could not derive anything.
	keys     map[uint32][]byte
	indexKey []byte
}

// Parse reads an ENCRYPTION_KEY value (see the package documentation for
// its form). Its errors name the offending entry by position (1-based) and,
// once the label has parsed, by version, and never contain key material.
func Parse(s string) (*Keyring, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("keyring: ENCRYPTION_KEY is empty; expected entries like index:<base64>,1:<base64>")
	}
	k := &Keyring{aeads: make(map[uint32]cipher.AEAD), keys: make(map[uint32][]byte)}
	type seenKey struct {
		key   []byte
		entry int
	}
	var keys []seenKey
	indexEntry := 0
	for i, raw := range strings.Split(s, ",") {
		entry := i + 1
		label, encoded, found := strings.Cut(strings.TrimSpace(raw), ":")
		if !found {
			if strings.TrimSpace(raw) == "" {
				return nil, fmt.Errorf("keyring: entry %d is empty", entry)
			}
			return nil, fmt.Errorf("keyring: entry %d has no ':' between label and key", entry)
		}
		label = strings.TrimSpace(label)
		name := fmt.Sprintf("entry %d", entry)
		var version uint32
		switch {
		case label == indexLabel:
			if indexEntry != 0 {
				return nil, fmt.Errorf("keyring: entry %d repeats the index key of entry %d; there is exactly one index key", entry, indexEntry)
			}
			indexEntry = entry
			name += " (index)"
		default:
			v, err := parseVersion(label)
			if err != nil {
				return nil, fmt.Errorf("keyring: entry %d: %w", entry, err)
			}
			if _, dup := k.aeads[v]; dup {
				return nil, fmt.Errorf("keyring: entry %d repeats version %d", entry, v)
			}
			version = v
			name += fmt.Sprintf(" (version %d)", v)
		}
		key, err := decodeKey(strings.TrimSpace(encoded))
		if err != nil {
			return nil, fmt.Errorf("keyring: %s: %w", name, err)
		}
		for _, prev := range keys {
			if subtle.ConstantTimeCompare(prev.key, key) == 1 {
				return nil, fmt.Errorf("keyring: %s has the same key as entry %d; every key must be distinct", name, prev.entry)
			}
		}
		keys = append(keys, seenKey{key: key, entry: entry})
		if version == 0 {
			k.indexKey = key
			continue
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("keyring: %s: %w", name, err)
		}
		k.aeads[version] = aead
		k.keys[version] = key
		k.primary = max(k.primary, version)
	}
	if indexEntry == 0 {
		return nil, fmt.Errorf("keyring: no index entry; add one index:<base64 of %d bytes> for blind indexes", KeySize)
	}
	if len(k.aeads) == 0 {
		return nil, fmt.Errorf("keyring: no encryption key version; add one like 1:<base64 of %d bytes>", KeySize)
	}
	return k, nil
}

// parseVersion accepts a positive decimal integer without sign or leading
// zeros, so that each version has exactly one spelling. Its errors do not
// quote the label, which may be a key pasted in the wrong place.
func parseVersion(label string) (uint32, error) {
	if label == "" {
		return 0, fmt.Errorf("label is empty; expected %q or a positive version number", indexLabel)
	}
	for _, c := range []byte(label) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("label is neither %q nor a version number (a positive decimal integer)", indexLabel)
		}
	}
	if label[0] == '0' {
		return 0, fmt.Errorf("version must be a positive integer without leading zeros")
	}
	v, err := strconv.ParseUint(label, 10, 32)
	if err != nil || v > MaxVersion {
		return 0, fmt.Errorf("version is larger than %d", MaxVersion)
	}
	return uint32(v), nil
}

// decodeKey decodes one base64 key. The base64 package's own errors are not
// wrapped: they are harmless today, but key handling should not depend on
// another package's choice of what to quote.
func decodeKey(encoded string) ([]byte, error) {
	if encoded == "" {
		return nil, fmt.Errorf("key is empty")
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("key is not valid standard base64 (with padding)")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("key decodes to %d bytes; want %d", len(key), KeySize)
	}
	if isRepeatedByte(key) {
		return nil, fmt.Errorf("key is one byte repeated, a placeholder rather than a random key")
	}
	return key, nil
}

func isRepeatedByte(b []byte) bool {
	for _, c := range b[1:] {
		if c != b[0] {
			return false
		}
	}
	return true
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cannot build AES cipher")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cannot build GCM mode")
	}
	return aead, nil
}

// Generate returns a fresh ENCRYPTION_KEY value holding a random index key
// and a random version 1 key, for first-time setup and tests.
func Generate() (string, error) {
	var b strings.Builder
	for i, label := range []string{indexLabel, "1"} {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return "", fmt.Errorf("keyring: reading random key: %w", err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(label)
		b.WriteByte(':')
		b.WriteString(base64.StdEncoding.EncodeToString(key))
	}
	return b.String(), nil
}

// PrimaryVersion is the version that Encrypt seals under: the highest one
// listed. It is 0 for a Keyring not built by Parse.
func (k *Keyring) PrimaryVersion() int {
	return int(k.primary)
}

// Versions lists every version the ring can decrypt, in ascending order.
func (k *Keyring) Versions() []int {
	vs := make([]int, 0, len(k.aeads))
	for v := range k.aeads {
		vs = append(vs, int(v))
	}
	slices.Sort(vs)
	return vs
}

// String describes the ring without its keys, for logs. String and
// GoString have value receivers so that printing a Keyring value, not only
// a pointer, goes through them instead of dumping the cipher state.
func (k Keyring) String() string {
	return fmt.Sprintf("keyring(primary=%d versions=%v index=%t)", k.primary, k.Versions(), k.indexKey != nil)
}

// GoString keeps %#v from printing key material.
func (k Keyring) GoString() string {
	return k.String()
}
