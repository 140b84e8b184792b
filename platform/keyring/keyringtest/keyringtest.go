// Package keyringtest gives tests a fresh key ring, so every service's test
// harness seals with real keys without repeating how one is made.
package keyringtest

import (
	"testing"

	"github.com/ariesone/ariesone/platform/keyring"
)

// New returns a key ring of one fresh key (version 1) and a fresh blind
// index key.
func New(t testing.TB) *keyring.Keyring {
	t.Helper()
	raw, err := keyring.Generate()
	if err != nil {
		t.Fatalf("keyringtest: %v", err)
	}
	ring, err := keyring.Parse(raw)
	if err != nil {
		t.Fatalf("keyringtest: %v", err)
	}
	return ring
}
