package service

import (
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/page"
)

// LoadKeyring reads ENCRYPTION_KEY, the versioned key ring that seals
// secrets and PHI at rest, recording a missing or malformed value in e. It
// is required by the services that call it: without it nothing secret can
// be stored. The value is marked secret, so no error message repeats it.
func LoadKeyring(e *config.Env) *keyring.Keyring {
	e.Secret("ENCRYPTION_KEY")
	raw := e.Required("ENCRYPTION_KEY")
	if raw == "" {
		return nil
	}
	ring, err := keyring.Parse(raw)
	if err != nil {
		e.Invalid("ENCRYPTION_KEY", raw, err.Error())
		return nil
	}
	return ring
}

// PageTokens returns the sealer of the service's page tokens, on a key ring
// derived from ring (LoadKeyring's), so tokens are opaque and share no key
// with the PHI the ring seals. It is nil when ring is, whose problem e
// already holds.
func PageTokens(e *config.Env, ring *keyring.Keyring) *page.Sealer {
	if ring == nil {
		return nil
	}
	sealer, err := page.NewSealer(ring)
	if err != nil {
		e.Invalid("ENCRYPTION_KEY", "", err.Error())
		return nil
	}
	return sealer
}
