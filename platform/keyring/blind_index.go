package keyring

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
)

// BlindIndexSize is the length of a blind index: one SHA-256 output.
const BlindIndexSize = sha256.Size

// BlindIndex returns HMAC-SHA256(index key, purpose || 0x00 || normalized),
// a deterministic 32-byte tag stored next to an encrypted column so an exact
// lookup can run as "where mbi_index = $1" without decrypting every row.
//
// purpose names the column, such as "patients.mbi" or "coverages.member_id":
// indexes of different columns are then unrelated, so equal values in two
// columns cannot be linked through their indexes. normalized must be the
// value in its one canonical form (the form the domain stores: upper-case,
// no dashes or spaces), or equal values will not match.
//
// purpose is a constant chosen by the programmer; an empty purpose or one
// containing 0x00 would make indexes of different purposes collide, so it
// panics, like any other misuse caught by the first test that runs it. It
// also panics on a Keyring that Parse did not build, rather than compute an
// index under an empty key.
func (k *Keyring) BlindIndex(purpose, normalized string) []byte {
	if purpose == "" || strings.Contains(purpose, aadSeparator) {
		panic("keyring: BlindIndex purpose must be non-empty and free of 0x00 bytes")
	}
	if k.indexKey == nil {
		panic(errNoKeys.Error())
	}
	mac := hmac.New(sha256.New, k.indexKey)
	mac.Write([]byte(purpose))
	mac.Write([]byte{0})
	mac.Write([]byte(normalized))
	return mac.Sum(nil)
}
