package linkcheck

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// fetch requests u, following redirects itself so that each target is
// checked before it is requested, and returns the entry to cache and
// whether to cache it (not when the caller gave up, nor when the entry
// came from the cache after all).
func (c *Checker) fetch(ctx context.Context, u *url.URL, key string) (entry, bool) {
	cur, status := u, 0
	var deadline time.Time
	for hop := 0; ; hop++ {
		waitCtx, cancel := ctx, context.CancelFunc(func() {})
		if hop > 0 {
			waitCtx, cancel = context.WithDeadline(ctx, deadline)
		}
		release, err := c.limit.acquire(waitCtx, cur.Hostname())
		cancel()
		if err != nil {
			return c.failure(ctx, err, cur, hop, status)
		}
		if hop == 0 {
			// Another check of the same link may have held the turn.
			if e, ok := c.cached(key); ok {
				release()
				return e, false
			}
			deadline = time.Now().Add(c.opts.Timeout)
		}
		resp, err := c.get(ctx, deadline, cur)
		release()
		if err != nil {
			return c.failure(ctx, err, cur, hop, status)
		}
		status = resp.status
		if !isRedirect(status) {
			return c.judge(resp, cur, hop > 0), true
		}

		res := Result{Verdict: Warning, Status: status, FinalURL: cur.String(), Checked: c.opts.Now()}
		if resp.location == "" {
			res.Message = "The site answered with a redirect (HTTP " + strconv.Itoa(status) + ") but did not say where to."
			return entry{res: res}, true
		}
		if hop >= c.opts.MaxRedirects {
			res.Message = "The link redirects more than " + strconv.Itoa(c.opts.MaxRedirects) + " times, so the bot stopped following it."
			if c.opts.MaxRedirects == 0 {
				res.Message = "The link redirects, and the bot is set to follow no redirects."
			}
			return entry{res: res}, true
		}
		next, err := cur.Parse(resp.location)
		if err != nil {
			res.Verdict, res.Message = Problem, "The link redirects to "+refusedInvalid.what+"."
			return entry{res: res}, true
		}
		n, r := c.clean(next)
		if r != nil {
			next.User = nil
			res.Verdict, res.FinalURL, res.Message = Problem, next.String(), "The link redirects to "+r.what+"."
			return entry{res: res}, true
		}
		cur = n
	}
}

// response is what a Checker keeps of one response.
type response struct {
	status      int
	location    string
	contentType string
	body        []byte // at most MaxBody bytes
}

// get sends one GET for u and reads at most MaxBody bytes of the answer.
func (c *Checker) get(ctx context.Context, deadline time.Time, u *url.URL) (*response, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, refusedInvalid
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	r := &response{status: resp.StatusCode, location: resp.Header.Get("Location"), contentType: resp.Header.Get("Content-Type")}
	if !isRedirect(r.status) {
		// A body cut short (timeout, reset) still had its status.
		r.body, _ = io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody))
	}
	return r, nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// judge turns the final response into an entry.
func (c *Checker) judge(resp *response, u *url.URL, redirected bool) entry {
	res := Result{Status: resp.status, FinalURL: u.String(), Checked: c.opts.Now()}
	if mt, _, _ := mime.ParseMediaType(resp.contentType); mt == "text/html" || mt == "application/xhtml+xml" {
		res.Title = sniffTitle(resp.body)
	}
	code := strconv.Itoa(resp.status)
	var final *url.URL
	switch s := resp.status; {
	case s >= 200 && s < 300:
		res.Verdict = OK
		if redirected {
			final = u
		}
	case s == http.StatusNotFound:
		res.Verdict, res.Message = Problem, "The page was not found (HTTP 404)."
	case s == http.StatusGone:
		res.Verdict, res.Message = Problem, "The page is gone (HTTP 410)."
	case s == http.StatusTooManyRequests:
		res.Verdict, res.Message = Warning, "The site asked the bot to slow down (HTTP 429), so the link could not be checked just now."
	case s >= 500:
		res.Verdict, res.Message = Warning, "The site had an error (HTTP "+code+"); the link may work again later."
	case s >= 400:
		res.Verdict, res.Message = Warning, "The site turned the bot away (HTTP "+code+"); the link may still work in a browser."
	default:
		res.Verdict, res.Message = Warning, "The site gave an answer the bot does not understand (HTTP "+code+")."
	}
	return entry{res: res, final: final}
}

// failure turns a request that got no answer into an entry, and says
// whether to cache it.
func (c *Checker) failure(ctx context.Context, err error, u *url.URL, hop, status int) (entry, bool) {
	res := Result{Verdict: Warning, Status: status, FinalURL: u.String(), Checked: c.opts.Now()}
	link := "The link points to "
	if hop > 0 {
		link = "The link redirects to "
	}
	var ref *refusal
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &ref):
		res.Verdict, res.Message = Problem, link+ref.what+"."
	case ctx.Err() != nil:
		res.Message = "The link was not checked because the check was cancelled."
		return entry{res: res}, false
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		res.Verdict, res.Message = Problem, link+"a host name that does not exist."
	case errors.As(err, &dnsErr):
		res.Message = "The link's host name could not be looked up just now."
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		res.Message = "The site did not answer within " + c.opts.Timeout.String() + "."
	case isTLSError(err):
		res.Message = "The site's secure connection (TLS) failed; its certificate may be invalid or expired."
	case errors.Is(err, syscall.ECONNREFUSED):
		res.Message = "The site refused the connection."
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		res.Message = "The site closed the connection without answering."
	default:
		res.Message = "The site could not be reached."
	}
	return entry{res: res}, true
}

// family orders IPv4 (and IPv4-mapped) addresses before IPv6 ones.
func family(a netip.Addr) int {
	if a.Unmap().Is4() {
		return 4
	}
	return 6
}

func isTLSError(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// dial connects to address (host:port) for the transport: it resolves the
// host itself and dials the addresses one by one (IPv4 first) through
// c.dialer, whose Control (see control) refuses any that is not public.
// If every address fails and one was refused, the refusal is the error.
func (c *Checker) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = c.opts.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		// IPv4 first: the addresses are tried one after the other, and
		// many hosts the bot runs on have no IPv6 route.
		addrs = slices.Clone(addrs)
		slices.SortStableFunc(addrs, func(a, b netip.Addr) int {
			return cmp.Compare(family(a), family(b))
		})
	}
	var first, refused error
	for _, a := range addrs {
		conn, err := c.dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		var ref *refusal
		if refused == nil && errors.As(err, &ref) {
			refused = err
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if refused != nil {
		return nil, refused
	}
	return nil, first
}
