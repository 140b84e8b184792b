package keyring

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

const (
	// formatV1 tags the only ciphertext layout so far (see the package
	// documentation). A new layout gets a new tag; Decrypt refuses tags it
	// does not know.
	formatV1 = 1
	// headerSize is the format tag and the key version, authenticated as
	// associated data.
	headerSize = 1 + 4
	nonceSize  = 12
	tagSize    = 16
	// prefixSize is everything before the GCM ciphertext.
	prefixSize = headerSize + nonceSize
	// Overhead is how many bytes Encrypt adds to the plaintext: format tag,
	// version, nonce and GCM tag. Size database columns accordingly.
	Overhead = prefixSize + tagSize
	// aadSeparator joins EncryptString's associated data parts.
	aadSeparator = "\x00"
)

var (
	// ErrDecrypt is returned (wrapped) whenever a ciphertext does not open:
	// malformed, tampered, sealed under an unknown version, or given other
	// associated data than it was sealed with. The reason is deliberately
	// vague beyond that; GCM cannot tell a wrong key from a tampered value.
	ErrDecrypt = errors.New("keyring: cannot decrypt")
	// ErrUnknownKeyVersion is returned (wrapped) when a ciphertext names a
	// key version the ring does not hold: a version removed from
	// ENCRYPTION_KEY too early, or a replica with an older ring. Such an
	// error matches ErrDecrypt too.
	ErrUnknownKeyVersion = errors.New("keyring: unknown key version")
	// errNoKeys reports use of a Keyring that Parse did not build.
	errNoKeys = errors.New("keyring: the key ring holds no keys; build it with Parse")
)

// unknownVersionError matches both ErrUnknownKeyVersion and ErrDecrypt, so
// a caller that only asks "did it open?" needs one check.
type unknownVersionError struct{ version uint32 }

func (e unknownVersionError) Error() string {
	return fmt.Sprintf("keyring: cannot decrypt: ciphertext is sealed under key version %d, which the key ring does not hold", e.version)
}

func (e unknownVersionError) Is(target error) bool {
	return target == ErrUnknownKeyVersion || target == ErrDecrypt
}

// Encrypt seals plaintext under the primary version. associatedData is
// authenticated but not stored: Decrypt needs the same bytes. Each call
// draws a fresh random nonce, so equal plaintexts give unequal ciphertexts;
// use BlindIndex for lookups.
func (k *Keyring) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	aead, ok := k.aeads[k.primary]
	if !ok {
		return nil, errNoKeys
	}
	out := make([]byte, prefixSize, prefixSize+len(plaintext)+tagSize)
	out[0] = formatV1
	binary.BigEndian.PutUint32(out[1:headerSize], k.primary)
	if _, err := rand.Read(out[headerSize:prefixSize]); err != nil {
		return nil, fmt.Errorf("keyring: reading nonce: %w", err)
	}
	return aead.Seal(out, out[headerSize:prefixSize], plaintext, gcmAAD(out[:headerSize], associatedData)), nil
}

// Decrypt opens a ciphertext made by Encrypt under any version in the ring.
// Every failure matches ErrDecrypt; one naming a version the ring does not
// hold also matches ErrUnknownKeyVersion. The returned plaintext is a new
// slice.
func (k *Keyring) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	version, err := parseHeader(ciphertext)
	if err != nil {
		return nil, err
	}
	aead, ok := k.aeads[version]
	if !ok {
		return nil, unknownVersionError{version: version}
	}
	plaintext, err := aead.Open(nil, ciphertext[headerSize:prefixSize], ciphertext[prefixSize:], gcmAAD(ciphertext[:headerSize], associatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (tampered, wrong key, or wrong associated data)", ErrDecrypt)
	}
	return plaintext, nil
}

// parseHeader checks the layout of a ciphertext and returns its key version.
func parseHeader(ciphertext []byte) (uint32, error) {
	if len(ciphertext) < Overhead {
		return 0, fmt.Errorf("%w: ciphertext is %d bytes, shorter than the %d-byte minimum", ErrDecrypt, len(ciphertext), Overhead)
	}
	if ciphertext[0] != formatV1 {
		return 0, fmt.Errorf("%w: unknown ciphertext format %d", ErrDecrypt, ciphertext[0])
	}
	return binary.BigEndian.Uint32(ciphertext[1:headerSize]), nil
}

// gcmAAD prefixes the caller's associated data with the ciphertext header,
// so the format tag and version are authenticated too. The header has a
// fixed length, so the concatenation is unambiguous.
func gcmAAD(header, associatedData []byte) []byte {
	aad := make([]byte, 0, len(header)+len(associatedData))
	return append(append(aad, header...), associatedData...)
}

// EncryptString seals plaintext with associated data made of parts joined by
// a 0x00 byte. The convention is the row id and the column name:
//
//	sealed, err := ring.EncryptString(mbi, patientID, "mbi")
//
// Parts must not contain 0x00, or two different lists could join to the
// same bytes; such a part is an error.
func (k *Keyring) EncryptString(plaintext string, associatedData ...string) ([]byte, error) {
	aad, err := joinAAD(associatedData)
	if err != nil {
		return nil, err
	}
	return k.Encrypt([]byte(plaintext), aad)
}

// DecryptString opens what EncryptString sealed, given the same parts of
// associated data.
func (k *Keyring) DecryptString(ciphertext []byte, associatedData ...string) (string, error) {
	aad, err := joinAAD(associatedData)
	if err != nil {
		return "", err
	}
	plaintext, err := k.Decrypt(ciphertext, aad)
	if err != nil {
		return "", err
	}
	return string(plaintext), nil
}

func joinAAD(parts []string) ([]byte, error) {
	for i, p := range parts {
		if strings.Contains(p, aadSeparator) {
			return nil, fmt.Errorf("keyring: associated data part %d contains a 0x00 byte", i+1)
		}
	}
	return []byte(strings.Join(parts, aadSeparator)), nil
}

// NeedsReencrypt reports whether ciphertext is sealed under a version other
// than the primary, so a background job should replace it with Reencrypt's
// result. It only reads the header: it is true for versions the ring does
// not hold (Reencrypt will then fail with ErrUnknownKeyVersion, which a
// rotation job should surface), and false for anything that is not a
// ciphertext at all.
func (k *Keyring) NeedsReencrypt(ciphertext []byte) bool {
	version, err := parseHeader(ciphertext)
	return err == nil && version != k.primary
}

// Reencrypt opens ciphertext under whatever version sealed it and seals the
// plaintext again under the primary version with a fresh nonce, keeping the
// same associated data. It re-seals even when ciphertext is already under
// the primary; check NeedsReencrypt first to skip needless writes.
func (k *Keyring) Reencrypt(ciphertext, associatedData []byte) ([]byte, error) {
	plaintext, err := k.Decrypt(ciphertext, associatedData)
	if err != nil {
		return nil, err
	}
	defer clear(plaintext)
	return k.Encrypt(plaintext, associatedData)
}
