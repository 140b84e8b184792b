package clientip

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/grpcerr"
)

func callFrom(peerAddr string, forwarded ...string) context.Context {
	host, port, _ := net.SplitHostPort(peerAddr)
	n, _ := strconv.Atoi(port)
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.ParseIP(host), Port: n}})
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

// proxies are the trusted proxies of the Forwarded tests.
var proxies = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.1/32"),
	netip.MustParsePrefix("2001:db8:ffff::/48"),
}

func isProxy(a netip.Addr) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func TestForwarded(t *testing.T) {
	const refused = "refused"
	tests := []struct {
		name   string
		values []string
		// want is the client's address, or refused.
		want string
	}{
		{"client only", []string{"203.0.113.7"}, "203.0.113.7"},
		{"spoofed hop left of the client", []string{"6.6.6.6, 203.0.113.7"}, "203.0.113.7"},
		{"spoofed trusted-looking hop left of the client", []string{"10.9.9.9, 203.0.113.7"}, "203.0.113.7"},
		{"spoofed hops through chained proxies", []string{"6.6.6.6, 7.7.7.7, 203.0.113.7, 10.0.0.2, 10.0.0.3"}, "203.0.113.7"},
		{"chained proxies", []string{"203.0.113.7, 10.0.0.2, 127.0.0.1"}, "203.0.113.7"},
		{"every hop trusted", []string{"10.0.0.9, 10.0.0.2"}, "10.0.0.9"},
		{"IPv4 with port", []string{"203.0.113.7:4711"}, "203.0.113.7"},
		{"IPv6 with port", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"IPv6 in brackets without port", []string{"[2001:db8::1]"}, "2001:db8::1"},
		{"IPv6", []string{"2001:db8::1"}, "2001:db8::1"},
		{"ports on proxies too", []string{"203.0.113.7:1, 10.0.0.2:8080, [2001:db8:ffff::2]:443"}, "203.0.113.7"},
		{"trusted IPv6 proxy", []string{"2001:db8::1, 2001:db8:ffff::2"}, "2001:db8::1"},
		{"IPv4-mapped client", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"IPv4-mapped client with port", []string{"[::ffff:203.0.113.7]:80"}, "203.0.113.7"},
		{"IPv4-mapped proxy is trusted", []string{"203.0.113.7, ::ffff:10.0.0.2"}, "203.0.113.7"},
		{"zone dropped", []string{"fe80::1%eth0"}, "fe80::1"},
		{"empty elements", []string{",203.0.113.7,, ,10.0.0.2,"}, "203.0.113.7"},
		{"whitespace", []string{" \t203.0.113.7\t,  10.0.0.2 "}, "203.0.113.7"},
		{"several header lines", []string{"6.6.6.6", "203.0.113.7", "10.0.0.2"}, "203.0.113.7"},
		{"client on the last header line", []string{"10.0.0.5, 6.6.6.6", "203.0.113.8"}, "203.0.113.8"},
		{"proxies across header lines", []string{"203.0.113.7, 10.0.0.1", "10.0.0.2", ""}, "203.0.113.7"},
		{"malformed hop left of the client", []string{"garbage, 203.0.113.7"}, "203.0.113.7"},
		{"malformed header line left of the client", []string{"unknown", "203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
		{"malformed where the client should be", []string{"garbage"}, refused},
		{"malformed behind the proxies", []string{"203.0.113.7, garbage, 10.0.0.2"}, refused},
		{"malformed nearest hop", []string{"203.0.113.7, garbage"}, refused},
		{"malformed last header line", []string{"203.0.113.7", "garbage"}, refused},
		{"malformed after only trusted hops", []string{"garbage, 10.0.0.2"}, refused},
		{"unknown", []string{"unknown"}, refused},
		{"obfuscated identifier", []string{"_hidden"}, refused},
		{"host name", []string{"client.example"}, refused},
		{"port out of range", []string{"203.0.113.7:99999"}, refused},
		{"empty port", []string{"203.0.113.7:"}, refused},
		{"IPv4 in brackets", []string{"[203.0.113.7]"}, refused},
		{"unclosed bracket", []string{"[2001:db8::1"}, refused},
		{"IPv6 port without brackets", []string{"2001:db8::1]:443"}, refused},
		{"hops without a comma", []string{"203.0.113.7 10.0.0.2"}, refused},
		{"CIDR", []string{"203.0.113.0/24"}, refused},
		{"empty header", []string{""}, refused},
		{"only empty elements", []string{" , ,"}, refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Forwarded(tt.values, isProxy)
			got := a.String()
			if err != nil {
				got = refused
				if !errors.Is(err, ErrMalformedForwarded) || a.IsValid() {
					t.Errorf("Forwarded = %v, %v; want no address and ErrMalformedForwarded", a, err)
				}
			}
			if got != tt.want {
				t.Errorf("Forwarded(%q) = %s, want %s", tt.values, got, tt.want)
			}
		})
	}
}

func FuzzForwarded(f *testing.F) {
	for _, seed := range [][2]string{
		{"203.0.113.7", ""},
		{"6.6.6.6, 203.0.113.7:4711", "10.0.0.2"},
		{"[2001:db8::1]:443, ::ffff:10.0.0.1", "[2001:db8:ffff::1]"},
		{"a, b, ,,, 2001:db8::1", "fe80::1%eth0"},
		{"garbage", "10.0.0.2"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, first, second string) {
		values := []string{first, second}
		a, err := Forwarded(values, isProxy)
		if err != nil {
			if !errors.Is(err, ErrMalformedForwarded) || a.IsValid() {
				t.Fatalf("Forwarded(%q) = %v, %v; want no address and ErrMalformedForwarded", values, a, err)
			}
			return
		}
		if !a.IsValid() || a.Is4In6() || a.Zone() != "" {
			t.Fatalf("Forwarded(%q) = %v, want a valid address in one spelling", values, a)
		}
		// The client is one of the hops, and an untrusted one unless every
		// hop is trusted.
		var named, untrusted bool
		for _, v := range values {
			for hop := range strings.SplitSeq(v, ",") {
				h, ok := ParseHop(strings.TrimSpace(hop))
				named = named || (ok && h == a)
				untrusted = untrusted || (ok && !isProxy(h))
			}
		}
		if !named || (isProxy(a) && untrusted) {
			t.Fatalf("Forwarded(%q) = %v, which is not the nearest untrusted hop", values, a)
		}
	})
}

func TestResolve(t *testing.T) {
	trusted, err := ParseTrusted([]string{"10.0.0.0/8", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	r := NewResolver(trusted)
	const refused = "refused"
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"untrusted peer, header ignored", callFrom("192.0.2.7:5000", "198.51.100.1"), "192.0.2.7"},
		{"untrusted peer, garbage ignored", callFrom("192.0.2.7:5000", "garbage"), "192.0.2.7"},
		{"trusted peer without header", callFrom("10.1.2.3:5000"), "10.1.2.3"},
		{"trusted peer names the client", callFrom("10.1.2.3:5000", "198.51.100.1"), "198.51.100.1"},
		{"client with a port", callFrom("10.1.2.3:5000", "198.51.100.1:4711"), "198.51.100.1"},
		{"last hop wins over a forged first hop", callFrom("127.0.0.1:5000", "6.6.6.6, 198.51.100.1"), "198.51.100.1"},
		{"last header value wins", callFrom("127.0.0.1:5000", "6.6.6.6", "198.51.100.2"), "198.51.100.2"},
		{"trusted hops skipped", callFrom("127.0.0.1:5000", "198.51.100.3, 10.0.0.7"), "198.51.100.3"},
		{"garbage header refused", callFrom("127.0.0.1:5000", "not-an-ip"), refused},
		{"IPv6 client", callFrom("127.0.0.1:5000", "2001:db8::1"), "2001:db8::1"},
		{"no peer at all", context.Background(), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Resolve(tc.ctx)
			if err != nil {
				got = refused
			}
			if got != tc.want {
				t.Fatalf("Resolve = %q (err %v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestInterceptorRefusesMalformedForwarding(t *testing.T) {
	r := NewResolver([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	intercept := r.UnaryServerInterceptor()
	call := func(ctx context.Context) (string, error) {
		var seen string
		_, err := intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/test/Call"}, func(ctx context.Context, _ any) (any, error) {
			seen = FromContext(ctx)
			return nil, nil
		})
		return seen, err
	}
	if seen, err := call(callFrom("127.0.0.1:1", "[2001:db8::1]:443")); err != nil || seen != "2001:db8::1" {
		t.Errorf("well-formed: client %q, err %v; want 2001:db8::1 and no error", seen, err)
	}
	seen, err := call(callFrom("127.0.0.1:1", "203.0.113.7, garbage"))
	st := status.Convert(err)
	got := map[string]any{"code": st.Code(), "fields": grpcerr.FieldViolations(st), "handled": seen != ""}
	want := map[string]any{"code": codes.InvalidArgument, "fields": []errs.FieldViolation{{Field: ForwardedFor, Description: MalformedForwarded}}, "handled": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("malformed (-want +got):\n%s", diff)
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
		got, err := r.Resolve(callFrom("127.0.0.1:1", header))
		if (got == "") == (err == nil) {
			t.Fatalf("Resolve(%q) = %q, %v; want an address or a refusal", header, got, err)
		}
	})
}

func TestRateKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"not an address", "not an address"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RateKey(tt.in); got != tt.want {
			t.Errorf("RateKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
