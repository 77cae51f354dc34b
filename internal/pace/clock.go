package pace

import "time"

// Clock is the time a Pacer measures its windows and waits with. Tests give
// a clock they move by hand, so that an hour's window arithmetic runs in
// microseconds and without flakes; production uses real time (a nil Clock).
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed on this
	// clock, unless the timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop prevents the call if it has not started; it reports whether it
	// did.
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// FastClock returns a clock that starts at the real time and runs factor
// times faster, with real timers under it. A benchmark paces a scaled-up
// load through the real waiting code (timers, goroutines, HTTP) in a
// fraction of the time: with factor 1000, a minute's window passes in 60 ms.
func FastClock(factor float64) Clock {
	if factor <= 0 {
		factor = 1
	}
	return fastClock{start: time.Now(), factor: factor}
}

type fastClock struct {
	start  time.Time
	factor float64
}

func (c fastClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.factor))
}

func (c fastClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(time.Duration(float64(d)/c.factor), f)
}
