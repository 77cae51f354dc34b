package linkcheck

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/net/idna"
)

// maxURLLength bounds the links a Checker looks at (and its cache keys).
const maxURLLength = 4096

// A refusal is why a link or an address is not fetched. It is returned by
// the dial-time Control function too, so errors.As finds it in a failed
// request.
type refusal struct {
	// what completes "The link points to …" and "The link redirects to …".
	what string
}

func (r *refusal) Error() string { return "linkcheck: refused " + r.what }

var (
	refusedPrivate  = &refusal{"a private or local address"}
	refusedInvalid  = &refusal{"an address that is not a valid web address"}
	refusedScheme   = &refusal{"an address that is not a web page (only http and https links are checked)"}
	refusedUserinfo = &refusal{"an address with a user name or password in it"}
	refusedHostName = &refusal{"a host name that is not a public internet name"}
)

func refusedPort(port uint16) *refusal {
	return &refusal{"port " + strconv.Itoa(int(port)) + ", and only links on the standard web ports (80 and 443) are checked"}
}

// normalise parses raw and returns it in the form a Checker fetches and
// caches: lower-case scheme and host (IDNA host names in ASCII), no
// default port, no trailing dot on the host, no fragment, "/" for an
// empty path; or why it is not fetched.
func (c *Checker) normalise(raw string) (*url.URL, *refusal) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURLLength {
		return nil, refusedInvalid
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, refusedInvalid
	}
	return c.clean(u)
}

// clean is normalise for a URL already parsed (a redirect's target).
func (c *Checker) clean(in *url.URL) (*url.URL, *refusal) {
	u := *in
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, refusedScheme
	}
	if u.Opaque != "" {
		return nil, refusedInvalid
	}
	if u.User != nil {
		return nil, refusedUserinfo
	}
	host := u.Hostname()
	if host == "" {
		return nil, refusedInvalid
	}
	if !isASCII(host) {
		h, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return nil, refusedInvalid
		}
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")

	port := uint16(80)
	if u.Scheme == "https" {
		port = 443
	}
	defaultPort := port
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return nil, refusedInvalid
		}
		port = uint16(n)
	}
	if !c.portAllowed(port) {
		return nil, refusedPort(port)
	}

	if a, err := netip.ParseAddr(host); err == nil {
		if r := c.refuseAddr(a); r != nil {
			return nil, r
		}
		host = a.String() // one spelling for the cache key
	} else if r := c.refuseName(host); r != nil {
		return nil, r
	}
	if port != defaultPort {
		u.Host = net.JoinHostPort(host, strconv.Itoa(int(port)))
	} else if strings.Contains(host, ":") {
		u.Host = "[" + host + "]"
	} else {
		u.Host = host
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	return &u, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// portAllowed says whether links on port may be fetched.
func (c *Checker) portAllowed(port uint16) bool {
	if port == 80 || port == 443 {
		return true
	}
	for _, p := range c.opts.Ports {
		if p == int(port) {
			return true
		}
	}
	return false
}

// localSuffixes are the domains whose names are local by construction
// (RFC 6761, RFC 6762, RFC 8375, and the cloud providers' .internal).
var localSuffixes = []string{".localhost", ".local", ".internal", ".localdomain", ".home.arpa"}

// refuseName refuses host names (lower case, no trailing dot) that name
// the bot's own machine or network whatever DNS says: this is only for a
// clear early message; the dial-time check is the guard.
func (c *Checker) refuseName(host string) *refusal {
	if host == "localhost" {
		if c.opts.AllowLoopback {
			return nil
		}
		return refusedPrivate
	}
	for _, s := range localSuffixes {
		if strings.HasSuffix(host, s) {
			return refusedPrivate
		}
	}
	dot := strings.LastIndexByte(host, '.')
	if dot < 0 {
		// A single label resolves through the search domains of the
		// bot's network (metadata, intranet, 2130706433, 0x7f000001).
		return refusedHostName
	}
	if last := host[dot+1:]; last == "" || strings.Trim(last, "0123456789") == "" {
		// No top-level domain is a number: 127.1, 0177.0.0.1, 0x7f.1.
		return refusedHostName
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return refusedInvalid
		}
	}
	return nil
}

// blocked lists the IPv4 ranges that are not public unicast.
var blocked4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", incl. unspecified
	netip.MustParsePrefix("10.0.0.0/8"),      // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT, RFC 6598
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, incl. cloud metadata
	netip.MustParsePrefix("172.16.0.0/12"),   // RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),  // RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. broadcast
}

// IPv6 must be global unicast (2000::/3), and not one of blocked6.
var (
	global6  = netip.MustParsePrefix("2000::/3")
	blocked6 = []netip.Prefix{
		netip.MustParsePrefix("2001:db8::/32"), // documentation
		netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, incl. Teredo
		netip.MustParsePrefix("3fff::/20"),     // documentation
	}
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // IPv4 in the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")    // IPv4 in bits 16-47
	loopback4 = netip.MustParsePrefix("127.0.0.0/8")
)

// refuseAddr refuses every address that is not public unicast, except
// loopback when Options.AllowLoopback is set.
func (c *Checker) refuseAddr(a netip.Addr) *refusal {
	if !a.IsValid() || a.Zone() != "" {
		return refusedPrivate
	}
	a = a.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if c.opts.AllowLoopback && (loopback4.Contains(a) || a == netip.IPv6Loopback()) {
		return nil
	}
	if a.Is4() {
		for _, p := range blocked4 {
			if p.Contains(a) {
				return refusedPrivate
			}
		}
		return nil
	}
	if nat64.Contains(a) {
		b := a.As16()
		return c.refuse4(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	if sixToFour.Contains(a) {
		b := a.As16()
		return c.refuse4(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	}
	if !global6.Contains(a) {
		return refusedPrivate // ::1, ::, fc00::/7, fe80::/10, ff00::/8, ...
	}
	for _, p := range blocked6 {
		if p.Contains(a) {
			return refusedPrivate
		}
	}
	return nil
}

// refuse4 is refuseAddr for an IPv4 address carried inside an IPv6 one:
// loopback reached that way is refused even with AllowLoopback.
func (c *Checker) refuse4(a netip.Addr) *refusal {
	if loopback4.Contains(a) {
		return refusedPrivate
	}
	return c.refuseAddr(a)
}

// control runs on every socket just before it connects: it sees the
// address actually dialled, after DNS, so no name and no change of DNS
// answer gets past it.
func (c *Checker) control(network, address string, _ syscall.RawConn) error {
	if c.onDial != nil {
		c.onDial(address)
	}
	if network != "tcp4" && network != "tcp6" {
		return refusedInvalid
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return refusedInvalid
	}
	if r := c.refuseAddr(ap.Addr()); r != nil {
		return r
	}
	if !c.portAllowed(ap.Port()) {
		return refusedPort(ap.Port())
	}
	return nil
}
