package webhooksend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/filegate/filegate/shared/files"
)

// Resolver finds a host's addresses (net.DefaultResolver; tests inject one).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard decides which receivers a delivery may reach. Only public unicast
// addresses are reachable, over https: never loopback, private (RFC 1918),
// carrier-grade NAT, link-local (the cloud metadata address
// 169.254.169.254 among them), unique-local or other special-purpose
// ranges, nor IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4,
// Teredo), which could reach those again.
type Guard struct {
	Resolver Resolver
	// AllowLoopback lets receivers on 127.0.0.0/8 and ::1 through, over
	// plain http too: `make dev`'s explicit setting (WEBHOOK_ALLOW_LOOPBACK),
	// never set on AWS.
	AllowLoopback bool
	// testReceiver lets exactly one address through the Control hook: the
	// tests' own receiver on 127.0.0.1, so that a redirect test can reach
	// it while loopback stays refused (the zero value lets nothing through).
	testReceiver netip.AddrPort
}

// special are the ranges no delivery may reach beyond what netip's
// predicates name (loopback, private, link-local, multicast, unspecified).
var special = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network"
		"100.64.0.0/10",   // carrier-grade NAT (RFC 6598)
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"240.0.0.0/4",     // reserved, and the broadcast address
		"::ffff:0:0/96",   // IPv4-mapped
		"64:ff9b::/96",    // NAT64 (reaches any IPv4 address)
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard
		"2001::/32",       // Teredo (embeds an IPv4 address)
		"2001:db8::/32",   // documentation
		"2002::/16",       // 6to4 (embeds an IPv4 address)
		"fc00::/7",        // unique local (AWS's IPv6 metadata address fd00:ec2::254 among them)
		"fec0::/10",       // site-local (deprecated)
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// errBlocked says why an address is refused.
var errBlocked = errors.New("the address is not a public one")

// CheckAddr refuses every address but public unicast ones (and loopback
// when AllowLoopback).
func (g *Guard) CheckAddr(a netip.Addr) error {
	if g.AllowLoopback && a.Unmap().IsLoopback() && !a.Is4In6() {
		return nil
	}
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || a.Zone() != "" {
		return fmt.Errorf("%s: %w", a, errBlocked)
	}
	for _, p := range special {
		if p.Contains(a) {
			return fmt.Errorf("%s: %w", a, errBlocked)
		}
	}
	return nil
}

// CheckURL is the check at registration: https (http only for loopback
// with AllowLoopback), no credentials in the URL, and a host that is, or
// resolves only to, addresses CheckAddr allows.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	bad := func(format string, args ...any) error {
		return files.Errorf(files.KindInvalid, "invalid_url", format, args...).WithParam("url")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return bad("url must be an absolute https URL")
	}
	if u.User != nil {
		return bad("url must not carry credentials")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return bad("url must not have a fragment")
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
	case "http":
		if !g.AllowLoopback {
			return bad("url must use https")
		}
	default:
		return bad("url must use https")
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return bad("url's host %q does not resolve", host)
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			return bad("url's host %q is not a public address (%s): receivers must be reachable on the internet", host, a)
		}
	}
	if u.Scheme == "http" {
		for _, a := range addrs {
			if !a.Unmap().IsLoopback() {
				return bad("url must use https")
			}
		}
	}
	return nil
}

// resolve is host's addresses: itself if it is one.
func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no address")
	}
	return addrs, err
}

// control is the dialer's Control hook: it sees the address a connection
// is about to be made to, after DNS, and refuses what CheckAddr refuses, so
// a name that resolved to a public address at registration and to a
// private one now (DNS rebinding) is still refused.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to connect to %q: %w", address, err)
	}
	if g.testReceiver.IsValid() && ap == g.testReceiver {
		return nil
	}
	if err := g.CheckAddr(ap.Addr()); err != nil {
		return fmt.Errorf("refusing to connect: %w", err)
	}
	return nil
}
