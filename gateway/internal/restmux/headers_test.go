package restmux

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeaderMatchers(t *testing.T) {
	type match struct {
		Name string
		OK   bool
	}
	outgoing := map[string]match{}
	for _, k := range []string{"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after", "x-request-id", "content-type", "x-internal-host"} {
		name, ok := OutgoingHeader(k)
		outgoing[k] = match{name, ok}
	}
	wantOut := map[string]match{
		"x-ratelimit-limit":     {"X-RateLimit-Limit", true},
		"x-ratelimit-remaining": {"X-RateLimit-Remaining", true},
		"x-ratelimit-reset":     {"X-RateLimit-Reset", true},
		"retry-after":           {"Retry-After", true},
		"x-request-id":          {"", false},
		"content-type":          {"", false},
		"x-internal-host":       {"", false},
	}
	if diff := cmp.Diff(wantOut, outgoing); diff != "" {
		t.Errorf("outgoing (-want +got):\n%s", diff)
	}
	incoming := map[string]match{}
	for _, k := range []string{"X-Request-Id", "User-Agent", "Authorization", "Cookie", "X-Api-Key", "Grpc-Metadata-Tenant", "If-None-Match"} {
		name, ok := IncomingHeader(k)
		incoming[k] = match{name, ok}
	}
	wantIn := map[string]match{
		"X-Request-Id":         {"x-request-id", true},
		"User-Agent":           {"grpcgateway-user-agent", true},
		"Authorization":        {"", false}, // forwarded by grpc-gateway itself
		"Cookie":               {"", false},
		"X-Api-Key":            {"", false},
		"Grpc-Metadata-Tenant": {"", false},
		"If-None-Match":        {"", false},
	}
	if diff := cmp.Diff(wantIn, incoming); diff != "" {
		t.Errorf("incoming (-want +got):\n%s", diff)
	}
}

func TestEntityTag(t *testing.T) {
	for in, want := range map[string]string{
		`"42"`:   `"42"`,
		`W/"42"`: `W/"42"`,
		`42`:     `"42"`,
		``:       ``,
		`"4"2"`:  ``,
		"4\r\n2": ``,
		`ab"c`:   ``,
	} {
		if got := entityTag(in); got != want {
			t.Errorf("entityTag(%q) = %q, want %q", in, got, want)
		}
	}
}
