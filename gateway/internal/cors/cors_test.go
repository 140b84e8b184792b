package cors_test

import (
	"testing"

	"github.com/ariesone/ariesone/gateway/internal/cors"
)

func TestNormalize(t *testing.T) {
	good := map[string]string{
		"https://App.Example.com":  "https://app.example.com",
		"http://localhost:3000":    "http://localhost:3000",
		"https://app.example.com/": "https://app.example.com",
		"https://[::1]:8443":       "https://[::1]:8443",
	}
	for in, want := range good {
		got, err := cors.Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"*", "null", "app.example.com", "https://*.example.com", "https://app.example.com/path", "ftp://x", "https://user@app.example.com"} {
		if _, err := cors.Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) accepted", bad)
		}
	}
}
