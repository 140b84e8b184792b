package page

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/keyring"
)

const (
	// TokenField is the request field page tokens arrive in.
	TokenField = "pageToken"
	// MaxKeys is the most sort keys a token carries.
	MaxKeys = 8
	// MaxKeysSize is the most bytes the sort keys of one token may total.
	// It keeps every token within MaxTokenLen; sort keys are ids, times,
	// codes and names, far shorter.
	MaxKeysSize = 1024
	// MaxTokenLen is the longest token the List requests accept (their
	// page_token fields are capped at it); Seal never makes a longer one.
	MaxTokenLen = 2048

	// tokenFormat is the first byte of every token, so the layout can
	// change later without misreading tokens already handed out. Format 1
	// carried the keys unsealed and is no longer accepted.
	tokenFormat = 2
	// purpose names the key ring page tokens are sealed with, derived from
	// ENCRYPTION_KEY: a page token key is not the key that seals PHI.
	purpose = "page-token"
	// padBlock is what the sealed payload is padded to a multiple of, so a
	// token's length says little about the length of the values inside.
	padBlock = 32
	// maxPayload is the largest padded payload: key count, each key's
	// length and the keys.
	maxPayload = (1 + MaxKeys*2 + MaxKeysSize + padBlock - 1) / padBlock * padBlock
	// maxSealedLen is the longest token before base64: format byte and
	// the keyring's ciphertext of the payload.
	maxSealedLen = 1 + keyring.Overhead + maxPayload
	// maxEncodedLen is maxSealedLen in unpadded base64 characters; longer
	// input is refused before decoding.
	maxEncodedLen = (maxSealedLen*8 + 5) / 6
)

// The largest token Seal can make fits the requests' cap on page_token;
// this fails to compile otherwise.
const _ uint = MaxTokenLen - maxEncodedLen

// tokenEncoding is strict so that every token has exactly one spelling:
// a character changed in the unused bits of the last one is refused, not
// silently read as the original token.
func tokenEncoding() *base64.Encoding { return base64.RawURLEncoding.Strict() }

// errNoSealer reports a listing whose use cases were built without a
// Sealer: a wiring bug, surfaced on the first List call.
var errNoSealer = errors.New("page: no page token sealer; build one with NewSealer")

// Sealer makes and opens page tokens: AES-256-GCM under a key ring derived
// from the service's ENCRYPTION_KEY, with the scope (method, tenant,
// filter, order) as associated data. The keys of the last item, which may
// be a patient's name, travel sealed, so URLs and access logs that carry a
// token carry none of them; a token that was altered, or is replayed with
// another scope, does not open. Replicas and restarts that share
// ENCRYPTION_KEY open each other's tokens, and a token sealed under an
// older key version opens while that version stays in the ring.
//
// A Sealer is safe for concurrent use. A nil *Sealer refuses every call
// with an internal error (not an invalid token): the service was wired
// without one.
type Sealer struct {
	ring *keyring.Keyring
}

// NewSealer returns the Sealer of ring, the service's ENCRYPTION_KEY. It
// derives the page token ring from it (keyring.Derive), so tokens share no
// key with the PHI the ring seals.
func NewSealer(ring *keyring.Keyring) (*Sealer, error) {
	derived, err := ring.Derive(purpose)
	if err != nil {
		return nil, fmt.Errorf("page: %w", err)
	}
	return &Sealer{ring: derived}, nil
}

// Seal returns the token that resumes a listing after the item whose sort
// key values are after (in order-by order), for the query identified by
// scope. Each call draws a fresh nonce, so two tokens of the same position
// differ. An error means the keys exceed MaxKeys or MaxKeysSize (a bug in
// the caller, not the client) or s is nil.
func (s *Sealer) Seal(after []string, scope ...string) (string, error) {
	if s == nil {
		return "", errNoSealer
	}
	if len(after) == 0 || len(after) > MaxKeys {
		return "", fmt.Errorf("page: a token carries 1 to %d keys, got %d", MaxKeys, len(after))
	}
	total := 0
	for _, k := range after {
		total += len(k)
	}
	if total > MaxKeysSize {
		return "", fmt.Errorf("page: sort keys of %d bytes exceed %d", total, MaxKeysSize)
	}
	size := 1 + 2*len(after) + total
	payload := make([]byte, 0, (size+padBlock-1)/padBlock*padBlock)
	payload = append(payload, byte(len(after)))
	for _, k := range after {
		payload = binary.BigEndian.AppendUint16(payload, uint16(len(k)))
		payload = append(payload, k...)
	}
	payload = payload[:cap(payload)] // zero padding
	sealed, err := s.ring.Encrypt(payload, associatedData(scope))
	if err != nil {
		return "", fmt.Errorf("page: sealing a token: %w", err)
	}
	return tokenEncoding().EncodeToString(append([]byte{tokenFormat}, sealed...)), nil
}

// Open returns the sort keys of a token made by Seal with the same scope.
// An empty token is the first page: nil keys, no error. A token that is
// malformed, altered, sealed under a key version no longer in the ring, or
// issued for a different scope is an errs.KindInvalid error on field
// "pageToken" (InvalidToken).
func (s *Sealer) Open(token string, scope ...string) ([]string, error) {
	if s == nil {
		return nil, errNoSealer
	}
	if token == "" {
		return nil, nil
	}
	if len(token) > maxEncodedLen {
		return nil, notAToken()
	}
	b, err := tokenEncoding().DecodeString(token)
	if err != nil || len(b) < 1+keyring.Overhead || b[0] != tokenFormat {
		return nil, notAToken()
	}
	payload, err := s.ring.Decrypt(b[1:], associatedData(scope))
	if err != nil {
		// GCM cannot tell a tampered token from one of another scope or
		// one sealed under a retired key version; neither can the client's
		// remedy differ: start again from the first page.
		return nil, InvalidToken("is not a page token this API returned for this request (only pageSize may change between pages); start again from the first page")
	}
	keys, ok := parsePayload(payload)
	if !ok {
		return nil, notAToken()
	}
	return keys, nil
}

// parsePayload reads what Seal sealed. Only a Sealer of the same ring could
// have made payload, so a layout it does not follow is a bug, answered as
// a bad token all the same.
func parsePayload(p []byte) ([]string, bool) {
	if len(p) == 0 || len(p)%padBlock != 0 {
		return nil, false
	}
	n := int(p[0])
	if n == 0 || n > MaxKeys {
		return nil, false
	}
	rest := p[1:]
	keys := make([]string, 0, n)
	for range n {
		if len(rest) < 2 {
			return nil, false
		}
		l := int(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
		if l > len(rest) {
			return nil, false
		}
		keys = append(keys, string(rest[:l]))
		rest = rest[l:]
	}
	if len(rest) >= padBlock {
		return nil, false
	}
	for _, c := range rest {
		if c != 0 {
			return nil, false
		}
	}
	return keys, true
}

// InvalidToken reports a bad page token. Services use it too when an opened
// key does not parse as the type they expect.
func InvalidToken(description string) *errs.Error {
	return errs.Invalid(errs.FieldViolation{Field: TokenField, Description: description})
}

// notAToken is the answer to input that is not shaped like a token at all.
func notAToken() *errs.Error { return InvalidToken("is not a page token returned by this API") }

// associatedData binds a token to its format and scope: the format byte
// and the SHA-256 of the scope parts with their lengths, so that ("ab",
// "c") and ("a", "bc") differ. Associated data is authenticated, not
// stored: the token carries no part of its scope.
func associatedData(scope []string) []byte {
	h := sha256.New()
	var n [8]byte
	for _, s := range scope {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return h.Sum([]byte{tokenFormat})
}
