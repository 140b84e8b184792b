package service_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/service"
)

// TestPageTokens: two replicas configured with the same ENCRYPTION_KEY
// open each other's page tokens; without a key ring there is no sealer,
// and the missing variable is the one problem reported.
func TestPageTokens(t *testing.T) {
	raw, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	replica := func() *config.Env { return config.FromMap(map[string]string{"ENCRYPTION_KEY": raw}) }
	ea, eb := replica(), replica()
	a := service.PageTokens(ea, service.LoadKeyring(ea))
	b := service.PageTokens(eb, service.LoadKeyring(eb))
	if err := ea.Err(); err != nil || a == nil || b == nil {
		t.Fatalf("PageTokens = %v, %v, %v; want two sealers", a, b, err)
	}
	token, err := a.Seal([]string{"okafor", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}, "ListPatients", "tenant")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := b.Open(token, "ListPatients", "tenant")
	if diff := cmp.Diff([]string{"okafor", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}, keys); diff != "" || err != nil {
		t.Errorf("the other replica opens the token as %q, %v (-want +got):\n%s", keys, err, diff)
	}

	missing := config.FromMap(map[string]string{})
	if s := service.PageTokens(missing, service.LoadKeyring(missing)); s != nil {
		t.Errorf("PageTokens without ENCRYPTION_KEY = %v; want nil", s)
	}
	if err := missing.Err(); err == nil {
		t.Error("a missing ENCRYPTION_KEY is not reported")
	}
}
