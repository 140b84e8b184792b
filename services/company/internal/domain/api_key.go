package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
)

// An API key reads "ak_live_<key id>_<secret>": the key's UUID in 32
// lower-case hex digits, then 32 random bytes in unpadded base64url. The id
// lets the server find the key without a table scan; the secret proves
// possession. Only SHA-256 of the secret is stored. A fast hash is right
// here, unlike for passwords: the secret is 256 random bits, so there is no
// dictionary to slow down and nothing a slow hash would protect, while every
// exchange pays for it.
const (
	// APIKeyPrefix starts every key, so secret scanners (and people) can
	// recognise a leaked one.
	APIKeyPrefix         = "ak_live_"
	apiKeyIDHexLen       = 32
	apiKeySecretBytes    = 32
	apiKeySecretEncLen   = (apiKeySecretBytes*8 + 5) / 6
	apiKeyDisplayLen     = len(APIKeyPrefix) + apiKeyIDHexLen
	apiKeyUseGranularity = time.Minute
	// APIKeyLen is the length of every key.
	APIKeyLen = len(APIKeyPrefix) + apiKeyIDHexLen + 1 + apiKeySecretEncLen
)

// ErrMalformedAPIKey reports a string that cannot be a key this service
// issued.
var ErrMalformedAPIKey = errors.New("malformed API key")

// APIKey is a partner system's credential. It acts with the authority of
// the user who created it: deactivating that user disables the key, and
// nothing enables it again (reactivating the user does not); the answer to
// a disabled key is a new one, created by an administrator.
type APIKey struct {
	ID        string
	CompanyID string
	// ClientName names the partner system.
	ClientName string
	// Prefix is the public part of the key: "ak_live_" and the key id in
	// hex ("ak_live_0195f3a21b2c7d3e8f405a6b7c8d9e0f"). It is unique per
	// key and safe to show in lists and logs; the secret follows it.
	Prefix string
	// SecretHash is the SHA-256 of the secret part.
	SecretHash []byte
	// Roles the exchanged token carries; never owner.
	Roles []Role
	// CreatorUserID is the user who created the key.
	CreatorUserID string
	CreateTime    time.Time
	// LastUsedTime is the latest exchange, recorded at most once a minute.
	LastUsedTime time.Time
	// RevokeTime is when the key was revoked; zero while usable.
	RevokeTime time.Time
	// DisableTime is when the key stopped working because its creator was
	// deactivated, and DisableReason why; zero and "" otherwise. A key acts
	// with its creator's authority, so it must not outlive it. Disabled is
	// not revoked: the key list can tell "someone revoked it" from "its
	// creator left". Nothing re-enables a key (reactivating the creator
	// does not): an administrator creates a new one, or revokes the
	// disabled one to retire it for good.
	DisableTime   time.Time
	DisableReason APIKeyDisableReason
	// ExpireTime is when the key stops working; zero for never.
	ExpireTime time.Time
}

// NewAPIKeySecret draws the secret of key id and returns the full key to show
// once, its display prefix and the hash to store.
func NewAPIKeySecret(id uuid.UUID) (key, prefix string, hash []byte, err error) {
	secret := make([]byte, apiKeySecretBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", "", nil, err
	}
	key = APIKeyPrefix + hex.EncodeToString(id[:]) + "_" + tokenSecretEncoding().EncodeToString(secret)
	sum := sha256.Sum256(secret)
	return key, key[:apiKeyDisplayLen], sum[:], nil
}

// ParseAPIKey checks the shape of a presented key and returns its id (in
// canonical UUID form) and the hash of its secret.
func ParseAPIKey(key string) (id string, secretHash []byte, err error) {
	rest, ok := strings.CutPrefix(key, APIKeyPrefix)
	if !ok || len(key) != APIKeyLen || rest[apiKeyIDHexLen] != '_' {
		return "", nil, ErrMalformedAPIKey
	}
	idHex, encoded := rest[:apiKeyIDHexLen], rest[apiKeyIDHexLen+1:]
	var raw uuid.UUID
	// Lower-case only, so each key has one spelling.
	if strings.ToLower(idHex) != idHex {
		return "", nil, ErrMalformedAPIKey
	}
	if n, err := hex.Decode(raw[:], []byte(idHex)); err != nil || n != len(raw) {
		return "", nil, ErrMalformedAPIKey
	}
	secret, err := tokenSecretEncoding().DecodeString(encoded)
	if err != nil || len(secret) != apiKeySecretBytes {
		return "", nil, ErrMalformedAPIKey
	}
	sum := sha256.Sum256(secret)
	return raw.String(), sum[:], nil
}

// APIKeyDisableReason says why a key was disabled.
type APIKeyDisableReason string

// APIKeyCreatorDeactivated disables the keys of a user who is deactivated.
const APIKeyCreatorDeactivated APIKeyDisableReason = "creator_deactivated"

// Why an API key cannot be exchanged.
var (
	ErrAPIKeyRevoked     = errors.New("API key revoked")
	ErrAPIKeyDisabled    = errors.New("API key disabled")
	ErrAPIKeyExpired     = errors.New("API key expired")
	ErrAPIKeyWrongSecret = errors.New("API key secret does not match")
)

// Authenticate checks a presented secret hash against the key at now. The
// comparison takes the same time wherever the hashes differ.
func (k APIKey) Authenticate(secretHash []byte, now time.Time) error {
	if subtle.ConstantTimeCompare(k.SecretHash, secretHash) != 1 {
		return ErrAPIKeyWrongSecret
	}
	switch {
	case !k.RevokeTime.IsZero():
		return ErrAPIKeyRevoked
	case !k.DisableTime.IsZero():
		return ErrAPIKeyDisabled
	case !k.ExpireTime.IsZero() && !now.Before(k.ExpireTime):
		return ErrAPIKeyExpired
	}
	return nil
}

// ShouldRecordUse reports whether an exchange at now should update
// LastUsedTime. Recording at most once a minute keeps a partner that
// exchanges in a tight loop from turning every exchange into a row write.
func (k APIKey) ShouldRecordUse(now time.Time) bool {
	return k.LastUsedTime.IsZero() || !now.Before(k.LastUsedTime.Add(apiKeyUseGranularity))
}

// EndTime is when the key stopped being exchangeable by revocation or by
// being disabled, whichever came first; zero while neither happened. The
// API shows it as the key's revoke_time, which is the field its clients
// already read as "no longer usable".
func (k APIKey) EndTime() time.Time {
	switch {
	case k.RevokeTime.IsZero():
		return k.DisableTime
	case k.DisableTime.IsZero() || k.RevokeTime.Before(k.DisableTime):
		return k.RevokeTime
	default:
		return k.DisableTime
	}
}

// Revoke stops the key at now; it reports false, changing nothing, when the
// key was already revoked. A disabled key can be revoked: that retires it
// for good in the record, whatever its creator's state.
func (k *APIKey) Revoke(now time.Time) bool {
	if !k.RevokeTime.IsZero() {
		return false
	}
	k.RevokeTime = now
	return true
}

// CheckAPIKeyGrant decides whether creator may issue a key carrying roles.
// Owner is never grantable, whoever asks (a partner system must never be
// able to change the company or its owners): that is a property of the
// request, so it is an invalid argument on "apiKey.roles". Any other role
// the creator does not hold is a matter of the caller's authority, so it is
// permission denied. An owner holds every grantable role.
func CheckAPIKeyGrant(creator Actor, roles []Role) error {
	if len(roles) == 0 {
		return errs.Invalid(errs.FieldViolation{Field: "apiKey.roles", Description: "must name at least one role"})
	}
	if slices.Contains(roles, RoleOwner) {
		return errs.Invalid(errs.FieldViolation{Field: "apiKey.roles", Description: "owner cannot be granted to an API key"})
	}
	if creator.IsOwner() {
		return nil
	}
	for _, r := range roles {
		if !slices.Contains(creator.Roles, string(r)) {
			return errs.PermissionDenied(fmt.Sprintf("an API key cannot be granted role %q, which its creator does not hold", r)).
				With("role", string(r))
		}
	}
	return nil
}

// CheckAPIKeyExpiry refuses an expiry that is not in the future.
func CheckAPIKeyExpiry(expire, now time.Time) error {
	if !expire.IsZero() && !expire.After(now) {
		return errs.Invalid(errs.FieldViolation{Field: "apiKey.expireTime", Description: "must be in the future"})
	}
	return nil
}
