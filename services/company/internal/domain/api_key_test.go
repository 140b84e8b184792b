package domain

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
)

func TestAPIKeyRoundTrip(t *testing.T) {
	id := uuid.MustParse("0195f3a2-1b2c-7d3e-8f40-5a6b7c8d9e0f")
	key, prefix, hash, err := NewAPIKeySecret(id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "ak_live_0195f3a21b2c7d3e8f405a6b7c8d9e0f_") || len(key) != APIKeyLen {
		t.Fatalf("key %q: want the id in hex after ak_live_ and %d characters", key, APIKeyLen)
	}
	if prefix != "ak_live_0195f3a21b2c7d3e8f405a6b7c8d9e0f" {
		t.Errorf("prefix = %q, want the whole public id part", prefix)
	}
	gotID, gotHash, err := ParseAPIKey(key)
	if err != nil || gotID != id.String() || !bytes.Equal(gotHash, hash) {
		t.Fatalf("ParseAPIKey = %s, %x, %v; want %s, %x", gotID, gotHash, err, id, hash)
	}
}

func TestParseAPIKeyRefusesMalformed(t *testing.T) {
	good, _, _, _ := NewAPIKeySecret(uuid.Must(uuid.NewV7()))
	idPart, secretPart := good[8:40], good[41:]
	tests := map[string]string{
		"empty":            "",
		"refresh token":    "rt_" + secretPart,
		"test prefix":      "ak_test_" + idPart + "_" + secretPart,
		"upper-case id":    "ak_live_" + strings.ToUpper(idPart) + "_" + secretPart,
		"id not hex":       "ak_live_" + strings.Repeat("g", 32) + "_" + secretPart,
		"dash separator":   "ak_live_" + idPart + "-" + secretPart,
		"short secret":     good[:len(good)-1],
		"long secret":      good + "A",
		"padded secret":    "ak_live_" + idPart + "_" + secretPart[:len(secretPart)-1] + "=",
		"dashed uuid":      "ak_live_" + uuid.Must(uuid.NewV7()).String() + "_" + secretPart,
		"whitespace":       " " + good[1:],
		"secret non-b64":   "ak_live_" + idPart + "_" + strings.Repeat("!", 43),
		"no secret at all": "ak_live_" + idPart + "_",
	}
	for name, key := range tests {
		t.Run(name, func(t *testing.T) {
			if _, _, err := ParseAPIKey(key); err != ErrMalformedAPIKey {
				t.Errorf("ParseAPIKey(%q) error = %v, want ErrMalformedAPIKey", key, err)
			}
		})
	}
}

func FuzzParseAPIKey(f *testing.F) {
	good, _, _, _ := NewAPIKeySecret(uuid.Must(uuid.NewV7()))
	f.Add(good)
	f.Add("ak_live_")
	f.Add("ak_live_" + strings.Repeat("0", 32) + "_" + strings.Repeat("A", 43))
	f.Add("ak_live_" + strings.Repeat("f", 32) + "_" + strings.Repeat("-", 43))
	f.Fuzz(func(t *testing.T, key string) {
		id, hash, err := ParseAPIKey(key)
		if err != nil {
			if id != "" || hash != nil {
				t.Fatal("values returned with an error")
			}
			return
		}
		// Anything accepted is exactly what NewAPIKeySecret would print for
		// that id and secret: one spelling per key.
		u, perr := uuid.Parse(id)
		if perr != nil || len(hash) != 32 || len(key) != APIKeyLen {
			t.Fatalf("accepted %q as id %q with a hash of %d bytes", key, id, len(hash))
		}
		secret, derr := tokenSecretEncoding().DecodeString(key[41:])
		if derr != nil {
			t.Fatalf("accepted %q whose secret does not decode: %v", key, derr)
		}
		if want := APIKeyPrefix + strings.ReplaceAll(u.String(), "-", "") + "_" + tokenSecretEncoding().EncodeToString(secret); want != key {
			t.Fatalf("accepted %q, which re-encodes as %q", key, want)
		}
	})
}

func TestAPIKeyAuthenticate(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	_, _, hash, _ := NewAPIKeySecret(uuid.Must(uuid.NewV7()))
	other := bytes.Clone(hash)
	other[31] ^= 1
	live := APIKey{SecretHash: hash}
	revoked := APIKey{SecretHash: hash, RevokeTime: now.Add(-time.Second)}
	expired := APIKey{SecretHash: hash, ExpireTime: now}
	future := APIKey{SecretHash: hash, ExpireTime: now.Add(time.Second)}
	disabled := APIKey{SecretHash: hash, DisableTime: now.Add(-time.Second), DisableReason: APIKeyCreatorDeactivated}
	tests := []struct {
		name string
		key  APIKey
		hash []byte
		want error
	}{
		{"right secret", live, hash, nil},
		{"wrong secret", live, other, ErrAPIKeyWrongSecret},
		{"no secret", live, nil, ErrAPIKeyWrongSecret},
		{"revoked", revoked, hash, ErrAPIKeyRevoked},
		{"wrong secret of a revoked key", revoked, other, ErrAPIKeyWrongSecret},
		{"expires now", expired, hash, ErrAPIKeyExpired},
		{"expires later", future, hash, nil},
		{"disabled with its creator", disabled, hash, ErrAPIKeyDisabled},
		{"wrong secret of a disabled key", disabled, other, ErrAPIKeyWrongSecret},
	}
	for _, tc := range tests {
		if got := tc.key.Authenticate(tc.hash, now); got != tc.want {
			t.Errorf("%s: Authenticate = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A disabled key shows as ended when it was disabled, unless it was revoked
// before; revoking it later does not move the end.
func TestAPIKeyEndTime(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Hour)
	tests := []struct {
		name string
		key  APIKey
		want time.Time
	}{
		{"usable", APIKey{}, time.Time{}},
		{"revoked", APIKey{RevokeTime: t0}, t0},
		{"disabled", APIKey{DisableTime: t0}, t0},
		{"disabled, then revoked", APIKey{DisableTime: t0, RevokeTime: t1}, t0},
		{"revoked, then disabled", APIKey{RevokeTime: t0, DisableTime: t1}, t0},
	}
	for _, tc := range tests {
		if got := tc.key.EndTime(); !got.Equal(tc.want) {
			t.Errorf("%s: EndTime = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAPIKeyRecordsUseAtMostOnceAMinute(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		lastUsed time.Time
		want     bool
	}{
		{time.Time{}, true},
		{now.Add(-59 * time.Second), false},
		{now.Add(-time.Minute), true},
		{now.Add(-time.Hour), true},
	}
	for _, tc := range tests {
		if got := (APIKey{LastUsedTime: tc.lastUsed}).ShouldRecordUse(now); got != tc.want {
			t.Errorf("last used %v: ShouldRecordUse = %v, want %v", tc.lastUsed, got, tc.want)
		}
	}
}

func TestCheckAPIKeyGrant(t *testing.T) {
	owner := Actor{ID: "o", Roles: []string{"owner"}}
	admin := Actor{ID: "a", Roles: []string{"admin", "billing"}}
	tests := []struct {
		name    string
		creator Actor
		roles   []Role
		want    errs.Kind
		ok      bool
	}{
		{"owner grants partner", owner, []Role{RolePartner}, 0, true},
		{"owner grants admin", owner, []Role{RoleAdmin, RoleBilling}, 0, true},
		{"owner grants owner", owner, []Role{RoleOwner}, errs.KindInvalid, false},
		{"admin grants a role it holds", admin, []Role{RoleBilling}, 0, true},
		{"admin grants a role it lacks", admin, []Role{RoleBilling, RolePartner}, errs.KindPermissionDenied, false},
		{"admin grants owner", admin, []Role{RoleOwner}, errs.KindInvalid, false},
		{"no roles", owner, nil, errs.KindInvalid, false},
	}
	for _, tc := range tests {
		err := CheckAPIKeyGrant(tc.creator, tc.roles)
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v, want nil", tc.name, err)
			}
			continue
		}
		if got := errs.KindOf(err); err == nil || got != tc.want {
			t.Errorf("%s: error %v (kind %s), want kind %s", tc.name, err, got, tc.want)
		}
	}
}

func TestCheckAPIKeyExpiry(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		expire time.Time
		ok     bool
	}{{time.Time{}, true}, {now.Add(time.Second), true}, {now, false}, {now.Add(-time.Hour), false}} {
		if err := CheckAPIKeyExpiry(tc.expire, now); (err == nil) != tc.ok {
			t.Errorf("CheckAPIKeyExpiry(%v) = %v, want ok=%v", tc.expire, err, tc.ok)
		}
	}
}
