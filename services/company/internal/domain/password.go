package domain

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/ariesone/ariesone/platform/errs"
)

// Argon2id parameters (RFC 9106's second recommended option, memory-hard at
// 64 MiB). They are written into every hash, so raising them later keeps old
// hashes verifiable and VerifyPassword reports when a hash should be redone.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16

	// Upper bounds on parameters read from a stored hash, so a corrupted
	// row cannot make one sign-in allocate gigabytes or spin for minutes.
	maxArgonMemory = 1 << 20 // KiB: 1 GiB
	maxArgonTime   = 16
)

// Password length bounds. Length is the only composition rule (NIST SP
// 800-63B): long passphrases beat symbol rules.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// CheckPasswordPolicy reports a password that may not be set, as a
// violation of field.
func CheckPasswordPolicy(field, plain string) error {
	n := utf8.RuneCountInString(plain)
	switch {
	case !utf8.ValidString(plain):
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "must be valid UTF-8"})
	case n < MinPasswordLen:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: fmt.Sprintf("must be at least %d characters", MinPasswordLen)})
	case n > MaxPasswordLen:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: fmt.Sprintf("must be at most %d characters", MaxPasswordLen)})
	case strings.TrimSpace(plain) == "":
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "must not be blank"})
	}
	return nil
}

// passwordCost is the Argon2id work of a new hash.
type passwordCost struct {
	time, memory uint32
	threads      uint8
}

// cost is what new hashes are made with: the constants above, except in
// test binaries that lower it (SetPasswordCostForTests).
var cost = passwordCost{time: argonTime, memory: argonMemory, threads: argonThreads}

// SetPasswordCostForTests makes new hashes at a twelfth of the real cost
// (one pass over 16 MiB, still above the weakest parameters a test may plant
// to see a hash upgraded) for the rest of the process. Only TestMain of the
// packages whose tests sign users in calls it: under the race detector one
// hash at the real cost takes about half a second, a third of those
// packages' CPU. Hashes made this way verify as usual and report that they
// need a rehash at the real cost. This package's own tests keep the real
// cost.
func SetPasswordCostForTests() { cost = passwordCost{time: 1, memory: 16 * 1024, threads: 1} }

// PasswordHashPrefix is how every new hash begins: the algorithm, its
// version and the cost ("$argon2id$v=19$m=65536,t=3,p=2$").
func PasswordHashPrefix() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, cost.memory, cost.time, cost.threads)
}

// HashPassword returns an argon2id hash in the PHC string format
// ("$argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>").
func HashPassword(plain string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(plain), salt, cost.time, cost.memory, cost.threads, argonKeyLen)
	enc := base64.RawStdEncoding
	return PasswordHashPrefix() + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}

// ErrMalformedHash reports a stored hash this code cannot read.
var ErrMalformedHash = errors.New("malformed password hash")

// VerifyPassword reports whether plain matches hash, comparing in constant
// time. needsRehash is true when the hash was made with weaker parameters
// than the current ones.
func VerifyPassword(hash, plain string) (ok, needsRehash bool, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, ErrMalformedHash
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil || memory == 0 || time == 0 || threads == 0 ||
		memory > maxArgonMemory || time > maxArgonTime {
		return false, false, ErrMalformedHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil || len(salt) == 0 {
		return false, false, ErrMalformedHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(plain), salt, time, memory, threads, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	needsRehash = memory < cost.memory || time < cost.time || threads < cost.threads || len(want) < argonKeyLen
	return ok, needsRehash, nil
}

// dummyHash is verified against when a sign-in names an unknown user, so a
// failed sign-in takes the same time whether or not the account exists.
var dummyHash = mustHash("not-a-real-password-only-for-timing")

func mustHash(plain string) string {
	h, err := HashPassword(plain)
	if err != nil {
		panic(err)
	}
	return h
}

// BurnPasswordCheck spends the time of one password verification without a
// real account, for the unknown-user path of sign-in.
func BurnPasswordCheck(plain string) {
	_, _, _ = VerifyPassword(dummyHash, plain)
}
