package keyring_test

import (
	"bytes"
	"errors"
	"regexp"
	"testing"

	"github.com/ariesone/ariesone/platform/keyring"
)

// parseErrorForm is every message Parse may return, with numbers (entry
// positions, versions, byte counts) as the only variable parts. A message
// outside it could be quoting the input, and with it key material.
var parseErrorForm = regexp.MustCompile(`^keyring: (` +
	`ENCRYPTION_KEY is empty; expected entries like index:<base64>,1:<base64>` +
	`|entry \d{1,10} is empty` +
	`|entry \d{1,10} has no ':' between label and key` +
	`|entry \d{1,10} repeats the index key of entry \d{1,10}; there is exactly one index key` +
	`|entry \d{1,10} repeats version \d{1,10}` +
	`|entry \d{1,10}: label is empty; expected "index" or a positive version number` +
	`|entry \d{1,10}: label is neither "index" nor a version number \(a positive decimal integer\)` +
	`|entry \d{1,10}: version must be a positive integer without leading zeros` +
	`|entry \d{1,10}: version is larger than 2147483647` +
	`|entry \d{1,10} \((index|version \d{1,10})\)(` +
	`: key is empty` +
	`|: key is not valid standard base64 \(with padding\)` +
	`|: key decodes to \d{1,10} bytes; want 32` +
	`|: key is one byte repeated, a placeholder rather than a random key` +
	`| has the same key as entry \d{1,10}; every key must be distinct)` +
	`|no index entry; add one index:<base64 of 32 bytes> for blind indexes` +
	`|no encryption key version; add one like 1:<base64 of 32 bytes>` +
	`)$`)

// FuzzParse feeds arbitrary ENCRYPTION_KEY values to Parse: it must not
// panic, its errors must keep to the fixed forms above, and a ring it
// accepts must work.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"index:" + indexKey + ",1:" + key1,
		"index:" + indexKey + ",1:" + key1 + ",2:" + key2,
		" index : " + indexKey + " , 2 : " + key2 + " ",
		"1:" + key1,
		"index:" + indexKey,
		"index:" + indexKey + ",1:" + key1 + ",1:" + key2,
		"index:" + indexKey + ",0:" + key1,
		"index:" + indexKey + ",-1:" + key1,
		"index:" + indexKey + ",01:" + key1,
		"index:" + indexKey + ",x:" + key1,
		"index:" + indexKey + ",1:" + key1[:20],
		"index:" + indexKey + ",1:" + key1[:43] + "!",
		"index:" + indexKey + ",1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"index:" + key1 + ",1:" + key1,
		",,,", ":", "index:", "1:", key1, "4294967296:" + key1, "\x00:\xff", "100000:", "\"index:",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		k, err := keyring.Parse(in)
		if err != nil {
			if k != nil {
				t.Errorf("Parse returned both a ring and an error")
			}
			if !parseErrorForm.MatchString(err.Error()) {
				t.Errorf("Parse error %q is not one of the fixed forms (it may quote the input)", err)
			}
			// The fixed forms already rule out quoting; this catches a
			// regression of the forms themselves. Short parts are skipped
			// because the fuzzer readily makes them out of message words.
			assertNoKeyMaterial(t, err.Error(), in, 20)
			return
		}
		if v := k.PrimaryVersion(); v < 1 || v > keyring.MaxVersion {
			t.Fatalf("PrimaryVersion() = %d, out of range", v)
		}
		sealed, err := k.Encrypt([]byte("1EG4TE5MK73"), []byte("row"))
		if err != nil {
			t.Fatalf("Encrypt: %v", err)
		}
		if got, err := k.Decrypt(sealed, []byte("row")); err != nil || string(got) != "1EG4TE5MK73" {
			t.Fatalf("Decrypt = %q, %v; want the plaintext", got, err)
		}
		if got := len(k.BlindIndex("patients.mbi", "x")); got != keyring.BlindIndexSize {
			t.Fatalf("len(BlindIndex) = %d", got)
		}
	})
}

// fuzzSealed are the plaintexts FuzzDecrypt seals, with their associated
// data. A successful Decrypt of fuzzed input must give one of them with
// its own associated data: anything else would be a forgery.
var fuzzSealed = []struct{ plaintext, aad string }{
	{"1EG4TE5MK73", "row-1\x00mbi"},
	{"", ""},
	{"123-45-6789", "row-2\x00ssn"},
}

// FuzzDecrypt feeds arbitrary bytes to every method that reads a
// ciphertext: none may panic, every failure must match ErrDecrypt, and
// nothing but a genuine ciphertext with its own associated data opens.
func FuzzDecrypt(f *testing.F) {
	k := mustParse(f, "index:"+indexKey+",1:"+key1+",2:"+key2)
	old := mustParse(f, "index:"+indexKey+",1:"+key1)
	for _, s := range fuzzSealed {
		for _, ring := range []*keyring.Keyring{k, old} {
			sealed, err := ring.Encrypt([]byte(s.plaintext), []byte(s.aad))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(sealed, []byte(s.aad))
			f.Add(sealed, []byte("row-9\x00mbi"))
			f.Add(sealed[:len(sealed)-1], []byte(s.aad))
			flipped := bytes.Clone(sealed)
			flipped[len(flipped)/2] ^= 0x80
			f.Add(flipped, []byte(s.aad))
		}
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1, 0, 0, 0, 3}, []byte{})
	f.Add(bytes.Repeat([]byte{1}, keyring.Overhead), []byte("x"))
	f.Add(bytes.Repeat([]byte{0xff}, 64), []byte("x"))

	f.Fuzz(func(t *testing.T, ciphertext, aad []byte) {
		plaintext, err := k.Decrypt(ciphertext, aad)
		if err != nil {
			if !errors.Is(err, keyring.ErrDecrypt) {
				t.Errorf("Decrypt error %v does not match ErrDecrypt", err)
			}
		} else if !isSealedPair(plaintext, aad) {
			t.Errorf("Decrypt opened a forged ciphertext: plaintext %q, aad %q", plaintext, aad)
		}
		if _, err := k.DecryptString(ciphertext, string(aad)); err != nil && !errors.Is(err, keyring.ErrDecrypt) && !bytes.Contains(aad, []byte{0}) {
			t.Errorf("DecryptString error %v does not match ErrDecrypt", err)
		}
		needs := k.NeedsReencrypt(ciphertext)
		resealed, err := k.Reencrypt(ciphertext, aad)
		if err == nil {
			if k.NeedsReencrypt(resealed) {
				t.Error("NeedsReencrypt(Reencrypt result) = true")
			}
			if got, err := k.Decrypt(resealed, aad); err != nil || !bytes.Equal(got, plaintext) {
				t.Errorf("re-sealed value opens as %q, %v; want %q", got, err, plaintext)
			}
		} else if !errors.Is(err, keyring.ErrDecrypt) {
			t.Errorf("Reencrypt error %v does not match ErrDecrypt", err)
		}
		if errors.Is(err, keyring.ErrUnknownKeyVersion) && !needs {
			t.Error("NeedsReencrypt = false for a ciphertext of an unknown version")
		}
	})
}

func isSealedPair(plaintext, aad []byte) bool {
	for _, s := range fuzzSealed {
		if string(plaintext) == s.plaintext && string(aad) == s.aad {
			return true
		}
	}
	return false
}
