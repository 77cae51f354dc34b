package githubsim

import (
	"net/http"
	"sort"
	"sync"
	"time"
)

// SecondaryLimits configure GitHub's secondary rate limits ("Rate limits
// for the REST API", "About secondary rate limits"): no more than 100
// concurrent requests, and no more than 80 content-generating requests per
// minute and 500 per hour. GitHub does not say per what; the simulator
// counts them per credential, as the primary limit does: per installation
// for installation tokens, per user for personal tokens (UserToken,
// Actor.Token). A request over a limit gets GitHub's answer, 403 with
// retry-after and the "exceeded a secondary rate limit" message.
type SecondaryLimits struct {
	// Enforce turns the limits on. They are off by default for now,
	// because some tests write far faster than GitHub allows on purpose.
	Enforce bool
	// PerMinute and PerHour bound the content-generating requests (POST,
	// PATCH, PUT and DELETE with an installation token or a personal
	// token) one credential makes within any sliding minute and hour.
	// Concurrent bounds the requests, reads too, one credential has in
	// flight at once. Zero means GitHub's number (80, 500, 100); a negative
	// value lifts that one limit.
	PerMinute  int
	PerHour    int
	Concurrent int
	// Now is the clock the windows are measured on; nil means time.Now.
	// It is deliberately not Options.Now: clients pace their writes in real
	// time, while many tests freeze the simulator's clock, under which
	// every write of a test would fall in the same instant.
	Now func() time.Time
}

// GitHub's documented secondary limits, the defaults of SecondaryLimits.
const (
	githubWritesPerMinute = 80
	githubWritesPerHour   = 500
	githubConcurrent      = 100
)

// secondaryLimiter keeps, per credential, the times of the
// content-generating requests it admitted and the requests in flight. It
// keeps them even when the limits are not enforced, so that Stats can
// report how close a client came to them.
type secondaryLimiter struct {
	enforce    bool
	perMinute  int // at most 0 when lifted
	perHour    int
	concurrent int
	now        func() time.Time

	mu       sync.Mutex
	writes   map[string][]time.Time // admitted writes still in a window, oldest first
	inFlight map[string]int
}

func newSecondaryLimiter(o SecondaryLimits) *secondaryLimiter {
	orDefault := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	l := &secondaryLimiter{
		enforce:    o.Enforce,
		perMinute:  orDefault(o.PerMinute, githubWritesPerMinute),
		perHour:    orDefault(o.PerHour, githubWritesPerHour),
		concurrent: orDefault(o.Concurrent, githubConcurrent),
		now:        o.Now,
		writes:     map[string][]time.Time{},
		inFlight:   map[string]int{},
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

// keep is how long an admitted write matters: an hour while the hourly
// limit is enforced, else the minute of the per-minute peak in Stats.
func (l *secondaryLimiter) keep() time.Duration {
	if l.enforce && l.perHour > 0 {
		return time.Hour
	}
	return time.Minute
}

// enter admits a request of a credential unless it already has the
// concurrent limit in flight, and reports how many it then has in flight.
// An admitted request must leave.
func (l *secondaryLimiter) enter(key string) (ok bool, inFlight int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.inFlight[key]
	if l.enforce && l.concurrent > 0 && n >= l.concurrent {
		return false, n
	}
	l.inFlight[key] = n + 1
	return true, n + 1
}

func (l *secondaryLimiter) leave(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight[key]--; l.inFlight[key] <= 0 {
		delete(l.inFlight, key)
	}
}

// write admits a content-generating request of a credential unless it
// would break a window, and then returns how long until it would not; a
// refused request is not counted. It also reports the credential's writes
// in the last minute, the refused one excluded.
func (l *secondaryLimiter) write(key string) (retry time.Duration, lastMinute int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	times := l.writes[key]
	drop := 0
	for drop < len(times) && now.Sub(times[drop]) >= l.keep() {
		drop++
	}
	times = times[drop:]
	// inWindow returns the index of the oldest write still in a window.
	inWindow := func(window time.Duration) int {
		return sort.Search(len(times), func(k int) bool { return now.Sub(times[k]) < window })
	}
	if l.enforce {
		for _, w := range []struct {
			limit  int
			window time.Duration
		}{{l.perMinute, time.Minute}, {l.perHour, time.Hour}} {
			first := inWindow(w.window)
			if n := len(times) - first; w.limit > 0 && n >= w.limit {
				// The request fits once the window's n-limit+1 oldest
				// writes have left it.
				retry = max(retry, times[first+n-w.limit].Add(w.window).Sub(now))
			}
		}
	}
	if retry > 0 {
		l.writes[key] = times
		return retry, len(times) - inWindow(time.Minute)
	}
	times = append(times, now)
	l.writes[key] = times
	return 0, len(times) - inWindow(time.Minute)
}

// isContentWrite reports whether a request is content-generating in the
// sense of the secondary limits: a write made with a token. The app's own
// JWT routes (installation tokens, its webhook configuration) and the
// manifest conversion create no content. A GraphQL request is a write
// when it asks for a mutation, as GitHub counts it; a query is not.
func (c *reqCtx) isContentWrite() bool {
	if c.route.graphql {
		return c.graphQL().mutation()
	}
	return c.route.method != http.MethodGet && c.route.auth == authToken
}

// retryAfterSeconds is a retry-after header value: whole seconds, rounded
// up so that a client waiting that long does get through, and at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// secondaryLimited answers a request over a secondary limit and counts it.
func (s *Sim) secondaryLimited(c *reqCtx, retry time.Duration) *response {
	s.stats.secondaryLimited()
	return secondaryRateLimited(c, retryAfterSeconds(retry))
}
