package edge

import (
	"cmp"
	"context"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/platform/clientip"
)

// Client is what the edge knows about who sent a request.
type Client struct {
	// IP is the client's address: the peer's, or, when the peer is a
	// trusted proxy, the nearest untrusted address it reports.
	IP netip.Addr
	// Secure reports whether the client reached the edge over TLS, directly
	// or through a trusted proxy that says so in X-Forwarded-Proto.
	Secure bool
}

type clientKey struct{}

// ClientFrom returns the client of a request that went through
// ClientAddress; the zero Client otherwise.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// ClientAddress works out the client's address and scheme, trusting
// X-Forwarded-For and X-Forwarded-Proto only from peers in trusted (the load
// balancer or ingress in front of the gateway); anyone else could write
// whatever address they like there and escape their rate limit.
//
// Behind a trusted proxy the client is the nearest hop of X-Forwarded-For
// that is not a trusted proxy (clientip.Forwarded: walked from the right,
// ports allowed); the proxy itself is the client only when it sent no
// X-Forwarded-For at all. A header that names no client there (a hop that
// is not an IP address before the client's is reached) is refused with 400
// in the REST error body: served, the request would be filed under the
// proxy's address, for rate limits, audit and sessions alike, so one bad
// hop would let a client shed its address. RFC 7239 Forwarded is not read.
//
// It then makes the forwarding information the mux passes on to the
// services unforgeable: the request's RemoteAddr becomes the resolved client
// and X-Forwarded-For is removed, so the x-forwarded-for metadata
// grpc-gateway derives from them holds exactly one address, the client's,
// whichever end of it a service reads. X-Forwarded-Host is kept only from a
// trusted proxy.
func ClientAddress(trusted []netip.Prefix) Middleware {
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			peer := peerAddr(r.RemoteAddr)
			c := Client{IP: peer, Secure: r.TLS != nil}
			fromProxy := peer.IsValid() && isTrusted(peer)
			if fromProxy {
				if hops := r.Header.Values("X-Forwarded-For"); len(hops) > 0 {
					ip, err := clientip.Forwarded(hops, isTrusted)
					if err != nil {
						httperr.Write(w, r, httperr.New(http.StatusBadRequest, "Invalid X-Forwarded-For header",
							httperr.Violation{Field: "X-Forwarded-For", Message: clientip.MalformedForwarded}))
						return
					}
					c.IP = ip
				}
				if proto := firstValue(r.Header.Get("X-Forwarded-Proto")); strings.EqualFold(proto, "https") {
					c.Secure = true
				}
			} else {
				r.Header.Del("X-Forwarded-Host")
			}
			r.Header.Del("X-Forwarded-For")
			if c.IP.IsValid() && c.IP != peer {
				_, port, _ := net.SplitHostPort(r.RemoteAddr)
				r.RemoteAddr = net.JoinHostPort(c.IP.String(), cmp.Or(port, "0"))
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
		})
	}
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func firstValue(h string) string {
	first, _, _ := strings.Cut(h, ",")
	return strings.TrimSpace(first)
}
