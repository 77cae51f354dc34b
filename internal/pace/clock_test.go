package pace

import (
	"sort"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when a test says so. Its timers fire
// inside Advance, in order, so that when Advance returns, the pacer has
// already let through everything that time allowed.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c    *fakeClock
	at   time.Time
	f    func()
	done bool // fired or stopped
}

// newFakeClock starts at a fixed time, so that the x-ratelimit-reset a
// test writes is a plain Unix time.
func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Unix(1_700_000_000, 0)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	return true
}

// Advance moves the clock by d and runs the timers that came due, outside
// the clock's lock, since they call back into the pacer, which calls
// AfterFunc.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due, left []*fakeTimer
	for _, t := range c.timers {
		switch {
		case t.done:
		case !t.at.After(c.now):
			t.done = true
			due = append(due, t)
		default:
			left = append(left, t)
		}
	}
	c.timers = left
	c.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
}

// waitFor polls cond until it holds: the goroutines under test run on their
// own, and this is how a test knows they got where it needs them.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestFastClock(t *testing.T) {
	c := FastClock(1000)
	start := c.Now()
	fired := make(chan time.Time, 1)
	c.AfterFunc(time.Minute, func() { fired <- c.Now() })
	select {
	case at := <-fired:
		if got := at.Sub(start); got < time.Minute {
			t.Errorf("AfterFunc(1m) fired after %v on the clock, want at least 1m", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("AfterFunc(1m) on a clock 1000 times as fast did not fire within 2s")
	}
}
