package keyring_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/keyring"
)

// mustDerive derives the ring of purpose or stops the test.
func mustDerive(t testing.TB, k *keyring.Keyring, purpose string) *keyring.Keyring {
	t.Helper()
	d, err := k.Derive(purpose)
	if err != nil {
		t.Fatalf("Derive(%q): %v", purpose, err)
	}
	return d
}

// TestDeriveKnownAnswer pins the derivation: a change to it would make
// everything a derived ring sealed before unreadable.
func TestDeriveKnownAnswer(t *testing.T) {
	d := mustDerive(t, mustParse(t, "index:"+indexKey+",1:"+key1), "page-token")
	const wantIndex = "197976cf93cccce27f0f4a85f1231e92f32ceb12b106f6d1ec54641b7f6be8be"
	if got := hex.EncodeToString(d.BlindIndex("test", "value")); got != wantIndex {
		t.Errorf("derived BlindIndex = %s, want %s", got, wantIndex)
	}
	sealed, err := hex.DecodeString("0100000001075a819ea2a3077f606943bc46b8e90963de485d0cbffcb6004796e7d0e1d0635ab25b9315")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := d.Decrypt(sealed, []byte("aad")); err != nil || string(got) != "plaintext" {
		t.Errorf("derived ring opens the pinned ciphertext as %q, %v; want \"plaintext\"", got, err)
	}
}

func TestDeriveKeepsVersions(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1+",7:"+key2)
	d := mustDerive(t, k, "page-token")
	if d.PrimaryVersion() != 7 {
		t.Errorf("PrimaryVersion = %d, want 7", d.PrimaryVersion())
	}
	if diff := cmp.Diff([]int{1, 7}, d.Versions()); diff != "" {
		t.Errorf("Versions (-want +got):\n%s", diff)
	}
}

// TestDeriveSeparatesPurposes: what one ring seals opens under no other,
// and blind indexes of the same input are unrelated.
func TestDeriveSeparatesPurposes(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	rings := map[string]*keyring.Keyring{
		"parent":     k,
		"page-token": mustDerive(t, k, "page-token"),
		"page-tokeN": mustDerive(t, k, "page-tokeN"),
		"nested":     mustDerive(t, mustDerive(t, k, "page"), "token"),
	}
	aad := []byte("scope")
	for sealer, s := range rings {
		sealed, err := s.Encrypt([]byte("secret"), aad)
		if err != nil {
			t.Fatal(err)
		}
		for opener, o := range rings {
			got, err := o.Decrypt(sealed, aad)
			if opener == sealer {
				if err != nil || string(got) != "secret" {
					t.Errorf("%s cannot open its own ciphertext: %q, %v", sealer, got, err)
				}
				continue
			}
			if !errors.Is(err, keyring.ErrDecrypt) {
				t.Errorf("%s opened what %s sealed: %q, %v", opener, sealer, got, err)
			}
		}
		for other, o := range rings {
			if other != sealer && bytes.Equal(s.BlindIndex("p", "v"), o.BlindIndex("p", "v")) {
				t.Errorf("%s and %s compute the same blind index", sealer, other)
			}
		}
	}
}

// TestDeriveAcrossReplicas: two processes parsing the same ENCRYPTION_KEY
// derive the same ring, so one opens what the other sealed.
func TestDeriveAcrossReplicas(t *testing.T) {
	raw := "index:" + indexKey + ",1:" + key1
	a := mustDerive(t, mustParse(t, raw), "page-token")
	b := mustDerive(t, mustParse(t, raw), "page-token")
	sealed, err := a.Encrypt([]byte("after"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Decrypt(sealed, nil); err != nil || string(got) != "after" {
		t.Errorf("replica b opens replica a's ciphertext as %q, %v", got, err)
	}
}

// TestDeriveRotates walks a rotation of ENCRYPTION_KEY: a derived ring
// follows it as the parent does.
func TestDeriveRotates(t *testing.T) {
	v1 := mustDerive(t, mustParse(t, "index:"+indexKey+",1:"+key1), "page-token")
	v1v2 := mustDerive(t, mustParse(t, "index:"+indexKey+",1:"+key1+",2:"+key2), "page-token")
	v2 := mustDerive(t, mustParse(t, "index:"+indexKey+",2:"+key2), "page-token")

	old, err := v1.Encrypt([]byte("after"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v1v2.Decrypt(old, nil); err != nil || string(got) != "after" {
		t.Errorf("ring {1,2} opens a version 1 ciphertext as %q, %v", got, err)
	}
	if _, err := v2.Decrypt(old, nil); !errors.Is(err, keyring.ErrUnknownKeyVersion) {
		t.Errorf("ring {2} on a version 1 ciphertext: %v, want ErrUnknownKeyVersion", err)
	}
	newer, err := v1v2.Encrypt([]byte("after"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v2.Decrypt(newer, nil); err != nil || string(got) != "after" {
		t.Errorf("ring {2} opens what ring {1,2} sealed as %q, %v", got, err)
	}
}

func TestDeriveRejects(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	for _, purpose := range []string{"", "page\x00token"} {
		if d, err := k.Derive(purpose); err == nil {
			t.Errorf("Derive(%q) = %v, nil; want an error", purpose, d)
		}
	}
	var zero keyring.Keyring
	if d, err := zero.Derive("page-token"); err == nil {
		t.Errorf("Derive on a zero Keyring = %v, nil; want an error", d)
	}
	var none *keyring.Keyring
	if d, err := none.Derive("page-token"); err == nil {
		t.Errorf("Derive on a nil Keyring = %v, nil; want an error", d)
	}
}
