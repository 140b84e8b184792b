package page_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
)

// FuzzOpen checks that no input makes Open panic, that every rejection is
// an invalid pageToken, and that the only tokens it accepts are the ones
// Seal made: a forger without the key cannot make another.
func FuzzOpen(f *testing.F) {
	s := newSealer(f)
	keys := []string{"2026-03-01T10:00:00Z", "id-1"}
	seed, err := s.Seal(keys, "scope")
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range []string{seed, "", "Ag", "AQAAAAAAAAAAAQAA", "====", strings.Repeat("_", 64), seed[:len(seed)-1], seed + "A"} {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, token string) {
		got, err := s.Open(token, "scope")
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("Open(%q) kind = %v, want invalid", token, errs.KindOf(err))
			}
			return
		}
		if token != "" && (token != seed || !cmp.Equal(got, keys)) {
			t.Fatalf("Open(%q) = %q: a token Seal never made was accepted", token, got)
		}
	})
}

// FuzzTamper alters one byte of a sealed token, wherever it falls (format,
// key version, nonce, ciphertext or tag): the result is refused as an
// invalid pageToken unless nothing changed.
func FuzzTamper(f *testing.F) {
	s := newSealer(f)
	keys := []string{"okafor", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}
	token, err := s.Seal(keys, "ListPatients", "tenant")
	if err != nil {
		f.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		f.Fatal(err)
	}
	for _, i := range []uint{0, 1, 5, 6, 17, 18, 40, uint(len(raw) - 1)} {
		f.Add(i, byte(1))
		f.Add(i, byte(0x80))
	}
	f.Fuzz(func(t *testing.T, i uint, xor byte) {
		b := bytes.Clone(raw)
		b[i%uint(len(b))] ^= xor
		got, err := s.Open(base64.RawURLEncoding.EncodeToString(b), "ListPatients", "tenant")
		if xor == 0 {
			if err != nil || !cmp.Equal(got, keys) {
				t.Fatalf("the untouched token opens as %q, %v", got, err)
			}
			return
		}
		if errs.KindOf(err) != errs.KindInvalid {
			t.Fatalf("byte %d ^ %#x: Open = %q, %v; want an invalid pageToken", i%uint(len(b)), xor, got, err)
		}
	})
}
