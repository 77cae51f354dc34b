package githubsim

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Stats counts the API requests the simulator served, so tests and
// benchmarks can assert API budgets. A 304 Not Modified is counted as a
// request (and in NotModified) but is free against the rate limit.
type Stats struct {
	Total       int
	Reads       int // GET and HEAD
	Writes      int // every other method
	NotModified int
	// ByRoute counts requests per "METHOD /route/{template}", for example
	// "GET /repos/{owner}/{repo}/issues".
	ByRoute map[string]int
	// ByInstallation splits the requests made with installation tokens by
	// installation id.
	ByInstallation map[int64]InstallationStats
	// SecondaryLimited counts the requests refused by the secondary rate
	// limits (Options.SecondaryLimits); answers of FaultSecondaryRateLimit
	// are not counted here.
	SecondaryLimited int
	// PeakWritesPerMinute is the most content-generating requests one
	// credential made within a sliding minute of real time, and
	// PeakConcurrent the most requests one credential had in flight at
	// once. They are kept whether or not the secondary limits are
	// enforced, so a test can check that a client stays under them.
	PeakWritesPerMinute int
	PeakConcurrent      int
}

// InstallationStats counts the requests made with one installation's tokens.
type InstallationStats struct {
	Total   int
	Reads   int
	Writes  int
	ByRoute map[string]int
}

// accountant records Stats.
type accountant struct {
	mu    sync.Mutex
	stats Stats
}

func newAccountant() *accountant {
	a := &accountant{}
	a.reset()
	return a
}

func (a *accountant) reset() {
	a.stats = Stats{ByRoute: map[string]int{}, ByInstallation: map[int64]InstallationStats{}}
}

func (a *accountant) record(routeKey string, installationID int64, write, notModified bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Total++
	if write {
		a.stats.Writes++
	} else {
		a.stats.Reads++
	}
	if notModified {
		a.stats.NotModified++
	}
	a.stats.ByRoute[routeKey]++
	if installationID == 0 {
		return
	}
	is := a.stats.ByInstallation[installationID]
	if is.ByRoute == nil {
		is.ByRoute = map[string]int{}
	}
	is.Total++
	if write {
		is.Writes++
	} else {
		is.Reads++
	}
	is.ByRoute[routeKey]++
	a.stats.ByInstallation[installationID] = is
}

func (a *accountant) secondaryLimited() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.SecondaryLimited++
}

// peaks raises the peaks to what a credential just reached; zero leaves
// a peak alone.
func (a *accountant) peaks(writesPerMinute, concurrent int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.PeakWritesPerMinute = max(a.stats.PeakWritesPerMinute, writesPerMinute)
	a.stats.PeakConcurrent = max(a.stats.PeakConcurrent, concurrent)
}

// Stats returns a copy of the request counts since New or ResetStats.
func (s *Sim) Stats() Stats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	out := s.stats.stats
	out.ByRoute = make(map[string]int, len(s.stats.stats.ByRoute))
	for k, v := range s.stats.stats.ByRoute {
		out.ByRoute[k] = v
	}
	out.ByInstallation = make(map[int64]InstallationStats, len(s.stats.stats.ByInstallation))
	for id, is := range s.stats.stats.ByInstallation {
		cp := is
		cp.ByRoute = make(map[string]int, len(is.ByRoute))
		for k, v := range is.ByRoute {
			cp.ByRoute[k] = v
		}
		out.ByInstallation[id] = cp
	}
	return out
}

// ResetStats zeroes the request counts.
func (s *Sim) ResetStats() {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	s.stats.reset()
}

// Rate is the primary rate-limit state of one token, as the x-ratelimit-*
// headers report it.
type Rate struct {
	Limit     int
	Remaining int
	Used      int
	Reset     time.Time
	Resource  string
}

// rateLimiter tracks an hourly window per credential.
type rateLimiter struct {
	mu      sync.Mutex
	limit   int
	windows map[string]*rateWindow
}

type rateWindow struct {
	used  int
	reset time.Time
}

func newRateLimiter(limit int) *rateLimiter {
	return &rateLimiter{limit: limit, windows: map[string]*rateWindow{}}
}

func (rl *rateLimiter) limitFor(key string) int {
	if key == "anonymous" {
		return 60
	}
	return rl.limit
}

func (rl *rateLimiter) window(key string, now time.Time) *rateWindow {
	w := rl.windows[key]
	if w == nil || !now.Before(w.reset) {
		w = &rateWindow{reset: now.Add(time.Hour).Truncate(time.Second)}
		rl.windows[key] = w
	}
	return w
}

func (rl *rateLimiter) rate(key string, w *rateWindow) Rate {
	limit := rl.limitFor(key)
	remaining := limit - w.used
	if remaining < 0 {
		remaining = 0
	}
	return Rate{Limit: limit, Remaining: remaining, Used: w.used, Reset: w.reset, Resource: "core"}
}

// peek returns the current state without spending anything.
func (rl *rateLimiter) peek(key string, now time.Time) Rate {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.rate(key, rl.window(key, now))
}

// finish spends one request when counted and returns the new state.
func (rl *rateLimiter) finish(key string, counted bool, now time.Time) Rate {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	w := rl.window(key, now)
	if counted {
		w.used++
	}
	return rl.rate(key, w)
}

// RateLimit returns the rate-limit state of an installation's tokens.
func (s *Sim) RateLimit(installationID int64) Rate {
	return s.rates.peek("installation:"+strconv.FormatInt(installationID, 10), s.opts.Now())
}

// SetRateUsed sets how many requests an installation has spent in the
// current window, to put a test right at the edge of the limit.
func (s *Sim) SetRateUsed(installationID int64, used int) {
	key := "installation:" + strconv.FormatInt(installationID, 10)
	s.rates.mu.Lock()
	defer s.rates.mu.Unlock()
	s.rates.window(key, s.opts.Now()).used = used
}

// setRateHeaders adds the x-ratelimit-* headers unless a fault already did.
func (r *response) setRateHeaders(rate Rate) {
	if r.header == nil {
		r.header = http.Header{}
	}
	if r.header.Get("X-RateLimit-Remaining") != "" {
		return
	}
	r.header.Set("X-RateLimit-Limit", strconv.Itoa(rate.Limit))
	r.header.Set("X-RateLimit-Remaining", strconv.Itoa(rate.Remaining))
	r.header.Set("X-RateLimit-Used", strconv.Itoa(rate.Used))
	r.header.Set("X-RateLimit-Reset", strconv.FormatInt(rate.Reset.Unix(), 10))
	r.header.Set("X-RateLimit-Resource", rate.Resource)
}
