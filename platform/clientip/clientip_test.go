package clientip

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

func callFrom(peerAddr string, forwarded ...string) context.Context {
	host, port, _ := net.SplitHostPort(peerAddr)
	ip := net.ParseIP(host)
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: ip, Port: atoi(port)}})
	if len(forwarded) > 0 {
		ctx = metadata.NewIncomingContext(ctx, metadata.Pairs(pairs(forwarded)...))
	}
	return ctx
}

func pairs(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, ForwardedFor, v)
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestResolve(t *testing.T) {
	trusted, err := ParseTrusted([]string{"10.0.0.0/8", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	r := NewResolver(trusted)
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"untrusted peer, header ignored", callFrom("192.0.2.7:5000", "198.51.100.1"), "192.0.2.7"},
		{"trusted peer without header", callFrom("10.1.2.3:5000"), "10.1.2.3"},
		{"trusted peer names the client", callFrom("10.1.2.3:5000", "198.51.100.1"), "198.51.100.1"},
		{"last hop wins over a forged first hop", callFrom("127.0.0.1:5000", "6.6.6.6, 198.51.100.1"), "198.51.100.1"},
		{"last header value wins", callFrom("127.0.0.1:5000", "6.6.6.6", "198.51.100.2"), "198.51.100.2"},
		{"garbage header falls back to the peer", callFrom("127.0.0.1:5000", "not-an-ip"), "127.0.0.1"},
		{"IPv6 client", callFrom("127.0.0.1:5000", "2001:db8::1"), "2001:db8::1"},
		{"no peer at all", context.Background(), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Resolve(tc.ctx); got != tc.want {
				t.Fatalf("Resolve = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseTrusted(t *testing.T) {
	if _, err := ParseTrusted([]string{"10.0.0.0/8", "::1", "192.168.1.7"}); err != nil {
		t.Fatalf("valid list refused: %v", err)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "", "10.0.0"} {
		if _, err := ParseTrusted([]string{bad}); err == nil {
			t.Errorf("ParseTrusted(%q): want an error", bad)
		}
	}
}

func FuzzResolveForwarded(f *testing.F) {
	f.Add("198.51.100.1")
	f.Add("a, b, ,,, 2001:db8::1")
	r := NewResolver([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	f.Fuzz(func(t *testing.T, header string) {
		got := r.Resolve(callFrom("127.0.0.1:1", header))
		if got == "" {
			t.Fatal("a call with a peer resolved to no address")
		}
	})
}
