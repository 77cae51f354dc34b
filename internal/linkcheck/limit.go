package linkcheck

import (
	"context"
	"sync"
)

// limiter gives out turns: one request at a time per host, and at most a
// fixed number at once overall. Its map holds only the hosts that have a
// request running or waiting, so it is bounded by the checks in flight.
type limiter struct {
	slots chan struct{} // one token per request running

	mu    sync.Mutex
	hosts map[string]*hostTurn
}

type hostTurn struct {
	turn  chan struct{} // capacity 1: holding it is the host's turn
	users int           // running or waiting; the entry goes at zero
}

func newLimiter(concurrency int) *limiter {
	return &limiter{slots: make(chan struct{}, concurrency), hosts: map[string]*hostTurn{}}
}

// acquire waits for host's turn and then for a free slot, in that order
// (so that no one holds a slot while waiting for a host), until ctx is
// done. The returned release must be called once.
func (l *limiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	h := l.hosts[host]
	if h == nil {
		h = &hostTurn{turn: make(chan struct{}, 1)}
		l.hosts[host] = h
	}
	h.users++
	l.mu.Unlock()

	select {
	case h.turn <- struct{}{}:
	case <-ctx.Done():
		l.leave(host, h)
		return nil, ctx.Err()
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		<-h.turn
		l.leave(host, h)
		return nil, ctx.Err()
	}
	return func() {
		<-l.slots
		<-h.turn
		l.leave(host, h)
	}, nil
}

func (l *limiter) leave(host string, h *hostTurn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h.users--; h.users == 0 {
		delete(l.hosts, host)
	}
}

// len is how many hosts have a request running or waiting.
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hosts)
}
