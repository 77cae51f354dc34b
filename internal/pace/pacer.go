// Package pace keeps the bot's requests to GitHub within GitHub's secondary
// rate limits, one installation at a time: writes (content-generating
// requests) are paced through a minute and an hour window, every request
// takes one of a bounded number of concurrency slots, and a refusal pauses
// the installation's writes for as long as GitHub asks before the refused
// request is sent again.
//
// Waiting requests are served by priority, so that a maintainer's command is
// answered while a draft's many status comments still trickle out behind it.
// The priority and the installation's Pacer travel in the request's context
// (WithPriority, WithPacer); Transport reads them where requests leave the
// process, so the code that calls GitHub needs no change to be paced.
package pace

import (
	"container/list"
	"context"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Priority orders the requests waiting on one installation: a higher
// priority is served first, equal priorities in the order they arrived.
// The zero value is Normal, so a context that says nothing gets it.
type Priority int

const (
	// Bulk is for refreshes that may trail by minutes: the status comments
	// rewritten after a draft opens, publication notices. Bulk writes fill
	// at most three quarters of each window and are spread evenly over the
	// minute, so a batch never stands between a user and an answer.
	Bulk Priority = iota - 1
	// Normal is for everything nobody said anything about.
	Normal
	// High is for what a person is waiting to see: the answer to a command,
	// a new submission's first status comment.
	High
)

func (p Priority) String() string {
	switch p {
	case Bulk:
		return "bulk"
	case Normal:
		return "normal"
	case High:
		return "high"
	}
	return "priority(" + strconv.Itoa(int(p)) + ")"
}

// clamp folds a priority made up by conversion into the three the queues
// know, so that an out-of-range value orders like its nearest neighbour.
func (p Priority) clamp() Priority {
	return min(max(p, Bulk), High)
}

// queue is the index of p's queue, the most urgent first.
func (p Priority) queue() int { return int(High - p.clamp()) }

// Kind says whether a request counts against the write windows.
type Kind int

const (
	// Read requests (GET, HEAD) take a concurrency slot only.
	Read Kind = iota
	// Write requests (POST, PATCH, PUT, DELETE) are the content-generating
	// ones GitHub counts per minute and per hour.
	Write
)

func (k Kind) String() string {
	if k == Write {
		return "write"
	}
	return "read"
}

// Stats is what a Pacer has done since it was made, and what it is doing
// now; metrics export it and tests assert on it.
type Stats struct {
	Requests int64         // requests let through, all kinds, every attempt
	Writes   int64         // of those, writes
	Waits    int64         // requests that could not go at once and queued
	WaitTime time.Duration // the time requests spent queued, added up
	Canceled int64         // waits that their context ended
	Refusals int64         // responses that refused a request for a rate limit
	Pauses   int64         // refusals that paused the writes anew or for longer
	Retries  int64         // requests sent again after a refusal

	InFlight    int       // requests holding a concurrency slot now
	Waiting     int       // requests queued now
	PausedUntil time.Time // when the current pause of writes ends; zero if none
}

// Pacer paces one installation's requests; it is safe for concurrent use.
// Make it with NewPacer, or get it from a Registry.
//
// The windows are a log of the hour's write times, not a token bucket
// (golang.org/x/time/rate): a bucket refills continuously, so it would let a
// full minute's writes through at the end of one minute and as many again
// at the start of the next, where GitHub counts any 60 seconds. The log
// holds at most PerHour times, and answers both windows exactly.
type Pacer struct {
	limits Limits
	clock  Clock

	mu          sync.Mutex
	seq         uint64       // arrival order, kept by a request across its retries
	inFlight    int          // concurrency slots taken
	writes      []time.Time  // when each write of the last hour went, oldest first
	lastBulk    time.Time    // when the last bulk write went, for their spacing
	pausedUntil time.Time    // no write goes before this
	queues      [3]list.List // *waiter, by Priority.queue, each in arrival order
	timer       Timer        // wakes the queue when a window or a pause ends
	timerAt     time.Time    // when timer fires
	timerGen    uint64       // tells a stale timer's call from the current one's
	waiterCount int          // requests queued, across the queues
	stats       Stats        // the counters; the gauges are computed in Stats
}

// waiter is one request queued for a slot.
type waiter struct {
	pri        Priority
	kind       Kind
	seq        uint64
	afterPause bool // a retry: even a read waits for the pause to end
	since      time.Time
	ready      chan struct{} // closed when granted
	granted    bool
	at         time.Time // when granted
	elem       *list.Element
}

// NewPacer returns a pacer for one installation. A nil clock is real time.
// It panics if l fails Check: limits are written in code, and a Registry
// checks those that come from configuration.
func NewPacer(l Limits, clock Clock) *Pacer {
	if err := l.Check(); err != nil {
		panic(err)
	}
	if clock == nil {
		clock = realClock{}
	}
	return &Pacer{limits: l, clock: clock}
}

// Acquire waits until a request of kind may be sent: a concurrency slot is
// free and, for a write, both windows have room and writes are not paused.
// Requests are let through by priority, in arrival order within one. The
// caller sends the request and then calls release (once; more calls do
// nothing). If ctx ends first, Acquire returns ctx's error and holds
// nothing.
func (p *Pacer) Acquire(ctx context.Context, pri Priority, kind Kind) (release func(), err error) {
	return p.acquire(ctx, pri, kind, p.nextSeq(), false)
}

// nextSeq numbers a request on arrival, so that its retries queue where it
// first stood rather than behind everything that came since.
func (p *Pacer) nextSeq() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	return p.seq
}

func (p *Pacer) acquire(ctx context.Context, pri Priority, kind Kind, seq uint64, afterPause bool) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	now := p.clock.Now()
	w := &waiter{pri: pri.clamp(), kind: kind, seq: seq, afterPause: afterPause, since: now, ready: make(chan struct{})}
	p.enqueue(w)
	p.dispatch(now)
	if w.granted {
		p.mu.Unlock()
		return p.releaser(), nil
	}
	p.stats.Waits++
	p.mu.Unlock()

	select {
	case <-w.ready:
		return p.releaser(), nil
	case <-ctx.Done():
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.granted {
		// Granted while ctx ended: the request will not be sent, so it
		// gives its slot and its place in the windows back.
		p.ungrant(w)
	} else {
		p.queues[w.pri.queue()].Remove(w.elem)
		p.waiterCount--
	}
	p.stats.Canceled++
	p.dispatch(p.clock.Now())
	return nil, ctx.Err()
}

// releaser gives a granted slot back once.
func (p *Pacer) releaser() func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.inFlight--
			p.dispatch(p.clock.Now())
		})
	}
}

// PauseUntil holds every write of the installation until t, or MaxPause
// from now if t is later; a pause already longer stays. Transport calls it
// when GitHub refuses a request; code that meets a refusal elsewhere (a
// *github.AbuseRateLimitError from an unpaced client) may call it too.
func (p *Pacer) PauseUntil(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	p.pause(now, clampPause(now, t))
	p.dispatch(now)
}

func (p *Pacer) pause(now, until time.Time) {
	if until.After(p.pausedUntil) {
		p.pausedUntil = until
		p.stats.Pauses++
	}
}

// refused records a response that refused a request, and pauses the writes
// until when GitHub said.
func (p *Pacer) refused(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	p.stats.Refusals++
	p.pause(now, clampPause(now, until))
	p.dispatch(now)
}

func (p *Pacer) retried() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Retries++
}

// Stats returns the counters and what is in flight and queued now.
func (p *Pacer) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.InFlight = p.inFlight
	s.Waiting = p.waiterCount
	if p.clock.Now().Before(p.pausedUntil) {
		s.PausedUntil = p.pausedUntil
	}
	return s
}

// idle reports whether forgetting the pacer loses nothing: nothing in
// flight or queued, no pause, no write still inside the hour window.
func (p *Pacer) idle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	p.prune(now)
	return p.inFlight == 0 && p.waiterCount == 0 && len(p.writes) == 0 && !now.Before(p.pausedUntil)
}

// enqueue puts w in its priority's queue by arrival. A new request goes at
// the back; only a retry, which keeps its first number, goes further in.
func (p *Pacer) enqueue(w *waiter) {
	q := &p.queues[w.pri.queue()]
	p.waiterCount++
	for e := q.Back(); e != nil; e = e.Prev() {
		if e.Value.(*waiter).seq < w.seq {
			w.elem = q.InsertAfter(w, e)
			return
		}
	}
	w.elem = q.PushFront(w)
}

// dispatch lets through every queued request that may go now, the most
// urgent first, and sets the timer for the earliest time one that may not
// will be able to. It is called with p.mu held, whenever that may have
// changed: a request arrives or gives up, a slot is released, a pause
// starts, the timer fires.
//
// A request that may not go does not hold up those behind it: a read passes
// a write that waits for the window, since the windows are not its to wait
// for. Writes still cannot pass one another within a priority, because what
// stops one write stops every write of its priority and below.
func (p *Pacer) dispatch(now time.Time) {
	p.prune(now)
	var wake time.Time
	for i := range p.queues {
		q := &p.queues[i]
		for e := q.Front(); e != nil && p.inFlight < p.limits.Concurrent; {
			next := e.Next()
			w := e.Value.(*waiter)
			if until, ok := p.room(now, w); ok {
				q.Remove(e)
				p.waiterCount--
				p.grant(now, w)
			} else if wake.IsZero() || until.Before(wake) {
				wake = until
			}
			e = next
		}
	}
	p.schedule(now, wake)
}

// room reports whether w may go now, and if not, the earliest time it may
// (if nothing else goes before it).
func (p *Pacer) room(now time.Time, w *waiter) (time.Time, bool) {
	if w.kind == Write {
		return p.writeRoom(now, w.pri)
	}
	if w.afterPause && now.Before(p.pausedUntil) {
		return p.pausedUntil, false
	}
	return time.Time{}, true
}

// writeRoom reports whether a write of priority pri may go now: no pause,
// fewer than the limit in the last minute and in the last hour, and for a
// bulk write, its smaller share of both and its spacing. If not, it returns
// the time all of those will hold, if no other write goes before then.
func (p *Pacer) writeRoom(now time.Time, pri Priority) (time.Time, bool) {
	var until time.Time
	later := func(t time.Time) {
		if t.After(until) {
			until = t
		}
	}
	if now.Before(p.pausedUntil) {
		later(p.pausedUntil)
	}
	perMinute, perHour := p.limits.PerMinute, p.limits.PerHour
	if pri == Bulk {
		perMinute, perHour = p.limits.bulk()
		if !p.lastBulk.IsZero() {
			if next := p.lastBulk.Add(p.limits.bulkGap()); now.Before(next) {
				later(next)
			}
		}
	}
	// A write sent at t counts until t plus the window: the next write
	// waits for the oldest one that would make the count too high to leave.
	n := len(p.writes)
	inMinute := n - sort.Search(n, func(i int) bool { return p.writes[i].After(now.Add(-time.Minute)) })
	if inMinute >= perMinute {
		later(p.writes[n-perMinute].Add(time.Minute))
	}
	if n >= perHour {
		later(p.writes[n-perHour].Add(time.Hour))
	}
	return until, until.IsZero()
}

// prune forgets the writes that have left the hour window.
func (p *Pacer) prune(now time.Time) {
	k := sort.Search(len(p.writes), func(i int) bool { return p.writes[i].After(now.Add(-time.Hour)) })
	if k > 0 {
		p.writes = append(p.writes[:0], p.writes[k:]...)
	}
}

func (p *Pacer) grant(now time.Time, w *waiter) {
	w.granted, w.at = true, now
	p.inFlight++
	p.stats.Requests++
	p.stats.WaitTime += now.Sub(w.since)
	if w.kind == Write {
		p.writes = append(p.writes, now)
		p.stats.Writes++
		if w.pri == Bulk {
			p.lastBulk = now
		}
	}
	close(w.ready)
}

// ungrant takes back a grant whose request was never sent. The bulk spacing
// it started stays: waiting a gap too long costs less than tracking which
// bulk write went before it.
func (p *Pacer) ungrant(w *waiter) {
	p.inFlight--
	p.stats.Requests--
	if w.kind != Write {
		return
	}
	p.stats.Writes--
	for i := len(p.writes) - 1; i >= 0; i-- {
		if p.writes[i].Equal(w.at) {
			p.writes = append(p.writes[:i], p.writes[i+1:]...)
			return
		}
	}
}

// schedule makes the timer fire at wake, or stops it when nothing waits
// for a time to come (only for a slot, which a release hands over).
func (p *Pacer) schedule(now, wake time.Time) {
	if p.timer != nil && p.timerAt.Equal(wake) {
		return
	}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.timerAt = wake
	if wake.IsZero() {
		return
	}
	p.timerGen++
	gen := p.timerGen
	p.timer = p.clock.AfterFunc(wake.Sub(now), func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.timerGen == gen {
			p.timer = nil
			p.timerAt = time.Time{}
		}
		p.dispatch(p.clock.Now())
	})
}

// clampPause keeps a pause between minPause and MaxPause from now.
func clampPause(now, until time.Time) time.Time {
	if lo := now.Add(minPause); until.Before(lo) {
		return lo
	}
	if hi := now.Add(MaxPause); until.After(hi) {
		return hi
	}
	return until
}
