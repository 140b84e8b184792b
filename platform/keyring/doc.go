// Package keyring seals PHI at rest (MBI, Medicaid id, SSN, policy member
// ids, tax ids) with AES-256-GCM under a versioned key ring, computes the
// keyed blind indexes that let a service find a row by an encrypted value,
// and masks values for responses.
//
// # ENCRYPTION_KEY
//
// The ring comes from one environment variable, ENCRYPTION_KEY: entries
// separated by commas, each "<label>:<key>", where key is the standard
// base64 encoding (with padding) of exactly 32 random bytes:
//
//	index:<base64>,1:<base64>,2:<base64>
//
// Labels mean:
//
//   - A label that is a positive decimal integer (1, 2, ... up to
//     2147483647, no sign, no leading zeros) names an encryption key
//     version. The highest version is the primary: it seals everything
//     written from now on. Every listed version can still open what it
//     sealed.
//   - Exactly one entry is labelled "index": the HMAC-SHA256 key of the blind
//     indexes. It never rotates. A blind index is a function of this key, so
//     a new index key would make every stored index unreachable and every
//     exact-match lookup (find the patient with this MBI) silently miss
//     until all indexes were recomputed from decrypted values.
//
// Whitespace around entries and around the colon is ignored. Every key must
// be distinct (the index key must not also be an encryption key) and must
// not be a placeholder of one repeated byte. Generate makes a fresh value,
// equivalent to
//
//	printf 'index:%s,1:%s\n' "$(openssl rand -base64 32)" "$(openssl rand -base64 32)"
//
// Parse errors name the bad entry by position and, when it parsed, by
// version; they never contain key material, so the configuration loader
// may print them.
//
// # Rotation without downtime
//
//  1. Append a new version: "index:I,1:A" becomes "index:I,1:A,2:B". Roll
//     it out; new writes are sealed under 2 and old rows still open under 1.
//  2. Re-seal old rows in the background: for each row whose column
//     NeedsReencrypt, store Reencrypt's result (same associated data).
//  3. When no row needs re-encryption, drop version 1 from the variable.
//
// Because the highest version is primary as soon as it is listed, replicas
// still running the old ring during step 1's rollout cannot open values the
// new replicas seal; those reads fail with ErrUnknownKeyVersion until the
// rollout completes. Roll out quickly, or during a quiet period.
//
// Each version uses random 96-bit nonces, so a version must seal well under
// 2^32 values; rotate long before that.
//
// # Derived rings
//
// Derive turns the ring into the ring of one purpose (page tokens, say):
// each key run through HKDF-SHA256 with the purpose as info. A derived ring
// keeps the versions and primary of its parent, so it follows the same
// rotation, and opens nothing its parent or another purpose sealed.
//
// # Ciphertext format
//
//	byte 0       format tag (1)
//	bytes 1..4   key version, big-endian
//	bytes 5..16  random nonce (12 bytes)
//	bytes 17..   GCM ciphertext followed by the 16-byte tag
//
// The first five bytes are authenticated along with the caller's associated
// data. Associated data binds a ciphertext to its place: by convention the
// row id and the column name (EncryptString(mbi, patientID, "mbi")), so a
// value copied into another row or column no longer opens.
package keyring
