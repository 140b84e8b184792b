package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// errAddressNotAllowed is the cause of a connection the guard refused.
var errAddressNotAllowed = errors.New("destination address not allowed")

// blockedAddressError names the address the guard refused, for the log.
type blockedAddressError struct{ addr netip.Addr }

func (e blockedAddressError) Error() string {
	return fmt.Sprintf("webhook: %s is not a public address", e.addr)
}

func (e blockedAddressError) Unwrap() error { return errAddressNotAllowed }

// nonPublicPrefixes are ranges that netip's predicates do not cover and
// that no partner's receiver lives in: "this network", carrier-grade NAT
// (often the cluster's own addresses), IETF protocol assignments,
// benchmarking, reserved and broadcast, and the IPv6 translation prefixes
// whose embedded IPv4 address could be anything.
var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
}

// publicAddress reports whether a connection to addr may leave for the
// internet: not loopback, private (RFC 1918, IPv6 unique local),
// link-local (which holds the cloud metadata service, 169.254.169.254),
// multicast, unspecified, or one of nonPublicPrefixes. IPv4-mapped IPv6
// addresses are judged by their IPv4 address.
func publicAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range nonPublicPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// refuseNonPublic is a net.Dialer Control hook: it runs after name
// resolution, for every address the dialer is about to connect to, and
// refuses the ones publicAddress rejects. Checking here rather than when
// the URL is saved is what defeats DNS rebinding: the name is judged by
// what it resolves to at the moment of the connection.
func refuseNonPublic(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial address %q: %w", address, errAddressNotAllowed)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("webhook: dial address %q: %w", address, errAddressNotAllowed)
	}
	if !publicAddress(addr) {
		return blockedAddressError{addr: addr}
	}
	return nil
}
