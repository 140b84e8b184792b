package keyring_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ariesone/ariesone/platform/keyring"
)

func TestEncryptDecryptRoundTrip(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{name: "MBI with row and column", plaintext: []byte("1EG4TE5MK73"), aad: []byte("018f2c1e-7b3a-7000-8000-000000000001\x00mbi")},
		{name: "empty plaintext", plaintext: []byte{}, aad: []byte("row\x00col")},
		{name: "no associated data", plaintext: []byte("123-45-6789"), aad: nil},
		{name: "binary plaintext", plaintext: []byte{0, 1, 2, 0xff, 0}, aad: []byte{0}},
		{name: "large plaintext", plaintext: bytes.Repeat([]byte("x"), 1<<16), aad: []byte("a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := k.Encrypt(tt.plaintext, tt.aad)
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			if got, want := len(sealed), len(tt.plaintext)+keyring.Overhead; got != want {
				t.Errorf("len(ciphertext) = %d, want %d", got, want)
			}
			if sealed[0] != 1 {
				t.Errorf("format tag = %d, want 1", sealed[0])
			}
			if v := binary.BigEndian.Uint32(sealed[1:5]); v != 1 {
				t.Errorf("version in header = %d, want 1", v)
			}
			if len(tt.plaintext) >= 4 && bytes.Contains(sealed, tt.plaintext) {
				t.Error("ciphertext contains the plaintext")
			}
			got, err := k.Decrypt(sealed, tt.aad)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Decrypt = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestEncryptUsesFreshNonces(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	a, err := k.Encrypt([]byte("1EG4TE5MK73"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.Encrypt([]byte("1EG4TE5MK73"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Error("two encryptions of one plaintext are equal; the nonce is not fresh")
	}
}

func TestDecryptRejects(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	aad := []byte("row-1\x00mbi")
	sealed, err := k.Encrypt([]byte("1EG4TE5MK73"), aad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name        string
		ciphertext  []byte
		aad         []byte
		wantUnknown bool
	}{
		{name: "other row", ciphertext: sealed, aad: []byte("row-2\x00mbi")},
		{name: "other column", ciphertext: sealed, aad: []byte("row-1\x00ssn")},
		{name: "missing associated data", ciphertext: sealed, aad: nil},
		{name: "bit flipped in format tag", ciphertext: flip(0), aad: aad},
		{name: "bit flipped in version", ciphertext: flip(4), aad: aad, wantUnknown: true},
		{name: "bit flipped in nonce", ciphertext: flip(5), aad: aad},
		{name: "bit flipped in body", ciphertext: flip(keyring.Overhead - 16), aad: aad},
		{name: "bit flipped in tag", ciphertext: flip(len(sealed) - 1), aad: aad},
		{name: "truncated", ciphertext: sealed[:len(sealed)-1], aad: aad},
		{name: "shorter than the header", ciphertext: sealed[:4], aad: aad},
		{name: "empty", ciphertext: nil, aad: aad},
		{name: "extended", ciphertext: append(bytes.Clone(sealed), 0), aad: aad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Decrypt(tt.ciphertext, tt.aad)
			if err == nil {
				t.Fatalf("Decrypt succeeded with %q, want error", got)
			}
			if !errors.Is(err, keyring.ErrDecrypt) {
				t.Errorf("Decrypt error = %v, want it to match ErrDecrypt", err)
			}
			if got := errors.Is(err, keyring.ErrUnknownKeyVersion); got != tt.wantUnknown {
				t.Errorf("errors.Is(err, ErrUnknownKeyVersion) = %t, want %t (err: %v)", got, tt.wantUnknown, err)
			}
		})
	}
}

func TestDecryptWithOtherRingFails(t *testing.T) {
	a := mustParse(t, "index:"+indexKey+",1:"+key1)
	b := mustParse(t, "index:"+indexKey+",1:"+key2)
	sealed, err := a.Encrypt([]byte("1EG4TE5MK73"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Decrypt(sealed, nil)
	if !errors.Is(err, keyring.ErrDecrypt) || errors.Is(err, keyring.ErrUnknownKeyVersion) {
		t.Errorf("Decrypt with another key of the same version: err = %v, want ErrDecrypt only", err)
	}
}

func TestEncryptStringRoundTrip(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	sealed, err := k.EncryptString("1EG4TE5MK73", "row-1", "mbi")
	if err != nil {
		t.Fatalf("EncryptString: %v", err)
	}
	got, err := k.DecryptString(sealed, "row-1", "mbi")
	if err != nil {
		t.Fatalf("DecryptString: %v", err)
	}
	if got != "1EG4TE5MK73" {
		t.Errorf("DecryptString = %q, want %q", got, "1EG4TE5MK73")
	}
	// The parts join with 0x00, so the byte-level API opens it too.
	if _, err := k.Decrypt(sealed, []byte("row-1\x00mbi")); err != nil {
		t.Errorf("Decrypt with the joined associated data: %v", err)
	}
	for _, aad := range [][]string{{"row-1"}, {"row-1", "ssn"}, {"mbi", "row-1"}, {"row-1mbi"}, {"row-1", "mbi", ""}} {
		if _, err := k.DecryptString(sealed, aad...); !errors.Is(err, keyring.ErrDecrypt) {
			t.Errorf("DecryptString with associated data %q: err = %v, want ErrDecrypt", aad, err)
		}
	}
}

func TestEncryptStringRejectsSeparatorInParts(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1)
	if _, err := k.EncryptString("x", "row\x00mbi"); err == nil {
		t.Error("EncryptString accepted an associated data part containing 0x00")
	}
	sealed, err := k.EncryptString("x", "row", "mbi")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.DecryptString(sealed, "row\x00mbi"); err == nil {
		t.Error("DecryptString accepted an associated data part containing 0x00")
	}
}

func TestRotation(t *testing.T) {
	ringV1 := mustParse(t, "index:"+indexKey+",1:"+key1)
	ringV1V2 := mustParse(t, "index:"+indexKey+",1:"+key1+",2:"+key2)
	ringV2 := mustParse(t, "index:"+indexKey+",2:"+key2)
	aad := []byte("row-1\x00mbi")

	old, err := ringV1.Encrypt([]byte("1EG4TE5MK73"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if ringV1.NeedsReencrypt(old) {
		t.Error("ring {1}: NeedsReencrypt(v1 ciphertext) = true, want false")
	}

	// Step 1: the new ring still opens old values, and flags them.
	if got, err := ringV1V2.Decrypt(old, aad); err != nil || string(got) != "1EG4TE5MK73" {
		t.Fatalf("ring {1,2}: Decrypt(v1 ciphertext) = %q, %v; want the plaintext", got, err)
	}
	if !ringV1V2.NeedsReencrypt(old) {
		t.Error("ring {1,2}: NeedsReencrypt(v1 ciphertext) = false, want true")
	}
	// Until re-sealed, a ring without version 1 cannot open it.
	if _, err := ringV2.Decrypt(old, aad); !errors.Is(err, keyring.ErrUnknownKeyVersion) || !errors.Is(err, keyring.ErrDecrypt) {
		t.Errorf("ring {2}: Decrypt(v1 ciphertext) error = %v, want ErrUnknownKeyVersion matching ErrDecrypt too", err)
	}

	// Step 2: re-seal under the primary.
	moved, err := ringV1V2.Reencrypt(old, aad)
	if err != nil {
		t.Fatalf("Reencrypt: %v", err)
	}
	if v := binary.BigEndian.Uint32(moved[1:5]); v != 2 {
		t.Errorf("version after Reencrypt = %d, want 2", v)
	}
	if ringV1V2.NeedsReencrypt(moved) {
		t.Error("ring {1,2}: NeedsReencrypt after Reencrypt = true, want false")
	}
	if _, err := ringV1V2.Reencrypt(old, []byte("row-2\x00mbi")); !errors.Is(err, keyring.ErrDecrypt) {
		t.Errorf("Reencrypt with wrong associated data: err = %v, want ErrDecrypt", err)
	}

	// Step 3: version 1 is dropped; the re-sealed value still opens.
	if got, err := ringV2.Decrypt(moved, aad); err != nil || string(got) != "1EG4TE5MK73" {
		t.Errorf("ring {2}: Decrypt(re-sealed) = %q, %v; want the plaintext", got, err)
	}
	// An old ring cannot open what a newer primary sealed.
	if _, err := ringV1.Decrypt(moved, aad); !errors.Is(err, keyring.ErrUnknownKeyVersion) {
		t.Errorf("ring {1}: Decrypt(v2 ciphertext) error = %v, want ErrUnknownKeyVersion", err)
	}
	// A version the ring has never held still needs re-encryption.
	if !ringV2.NeedsReencrypt(old) {
		t.Error("ring {2}: NeedsReencrypt(v1 ciphertext) = false, want true")
	}
}

func TestNeedsReencryptOnGarbage(t *testing.T) {
	k := mustParse(t, "index:"+indexKey+",1:"+key1+",2:"+key2)
	for _, c := range [][]byte{nil, {}, {1}, bytes.Repeat([]byte{9}, keyring.Overhead)} {
		if k.NeedsReencrypt(c) {
			t.Errorf("NeedsReencrypt(%x) = true, want false for a non-ciphertext", c)
		}
	}
}

func TestZeroKeyringFailsClosed(t *testing.T) {
	var k keyring.Keyring
	if _, err := k.Encrypt([]byte("x"), nil); err == nil {
		t.Error("Encrypt on a zero Keyring succeeded")
	}
	other := mustParse(t, "index:"+indexKey+",1:"+key1)
	sealed, err := other.Encrypt([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Decrypt(sealed, nil); !errors.Is(err, keyring.ErrDecrypt) {
		t.Errorf("Decrypt on a zero Keyring: err = %v, want ErrDecrypt", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("BlindIndex on a zero Keyring did not panic")
		}
	}()
	k.BlindIndex("patients.mbi", "1EG4TE5MK73")
}
