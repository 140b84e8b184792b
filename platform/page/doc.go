// Package page implements AIP-158 pagination for List methods: the page
// size a caller may ask for, and the opaque page token that resumes a
// listing.
//
// Tokens carry keyset positions, not offsets: the sort key values of the
// last item returned (for example its create_time and id), so the next
// query is "where (create_time, id) > ($1, $2) order by create_time, id
// limit n". The listing stays stable while rows are inserted and costs the
// same on page 1000 as on page 1.
//
// Those values are row data (a patient's name, when patients are listed
// by name), and tokens travel in URLs (GET /api/v1/patients?pageToken=...)
// that proxies and load balancers log. So a Sealer seals them with
// AES-256-GCM under a key ring derived from ENCRYPTION_KEY: a token is
// opaque, its length says little (the payload is padded), and it cannot
// be altered or forged.
//
// A token is bound to the query that produced it: the caller names the
// request fields that shape the result (method, tenant, parent, filter,
// order_by) as the scope, which is the cipher's associated data. Reusing a
// token with a different scope is an invalid pageToken, as AIP-158
// requires, not a silently wrong page. Services still parse each opened key
// strictly and answer InvalidToken when it does not parse.
//
// Token layout (unpadded URL-safe base64):
//
//	byte 0    format (2)
//	bytes 1.. keyring ciphertext (format, key version, nonce, GCM tag) of
//	          the payload: key count, then each key as a big-endian
//	          uint16 length and its bytes, zero-padded to a multiple of 32
package page
