package page

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// The unsealed tokens of format 1, kept while the services move to Sealer.
const (
	// MaxKeyLen is the longest sort key value an unsealed token carries.
	MaxKeyLen = 1024

	unsealedFormat = 1
	checksumLen    = 8
	headerLen      = 1 + checksumLen + 1
	maxUnsealedLen = (headerLen + MaxKeys*(2+MaxKeyLen) + 2) / 3 * 4
)

// Encode returns an unsealed token (the keys in clear base64); Sealer.Seal
// replaces it.
//
// Encode returns the token that resumes a listing after the item whose sort
// key values are after (in order-by order), for the query identified by
// scope. An error means the keys exceed MaxKeys or MaxKeyLen: a bug in the
// caller, not the client.
func Encode(after []string, scope ...string) (string, error) {
	if len(after) == 0 || len(after) > MaxKeys {
		return "", fmt.Errorf("page: a token carries 1 to %d keys, got %d", MaxKeys, len(after))
	}
	size := headerLen
	for _, k := range after {
		if len(k) > MaxKeyLen {
			return "", fmt.Errorf("page: sort key of %d bytes exceeds %d", len(k), MaxKeyLen)
		}
		size += 2 + len(k)
	}
	b := make([]byte, 0, size)
	b = append(b, unsealedFormat)
	b = append(b, scopeChecksum(scope)...)
	b = append(b, byte(len(after)))
	for _, k := range after {
		b = binary.BigEndian.AppendUint16(b, uint16(len(k)))
		b = append(b, k...)
	}
	return tokenEncoding().EncodeToString(b), nil
}

// Decode returns the sort keys of a token made by Encode with the same
// scope. An empty token is the first page: nil keys, no error. A token that
// is malformed, or was issued for a different scope, is an errs.KindInvalid
// error on field "pageToken".
func Decode(token string, scope ...string) ([]string, error) {
	if token == "" {
		return nil, nil
	}
	if len(token) > maxUnsealedLen {
		return nil, InvalidToken("is not a page token returned by this API")
	}
	b, err := tokenEncoding().DecodeString(token)
	if err != nil || len(b) < headerLen || b[0] != unsealedFormat {
		return nil, InvalidToken("is not a page token returned by this API")
	}
	if string(b[1:1+checksumLen]) != string(scopeChecksum(scope)) {
		return nil, InvalidToken("belongs to a request with a different filter or order; page size is the only field that may change between pages")
	}
	n := int(b[headerLen-1])
	if n == 0 || n > MaxKeys {
		return nil, InvalidToken("is not a page token returned by this API")
	}
	rest := b[headerLen:]
	keys := make([]string, 0, n)
	for range n {
		if len(rest) < 2 {
			return nil, InvalidToken("is not a page token returned by this API")
		}
		l := int(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
		if l > MaxKeyLen || l > len(rest) {
			return nil, InvalidToken("is not a page token returned by this API")
		}
		keys = append(keys, string(rest[:l]))
		rest = rest[l:]
	}
	if len(rest) != 0 {
		return nil, InvalidToken("is not a page token returned by this API")
	}
	return keys, nil
}

// scopeChecksum hashes the scope parts with their lengths, so that
// ("ab", "c") and ("a", "bc") differ.
func scopeChecksum(scope []string) []byte {
	h := sha256.New()
	var n [8]byte
	for _, s := range scope {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return h.Sum(nil)[:checksumLen]
}
