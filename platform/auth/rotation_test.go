package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
)

// TestRotatedKeyIsFetchedFromASlowKeyServer proves an unknown kid triggers a
// fetch that has time to finish: the key server here answers in 50ms, as a
// real one across a network does.
func TestRotatedKeyIsFetchedFromASlowKeyServer(t *testing.T) {
	keys := authtest.NewKeySet(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		resp, err := http.Get(keys.URL())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(slow.Close)

	v, err := auth.NewVerifier(t.Context(), auth.VerifierConfig{
		JWKSURL: slow.URL, Issuer: authtest.Issuer, Audience: authtest.Audience,
		UnknownKIDRefreshFloor: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Verify(ctx, keys.Mint(authtest.Claims(uuid.NewString(), "c1", "owner"))); err != nil {
		t.Fatalf("token of the first key: %v", err)
	}
	time.Sleep(20 * time.Millisecond) // past the refresh floor
	rotated := keys.Rotate()
	if _, err := v.Verify(ctx, authtest.Sign(t, rotated, authtest.Claims(uuid.NewString(), "c1", "owner"))); err != nil {
		t.Fatalf("token of the rotated key %s behind a slow key server: %v", rotated.KeyID, err)
	}
}
