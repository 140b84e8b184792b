package keyring_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/ariesone/ariesone/platform/keyring"
)

func TestBlindIndex(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	got := k.BlindIndex("patients.mbi", "1EG4TE5MK73")
	if len(got) != keyring.BlindIndexSize {
		t.Fatalf("len(BlindIndex) = %d, want %d", len(got), keyring.BlindIndexSize)
	}

	// The construction is fixed by contract: stored indexes depend on it.
	rawKey, err := base64.StdEncoding.DecodeString(indexKey)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, rawKey)
	mac.Write([]byte("patients.mbi\x001EG4TE5MK73"))
	if want := mac.Sum(nil); !bytes.Equal(got, want) {
		t.Errorf("BlindIndex = %x, want HMAC-SHA256(index key, purpose||0x00||value) = %x", got, want)
	}

	if again := k.BlindIndex("patients.mbi", "1EG4TE5MK73"); !bytes.Equal(got, again) {
		t.Error("BlindIndex is not deterministic")
	}
	if other := k.BlindIndex("coverages.member_id", "1EG4TE5MK73"); bytes.Equal(got, other) {
		t.Error("BlindIndex is equal for two purposes")
	}
	if other := k.BlindIndex("patients.mbi", "1EG4TE5MK74"); bytes.Equal(got, other) {
		t.Error("BlindIndex is equal for two values")
	}
	// The separator keeps purpose and value apart.
	if a, b := k.BlindIndex("patients.m", "bi1EG4TE5MK73"), got; bytes.Equal(a, b) {
		t.Error("BlindIndex does not separate purpose from value")
	}

	otherIndex := mustParse(t, "index:"+key3+",1:"+key1)
	if other := otherIndex.BlindIndex("patients.mbi", "1EG4TE5MK73"); bytes.Equal(got, other) {
		t.Error("BlindIndex is equal under two index keys")
	}
	// Encryption keys do not affect indexes, so rotating them keeps lookups working.
	rotated := mustParse(t, "index:"+indexKey+",1:"+key1+",2:"+key2)
	if other := rotated.BlindIndex("patients.mbi", "1EG4TE5MK73"); !bytes.Equal(got, other) {
		t.Error("BlindIndex changed when an encryption version was added")
	}
}

func TestBlindIndexRejectsBadPurpose(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	for _, purpose := range []string{"", "patients\x00mbi"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BlindIndex(%q, ...) did not panic", purpose)
				}
			}()
			k.BlindIndex(purpose, "x")
		}()
	}
}
