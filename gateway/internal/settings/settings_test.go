package settings_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/gateway/internal/settings"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/ratelimit"
)

func TestDefaults(t *testing.T) {
	e := config.FromMap(nil)
	s := settings.Load(e)
	if err := e.Err(); err != nil {
		t.Fatalf("defaults rejected: %v", err)
	}
	want := settings.Settings{
		Environment:       "development",
		LogLevel:          "info",
		Port:              8080,
		MetricsPort:       9090,
		APIPrefix:         "/api/v1",
		Backends:          map[string]string{"company": "127.0.0.1:8081"},
		MaxBodyBytes:      1 << 20,
		RateLimitEdge:     ratelimit.Limit{Rate: 50, Burst: 100},
		DocsDir:           "gateway/web/swagger-ui",
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		RequestTimeout:    30 * time.Second,
		ShutdownTimeout:   20 * time.Second,
	}
	if diff := cmp.Diff(want, s, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestConfigured(t *testing.T) {
	e := config.FromMap(map[string]string{
		"API_PREFIX":           "/partner/v2/",
		"CLINICAL_ADDR":        "clinical:8082",
		"ORDERS_ADDR":          "orders:8083",
		"CORS_ALLOWED_ORIGINS": "https://App.Partner.example, http://localhost:3000",
		"TRUSTED_PROXIES":      "10.0.0.0/8, 192.168.1.1",
		"REDIS_HOST":           "redis",
		"PUBLIC_URL":           "https://api.acme.example",
	})
	s := settings.Load(e)
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"prefix":   s.APIPrefix,
		"backends": s.Backends,
		"cors":     s.CORSOrigins,
		"proxies":  []string{s.TrustedProxies[0].String(), s.TrustedProxies[1].String()},
		"redis":    s.RedisAddr,
		"public":   s.PublicURL.String(),
	}
	want := map[string]any{
		"prefix":   "/partner/v2",
		"backends": map[string]string{"company": "127.0.0.1:8081", "clinical": "clinical:8082", "orders": "orders:8083"},
		"cors":     []string{"https://app.partner.example", "http://localhost:3000"},
		"proxies":  []string{"10.0.0.0/8", "192.168.1.1/32"},
		"redis":    "redis:6379",
		"public":   "https://api.acme.example",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
}

// TestBadValuesNamed proves a bad value stops the start with the variable
// named, each one, in one error.
func TestBadValuesNamed(t *testing.T) {
	e := config.FromMap(map[string]string{
		"GATEWAY_PORT":         "http",
		"COMPANY_ADDR":         "company",
		"CORS_ALLOWED_ORIGINS": "*",
		"MAX_BODY_BYTES":       "-1",
		"RATE_LIMIT_EDGE":      "lots",
		"TRUSTED_PROXIES":      "the load balancer",
		"HTTP_WRITE_TIMEOUT":   "10s",
		"REQUEST_TIMEOUT":      "30s",
		"API_PREFIX":           "/docs/api",
		"PUBLIC_URL":           "https://api.acme.example/v1",
	})
	settings.Load(e)
	var cfgErr *config.Error
	if !errors.As(e.Err(), &cfgErr) {
		t.Fatalf("Err() = %v, want a *config.Error", e.Err())
	}
	var got []string
	for _, p := range cfgErr.Problems {
		got = append(got, p.Name)
	}
	want := []string{"GATEWAY_PORT", "API_PREFIX", "MAX_BODY_BYTES", "RATE_LIMIT_EDGE", "PUBLIC_URL",
		"TRUSTED_PROXIES", "CORS_ALLOWED_ORIGINS", "COMPANY_ADDR", "REQUEST_TIMEOUT"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("variables named (-want +got):\n%s", diff)
	}
}
