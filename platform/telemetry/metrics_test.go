package telemetry

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading /metrics: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d, want 200; body:\n%s", resp.StatusCode, body)
	}
	return string(body)
}

func TestMetricsHandlerExposesRegistry(t *testing.T) {
	reg := NewRegistry("orders")
	body := scrape(t, MetricsHandler(reg))

	want := []string{
		"\ngo_goroutines ",
		"\ngo_build_info{",
		"\nariesone_service_info{service_name=\"orders\"} 1\n",
		"\npromhttp_metric_handler_requests_total{code=\"200\"} 0\n",
	}
	if runtime.GOOS == "linux" {
		want = append(want, "\nprocess_start_time_seconds ")
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %q; body:\n%s", strings.TrimSpace(w), body)
		}
	}

	// A second scrape sees the first one counted.
	if body := scrape(t, MetricsHandler(reg)); !strings.Contains(body, "\npromhttp_metric_handler_requests_total{code=\"200\"} 1\n") {
		t.Errorf("second scrape does not count the first; body:\n%s", body)
	}
}

func TestNewRegistryIsIndependent(t *testing.T) {
	// Two registries (two services in one test binary) must not collide.
	a, b := NewRegistry("orders"), NewRegistry("serials")
	if body := scrape(t, MetricsHandler(b)); strings.Contains(body, `service_name="orders"`) {
		t.Errorf("serials registry exposes orders metrics:\n%s", body)
	}
	if body := scrape(t, MetricsHandler(a)); !strings.Contains(body, `service_name="orders"`) {
		t.Errorf("orders registry lacks its service label:\n%s", body)
	}
}
