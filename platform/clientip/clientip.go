// Package clientip works out which client a call came from. Behind the REST
// gateway every call's TCP peer is the gateway itself, so rate limits keyed by
// peer would put every partner in one bucket and the audit trail would name
// the gateway as the client of every call. When the peer is a trusted proxy
// (TRUSTED_PROXIES), the client is the last address of its x-forwarded-for
// metadata instead — the hop the trusted proxy itself saw.
package clientip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
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

// Resolver finds the client address of calls.
type Resolver struct {
	trusted []netip.Prefix
}

// NewResolver trusts x-forwarded-for only from peers inside trusted.
func NewResolver(trusted []netip.Prefix) *Resolver { return &Resolver{trusted: trusted} }

// Resolve returns the client IP of the call in ctx, or "" when unknown.
func (r *Resolver) Resolve(ctx context.Context) string {
	pr, ok := peer.FromContext(ctx)
	if !ok || pr.Addr == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(pr.Addr.String())
	if err != nil {
		host = pr.Addr.String()
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !r.isTrusted(addr.Unmap()) {
		return host
	}
	if fwd := lastForwarded(ctx); fwd != "" {
		return fwd
	}
	return host
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// lastForwarded returns the last well-formed address of x-forwarded-for.
func lastForwarded(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get(ForwardedFor)
	if len(values) == 0 {
		return ""
	}
	hops := strings.Split(values[len(values)-1], ",")
	a, err := netip.ParseAddr(strings.TrimSpace(hops[len(hops)-1]))
	if err != nil {
		return ""
	}
	return a.Unmap().String()
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
// layer (rate limiting, audit).
func (r *Resolver) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		return handler(NewContext(ctx, r.Resolve(ctx)), req)
	}
}

// StreamServerInterceptor is the streaming form of UnaryServerInterceptor.
func (r *Resolver) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		w := middleware.WrapServerStream(ss)
		w.WrappedContext = NewContext(ss.Context(), r.Resolve(ss.Context()))
		return handler(srv, w)
	}
}
