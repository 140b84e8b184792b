package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestPublicAddress(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"::ffff:192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fd00:ec2::254", false},
		{"fc00::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"0.1.2.3", false},
		{"100.64.0.1", false},
		{"192.0.0.8", false},
		{"198.18.0.1", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"64:ff9b::a00:1", false},
		{"2002:a00:1::", false},
	}
	for _, tt := range tests {
		if got := publicAddress(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("publicAddress(%s) = %t, want %t", tt.addr, got, tt.want)
		}
	}
	if publicAddress(netip.Addr{}) {
		t.Error("the zero address is public")
	}
}

func TestRefuseNonPublicParsesDialAddresses(t *testing.T) {
	for _, address := range []string{"127.0.0.1:443", "[::1]:443", "localhost:443", "garbage"} {
		if err := refuseNonPublic("tcp", address, nil); err == nil {
			t.Errorf("refuseNonPublic(%q) = nil, want a refusal", address)
		}
	}
	if err := refuseNonPublic("tcp4", "93.184.215.14:443", nil); err != nil {
		t.Errorf("refuseNonPublic(public) = %v", err)
	}
}

// TestSenderRefusesLoopbackUnlessInsecureTargetsAllowed sends to a receiver
// on 127.0.0.1, by address and by a name that resolves to it: refused
// without a byte reaching it, unless insecure targets are allowed.
func TestSenderRefusesLoopbackUnlessInsecureTargetsAllowed(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	d := &domain.WebhookDelivery{EventID: "e-1", EventType: "company.user.created.v1", Body: []byte("{}")}
	secret := "whsec_" + strings.Repeat("A", 43)

	guarded := NewSender(5*time.Second, false)
	for _, url := range []string{srv.URL + "/hook", "http://localhost" + port + "/hook"} {
		a, outcome := guarded.send(context.Background(), url, secret, d)
		if a.Error != "destination address not allowed" || a.HTTPStatus != 0 || outcome != outcomeBlocked || a.Succeeded() {
			t.Errorf("send to %s = %+v, %s; want refused", url, a, outcome)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback receiver got %d requests through the guard", n)
	}

	open := NewSender(5*time.Second, true)
	a, outcome := open.send(context.Background(), srv.URL+"/hook", secret, d)
	if !a.Succeeded() || a.HTTPStatus != http.StatusNoContent || outcome != outcomeSucceeded {
		t.Errorf("send with insecure targets allowed = %+v, %s", a, outcome)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
}

func TestSenderFailures(t *testing.T) {
	t.Parallel()
	redirect := httptest.NewServer(http.RedirectHandler("http://example.com/", http.StatusFound))
	t.Cleanup(redirect.Close)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	d := &domain.WebhookDelivery{EventID: "e-1", EventType: "t", Body: []byte("{}")}
	s := NewSender(300*time.Millisecond, true)
	tests := []struct {
		url, wantErr, wantOutcome string
		wantStatus                int
	}{
		{url: redirect.URL, wantErr: "HTTP 302", wantOutcome: outcomeHTTPError, wantStatus: 302},
		{url: slow.URL, wantErr: "timeout", wantOutcome: outcomeTimeout},
		{url: closedURL, wantErr: "connection refused", wantOutcome: outcomeConnectionError},
	}
	for _, tt := range tests {
		a, outcome := s.send(context.Background(), tt.url, "whsec_x", d)
		if a.Error != tt.wantErr || outcome != tt.wantOutcome || a.HTTPStatus != tt.wantStatus {
			t.Errorf("send to %s = %+v, %s; want error %q, outcome %s, status %d", tt.url, a, outcome, tt.wantErr, tt.wantOutcome, tt.wantStatus)
		}
	}
}
