package linkcheck

import (
	"context"
	"net"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeResolver answers from a table and records what it was asked; a name
// not in the table does not exist, so no test ever looks up a real name.
type fakeResolver struct {
	mu    sync.Mutex
	hosts map[string][]netip.Addr
	errs  map[string]error
	asked []string
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, host)
	if err := r.errs[host]; err != nil {
		return nil, err
	}
	if addrs, ok := r.hosts[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (r *fakeResolver) lookups() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.asked...)
}

// dialLog records every address a Checker was about to dial.
type dialLog struct {
	mu   sync.Mutex
	addr []string
}

func (d *dialLog) record(address string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addr = append(d.addr, address)
}

func (d *dialLog) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addr...)
}

// newTestChecker returns a Checker with opts that may fetch from srvs'
// ports, with a fakeResolver (opts.Resolver's, if one is given) and a log
// of what it dials.
func newTestChecker(t *testing.T, opts Options, srvs ...*httptest.Server) (*Checker, *fakeResolver, *dialLog) {
	t.Helper()
	res, ok := opts.Resolver.(*fakeResolver)
	if !ok {
		if opts.Resolver != nil {
			t.Fatal("newTestChecker: Resolver must be a *fakeResolver")
		}
		res = &fakeResolver{}
		opts.Resolver = res
	}
	for _, s := range srvs {
		opts.Ports = append(opts.Ports, port(t, s))
	}
	c := New(opts)
	log := &dialLog{}
	c.onDial = log.record
	return c, res, log
}

func port(t *testing.T, s *httptest.Server) int {
	t.Helper()
	return s.Listener.Addr().(*net.TCPAddr).Port
}

// hostPort is srv's address with host in place of 127.0.0.1.
func hostPort(t *testing.T, host string, s *httptest.Server) string {
	return net.JoinHostPort(host, strconv.Itoa(port(t, s)))
}

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var loopback = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
