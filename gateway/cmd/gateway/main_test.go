package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/config"
)

// TestRunRefusesBadConfiguration proves the gateway stops before opening
// anything when a variable is wrong, and says which.
func TestRunRefusesBadConfiguration(t *testing.T) {
	env := map[string]string{"MAX_BODY_BYTES": "a lot", "GATEWAY_PORT": "99999"}
	err := run(t.Context(), func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard)
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("run = %v, want a configuration error", err)
	}
	named := map[string]bool{}
	for _, p := range cfgErr.Problems {
		named[p.Name] = true
	}
	if !named["MAX_BODY_BYTES"] || !named["GATEWAY_PORT"] {
		t.Errorf("problems %v, want MAX_BODY_BYTES and GATEWAY_PORT named", cfgErr.Problems)
	}
}

// TestRunServesAndStops starts the real binary's run with a company address
// nobody listens on: the gateway is alive, not ready, serves metrics on its
// own port, and stops cleanly when its context ends.
func TestRunServesAndStops(t *testing.T) {
	port, metricsPort := freePort(t), freePort(t)
	env := map[string]string{
		"GATEWAY_PORT": strconv.Itoa(port),
		"METRICS_PORT": strconv.Itoa(metricsPort),
		"COMPANY_ADDR": "127.0.0.1:" + strconv.Itoa(freePort(t)),
		"LOG_LEVEL":    "error",
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard)
	}()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	want := map[string]int{
		base + "/healthz": http.StatusOK,
		base + "/readyz":  http.StatusServiceUnavailable,
		"http://127.0.0.1:" + strconv.Itoa(metricsPort) + "/metrics": http.StatusOK,
	}
	got := map[string]int{}
	deadline := time.Now().Add(10 * time.Second)
	for url := range want {
		for {
			resp, err := http.Get(url)
			if err == nil {
				got[url] = resp.StatusCode
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v", url, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status by URL (-want +got):\n%s", diff)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after stop = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	return lis.Addr().(*net.TCPAddr).Port
}

// TestPrintOpenAPI prints both documents and refuses an unknown version.
func TestPrintOpenAPI(t *testing.T) {
	env := func(string) (string, bool) { return "", false }
	tests := []struct {
		args    []string
		says    string
		wantErr bool
	}{
		{nil, "\n  \"swagger\": \"2.0\",\n", false},
		{[]string{"v3"}, "\nopenapi: 3.0.3\n", false},
		{[]string{"v4"}, "", true},
		{[]string{"v3", "extra"}, "", true},
	}
	for _, tt := range tests {
		var out strings.Builder
		err := printOpenAPI(env, tt.args, &out)
		if (err != nil) != tt.wantErr || !strings.Contains(out.String(), tt.says) {
			t.Errorf("openapi %q: error %v, output %.40q; want error %v, output with %q", tt.args, err, out.String(), tt.wantErr, tt.says)
		}
	}
}
