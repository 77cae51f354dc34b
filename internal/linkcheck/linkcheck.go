package linkcheck

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru"
)

// Verdict is what a check found, from the submitter's point of view.
type Verdict int

const (
	// OK: the page answered 2xx.
	OK Verdict = iota
	// Warning: the check could not tell (timeout, 429, 5xx, 403, a TLS or
	// connection error, too many redirects); it blocks nothing.
	Warning
	// Problem: the link is broken (404, 410, a host name that does not
	// exist) or is refused (a private or local address, credentials, a
	// scheme or port the bot does not visit).
	Problem
	// MayBeClosed: a job link redirected to what looks like a general
	// careers, jobs or search page (see "Closed job postings" in the
	// package documentation); it blocks nothing.
	MayBeClosed
)

func (v Verdict) String() string {
	switch v {
	case OK:
		return "ok"
	case Warning:
		return "warning"
	case Problem:
		return "problem"
	case MayBeClosed:
		return "may be closed"
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// Result is the outcome of checking one link.
type Result struct {
	Verdict Verdict
	// Status is the HTTP status of the last response, 0 if none came.
	Status int
	// FinalURL is the last URL requested or refused, after redirects,
	// without any user name or password; empty when the link is not a URL.
	FinalURL string
	// Message says what is wrong in a plain English sentence for the
	// submitter (no markdown, no URL); empty when the Verdict is OK.
	Message string
	// Title is the page's <title> if it was in the part of the body read,
	// whitespace collapsed. It is untrusted text from the site.
	Title string
	// Checked is when the link was fetched (for a cached Result, the
	// first time), by Options.Now.
	Checked time.Time
}

// Resolver looks up host names; *net.Resolver is one. Tests inject their
// own so that no name is ever looked up outside.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure a Checker. The zero value is usable: each zero field
// takes the default in its comment.
type Options struct {
	// Timeout bounds a check from its first request to its last byte read,
	// redirects included (default 10 s). Waiting for a first turn at a busy
	// host is bounded by the caller's context instead.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed (default 5;
	// negative: none).
	MaxRedirects int
	// UserAgent names the bot and a URL about it (default DefaultUserAgent).
	UserAgent string
	// TTL is how long a result is reused (default 24 h).
	TTL time.Duration
	// CacheSize bounds how many results are kept (default 10000).
	CacheSize int
	// MaxBody is how many bytes of a page are read at most (default 64 KiB).
	MaxBody int64
	// Concurrency bounds the requests running at once over all hosts
	// (default 8). Each host gets one request at a time regardless.
	Concurrency int
	// Ports are ports that may be fetched besides 80 and 443.
	Ports []int
	// AllowLoopback lets loopback addresses (127.0.0.0/8, ::1) and the name
	// localhost through, for tests and the demo; nothing else private.
	// A loopback server on another port needs that port in Ports too.
	AllowLoopback bool
	// Resolver looks up host names (default net.DefaultResolver).
	Resolver Resolver
	// Now is the clock of Result.Checked and the cache (default time.Now).
	Now func() time.Time
}

// DefaultUserAgent is the User-Agent a Checker sends unless told otherwise.
const DefaultUserAgent = "newsletter-bot-linkcheck/1.0 (+https://github.com/newsletter-bot/newsletter-bot)"

// Checker checks links; it is safe for concurrent use.
type Checker struct {
	opts      Options
	transport *http.Transport
	dialer    *net.Dialer
	limit     *limiter
	cache     *lru.Cache // normalised URL -> entry

	// onDial, if set (by tests), sees every address about to be dialled.
	onDial func(address string)
}

// entry is a cached fetch: the Result for a link that is not a job, and
// what decides whether it is MayBeClosed for a job.
type entry struct {
	res   Result
	final *url.URL // nil unless the link redirected and answered 2xx
}

// New returns a Checker with opts, zero fields taking their defaults.
func New(opts Options) *Checker {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = 5
	} else if opts.MaxRedirects < 0 {
		opts.MaxRedirects = 0
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.TTL <= 0 {
		opts.TTL = 24 * time.Hour
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 10000
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 64 << 10
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Checker{opts: opts, limit: newLimiter(opts.Concurrency)}
	c.cache, _ = lru.New(opts.CacheSize) // only fails for a size below 1
	c.dialer = &net.Dialer{Timeout: opts.Timeout, Control: c.control}
	c.transport = &http.Transport{
		Proxy:                  nil, // never a proxy from the environment
		DialContext:            c.dial,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    opts.Timeout,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		DisableKeepAlives:      true, // a body is left unread: no reuse
		ForceAttemptHTTP2:      true,
	}
	return c
}

// Check checks rawURL, a link as submitted; job says it is a job posting,
// which may then be judged MayBeClosed. It never fails: what went wrong is
// in the Result. A link that is refused is not requested at all.
func (c *Checker) Check(ctx context.Context, rawURL string, job bool) Result {
	u, r := c.normalise(rawURL)
	if r != nil {
		return Result{Verdict: Problem, FinalURL: withoutUserinfo(rawURL), Message: "The link points to " + r.what + ".", Checked: c.opts.Now()}
	}
	key := u.String()
	e, ok := c.cached(key)
	if !ok {
		var cacheable bool
		e, cacheable = c.fetch(ctx, u, key)
		if cacheable {
			c.cache.Add(key, e)
		}
	}
	res := e.res
	if job && e.final != nil && looksClosed(u, e.final) {
		res.Verdict = MayBeClosed
		res.Message = "The link now redirects to what looks like a general careers, jobs or search page, so the job may have closed."
	}
	return res
}

// cached returns the entry for key if it is younger than the TTL.
func (c *Checker) cached(key string) (entry, bool) {
	v, ok := c.cache.Get(key)
	if !ok {
		return entry{}, false
	}
	e := v.(entry)
	if c.opts.Now().Sub(e.res.Checked) >= c.opts.TTL {
		c.cache.Remove(key)
		return entry{}, false
	}
	return e, true
}

// withoutUserinfo is raw without any user name or password, or "" if it
// is not a URL.
func withoutUserinfo(raw string) string {
	if len(raw) > maxURLLength {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	u.User = nil
	return u.String()
}
