// Package clientip works out which client a call came from. Behind the REST
// gateway every call's TCP peer is the gateway itself, so rate limits keyed by
// peer would put every partner in one bucket and the audit trail would name
// the gateway as the client of every call. When the peer is a trusted proxy
// (TRUSTED_PROXIES), the client is read from its x-forwarded-for metadata
// instead (see Forwarded, which the gateway's edge uses on the HTTP header
// too).
package clientip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/grpcerr"
)

// ForwardedFor is the metadata key a trusted proxy sets.
const ForwardedFor = "x-forwarded-for"

// ParseTrusted reads a list of IP addresses and CIDR prefixes
// ("10.0.0.0/8", "127.0.0.1").
func ParseTrusted(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// ErrMalformedForwarded is the error of an X-Forwarded-For whose hops cannot
// name the client: a hop that is not an IP address where the client should
// be, or no hop at all.
var ErrMalformedForwarded = errors.New("clientip: X-Forwarded-For does not name the client")

// MalformedForwarded says what is wrong with an X-Forwarded-For that is
// ErrMalformedForwarded, for the client that sent it.
const MalformedForwarded = "Does not name the client: every hop up to the client's must be an IP address, with or without a port"

// Forwarded returns the client that X-Forwarded-For values name, values
// being every header line (or metadata value) in the order received.
//
// Each proxy appends the address it received the request from, so the
// hops are walked from the right, the one nearest the reader: hops isTrusted
// claims are proxies and are skipped, and the first other hop is the
// client. Everything left of it is what the client itself sent, which
// anyone can forge, and is not looked at. When every hop is trusted the
// leftmost is the client (a call from inside).
//
// A hop is an IPv4 or IPv6 address, with or without a port
// ("203.0.113.7:4711", "[2001:db8::1]:443", "[2001:db8::1]"); IPv4-mapped
// IPv6 addresses count as IPv4, zones are dropped, and empty elements are
// skipped, as in any HTTP list. A hop that is none of these where the walk
// has not yet found the client, or no hop at all, is ErrMalformedForwarded:
// falling back to the proxy would file the client under the proxy's address
// (for rate limits, audit and sessions), and guessing would let a client
// choose its own address.
func Forwarded(values []string, isTrusted func(netip.Addr) bool) (netip.Addr, error) {
	var client netip.Addr
	for i := len(values) - 1; i >= 0; i-- {
		rest := values[i]
		for rest != "" {
			var hop string
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				rest, hop = rest[:j], rest[j+1:]
			} else {
				rest, hop = "", rest
			}
			hop = strings.TrimSpace(hop)
			if hop == "" {
				continue
			}
			a, ok := ParseHop(hop)
			if !ok {
				return netip.Addr{}, ErrMalformedForwarded
			}
			client = a
			if !isTrusted(a) {
				return a, nil
			}
		}
	}
	if !client.IsValid() {
		return netip.Addr{}, ErrMalformedForwarded
	}
	return client, nil
}

// ParseHop reads one X-Forwarded-For hop: an IP address, optionally with a
// port, IPv6 in brackets when it has one. The address is returned unmapped
// and without a zone, so one client has one spelling (and one rate-limit
// bucket).
func ParseHop(hop string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(hop)
	if err != nil {
		ap, perr := netip.ParseAddrPort(hop)
		switch {
		case perr == nil:
			a = ap.Addr()
		case len(hop) > 2 && hop[0] == '[' && hop[len(hop)-1] == ']':
			if a, err = netip.ParseAddr(hop[1 : len(hop)-1]); err != nil || !a.Is6() {
				return netip.Addr{}, false
			}
		default:
			return netip.Addr{}, false
		}
	}
	return a.Unmap().WithZone(""), true
}

// Resolver finds the client address of calls.
type Resolver struct {
	trusted []netip.Prefix
}

// NewResolver trusts x-forwarded-for only from peers inside trusted.
func NewResolver(trusted []netip.Prefix) *Resolver { return &Resolver{trusted: trusted} }

// Resolve returns the client IP of the call in ctx, or "" when unknown. A
// trusted peer's x-forwarded-for names the client (see Forwarded); the peer
// is the client only when it sent none. The error is ErrMalformedForwarded.
func (r *Resolver) Resolve(ctx context.Context) (string, error) {
	pr, ok := peer.FromContext(ctx)
	if !ok || pr.Addr == nil {
		return "", nil
	}
	host, _, err := net.SplitHostPort(pr.Addr.String())
	if err != nil {
		host = pr.Addr.String()
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !r.isTrusted(addr.Unmap()) {
		return host, nil
	}
	values := metadata.ValueFromIncomingContext(ctx, ForwardedFor)
	if len(values) == 0 {
		return host, nil
	}
	client, err := Forwarded(values, r.isTrusted)
	if err != nil {
		return "", err
	}
	return client.String(), nil
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// refusal is the status of a call whose trusted peer sent an x-forwarded-for
// that names no client.
func refusal() error {
	return grpcerr.ToStatus(errs.Invalid(errs.FieldViolation{
		Field:       ForwardedFor,
		Description: MalformedForwarded,
	})).Err()
}

type ctxKey struct{}

// NewContext returns ctx carrying the client address.
func NewContext(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, ctxKey{}, addr)
}

// FromContext returns the client address resolved for the call, or "".
func FromContext(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

// UnaryServerInterceptor resolves the client once per call for every later
// layer (rate limiting, audit). A call whose trusted peer sent a malformed
// x-forwarded-for is refused with INVALID_ARGUMENT naming it: served, it
// would count against the proxy's address instead of the client's.
func (r *Resolver) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ip, err := r.Resolve(ctx)
		if err != nil {
			return nil, refusal()
		}
		return handler(NewContext(ctx, ip), req)
	}
}

// StreamServerInterceptor is the streaming form of UnaryServerInterceptor.
func (r *Resolver) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ip, err := r.Resolve(ss.Context())
		if err != nil {
			return refusal()
		}
		w := middleware.WrapServerStream(ss)
		w.WrappedContext = NewContext(ss.Context(), ip)
		return handler(srv, w)
	}
}

// IPv6NetworkBits is the prefix length under which IPv6 clients share a
// rate-limit bucket: a /64 is what one subscriber is usually given, so
// limiting single IPv6 addresses would let one attacker rotate through 2^64
// of them.
const IPv6NetworkBits = 64

// RateKey is the rate-limit bucket of a client address: an IPv4 address is
// its own bucket, an IPv6 address shares its /64's ("2001:db8:1:2::/64"),
// and an IPv4-mapped IPv6 address counts as the IPv4 one. A string that is
// not an address is returned as it is.
func RateKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	return RateKeyOf(a)
}

// RateKeyOf is RateKey of a parsed address.
func RateKeyOf(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(IPv6NetworkBits)
	if err != nil {
		return a.String()
	}
	return p.String()
}
