package domain

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// WebhookSecretPrefix starts every signing secret, so a secret pasted into
// the wrong place (a log, a ticket, a repository) is recognisable to people
// and to secret scanners.
const WebhookSecretPrefix = "whsec_"

// webhookSecretBytes is the secret's entropy: 256 bits, the HMAC-SHA256
// block's worth of security and more than any brute force can reach.
const webhookSecretBytes = 32

// NewWebhookSecret draws a signing secret from random (crypto/rand.Reader in
// production): "whsec_" followed by 32 random bytes in unpadded base64url,
// 49 characters that survive URLs, shells and JSON without escaping.
func NewWebhookSecret(random io.Reader) (string, error) {
	b := make([]byte, webhookSecretBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("webhook secret: reading random bytes: %w", err)
	}
	return WebhookSecretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// IsWebhookSecret reports whether s has the shape NewWebhookSecret makes.
// Stored secrets are checked after decryption, so a ciphertext bound to the
// wrong row can never sign with garbage.
func IsWebhookSecret(s string) bool {
	encoded, ok := strings.CutPrefix(s, WebhookSecretPrefix)
	if !ok {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(encoded)
	return err == nil && len(b) == webhookSecretBytes
}
