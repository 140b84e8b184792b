package domain_test

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestNewWebhookSecret(t *testing.T) {
	a, err := domain.NewWebhookSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := domain.NewWebhookSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two secrets are equal")
	}
	for _, s := range []string{a, b} {
		if !strings.HasPrefix(s, "whsec_") || len(s) != len("whsec_")+43 || strings.ContainsAny(s, "+/=") {
			t.Errorf("secret %q is not whsec_ + 32 bytes of unpadded base64url", s)
		}
		if !domain.IsWebhookSecret(s) {
			t.Errorf("IsWebhookSecret(%q) = false", s)
		}
	}
	if _, err := domain.NewWebhookSecret(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("a short random source gave a secret")
	}
	for _, s := range []string{"", "whsec_", "whsec_abc", "sk_" + a[6:], a + "A", a[:len(a)-1] + "="} {
		if domain.IsWebhookSecret(s) {
			t.Errorf("IsWebhookSecret(%q) = true", s)
		}
	}
}
