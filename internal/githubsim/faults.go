package githubsim

import (
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// FaultKind is a kind of failure the simulator can inject into API calls.
type FaultKind int

const (
	// FaultServerError answers with a 5xx (Fault.Status, default 502).
	FaultServerError FaultKind = iota + 1
	// FaultSecondaryRateLimit answers 403 with Retry-After and GitHub's
	// "You have exceeded a secondary rate limit" message.
	FaultSecondaryRateLimit
	// FaultPrimaryRateLimit answers 403 "API rate limit exceeded" with
	// x-ratelimit-remaining: 0 and a reset Fault.RetryAfter from now.
	FaultPrimaryRateLimit
	// FaultLatency delays the request by Fault.Latency, then serves it.
	FaultLatency
)

func (k FaultKind) String() string {
	switch k {
	case FaultServerError:
		return "server error"
	case FaultSecondaryRateLimit:
		return "secondary rate limit"
	case FaultPrimaryRateLimit:
		return "primary rate limit"
	case FaultLatency:
		return "latency"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is one fault-injection rule for API requests.
type Fault struct {
	// Route is a route key such as "GET /repos/{owner}/{repo}/issues" (see
	// Routes); empty matches every route.
	Route string
	Kind  FaultKind
	// Probability is the chance a matching request is hit, drawn from the
	// simulator's seeded generator; zero means every matching request.
	Probability float64
	// Times stops the rule after it fired this many times; zero means never.
	Times int
	// Status is the status of FaultServerError (default 502).
	Status int
	// RetryAfter is the Retry-After of a secondary limit and the distance
	// to x-ratelimit-reset of a primary one (default one minute).
	RetryAfter time.Duration
	// Latency is the delay of FaultLatency.
	Latency time.Duration
	// Hold, with FaultLatency, delays the request until the channel is
	// closed instead (or its client gives up), and Held is called as it
	// starts waiting: a test's way to stop a request at a chosen point
	// and let others overtake it.
	Hold <-chan struct{}
	Held func()
}

// WebhookFaults are per-event probabilities of delivery faults. They are
// drawn when an event is emitted, from a generator seeded by Options.Seed
// and used for nothing else, so the same seed and the same sequence of
// changes give the same faults however fast the receiver is.
type WebhookFaults struct {
	// Duplicate delivers an event a second time with the same delivery id.
	Duplicate float64
	// Reorder swaps an event with the one queued after it: the event is
	// held back until the next one is emitted and delivered right after
	// it. WaitForDeliveries releases an event still held back.
	Reorder float64
	// Drop never delivers an event (it is still listed in Deliveries).
	Drop float64
}

type faultRule struct {
	Fault
	fired int
}

// faultInjector holds the rules and the seeded generators: one for API
// requests and one for webhooks, so that the order in which requests and
// deliveries interleave does not change either's draws.
type faultInjector struct {
	mu      sync.Mutex
	rng     *rand.Rand // API fault rules
	hookRng *rand.Rand // webhook faults
	rules   []*faultRule
	hooks   WebhookFaults
}

func newFaultInjector(seed int64) *faultInjector {
	return &faultInjector{rng: rand.New(rand.NewSource(seed)), hookRng: rand.New(rand.NewSource(seed ^ 0x5eed))}
}

// hookFaults draws the delivery faults of one emitted event.
func (f *faultInjector) hookFaults() (drop, duplicate, reorder bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	roll := func(p float64) bool { return p > 0 && f.hookRng.Float64() < p }
	drop = roll(f.hooks.Drop)
	duplicate = roll(f.hooks.Duplicate) && !drop
	reorder = roll(f.hooks.Reorder)
	return drop, duplicate, reorder
}

// pick returns the faults that fire for a route, in rule order.
func (f *faultInjector) pick(routeKey string) []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Fault
	for _, r := range f.rules {
		if r.Route != "" && r.Route != routeKey {
			continue
		}
		if r.Times > 0 && r.fired >= r.Times {
			continue
		}
		if r.Probability > 0 && f.rng.Float64() >= r.Probability {
			continue
		}
		r.fired++
		out = append(out, r.Fault)
	}
	return out
}

// AddFault adds a fault-injection rule for API requests.
func (s *Sim) AddFault(f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &faultRule{Fault: f})
}

// ClearFaults removes every API fault rule and webhook fault.
func (s *Sim) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = nil
	s.faults.hooks = WebhookFaults{}
}

// SetWebhookFaults sets the probabilities of delivery faults.
func (s *Sim) SetWebhookFaults(w WebhookFaults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.hooks = w
}

const (
	msgSecondaryRateLimit = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID %s."
	docsSecondaryLimit    = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	docsPrimaryLimit      = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"
)

// applyFaults runs the fault rules for a request; a non-nil response
// replaces the real one.
func (s *Sim) applyFaults(c *reqCtx) *response {
	for _, f := range s.faults.pick(c.route.key) {
		switch f.Kind {
		case FaultLatency:
			wait := time.After(f.Latency)
			if f.Hold != nil {
				wait = nil
				if f.Held != nil {
					f.Held()
				}
			}
			select {
			case <-wait:
			case <-f.Hold:
			case <-c.r.Context().Done():
				return errorResponse(http.StatusServiceUnavailable, "request cancelled")
			}
		case FaultServerError:
			status := f.Status
			if status == 0 {
				status = http.StatusBadGateway
			}
			msg := http.StatusText(status)
			if status == http.StatusInternalServerError {
				msg = "Server Error"
			}
			return errorResponse(status, msg)
		case FaultSecondaryRateLimit:
			retry := f.RetryAfter
			if retry == 0 {
				retry = time.Minute
			}
			return secondaryRateLimited(c, int(retry.Round(time.Second)/time.Second))
		case FaultPrimaryRateLimit:
			retry := f.RetryAfter
			if retry == 0 {
				retry = time.Minute
			}
			rate := s.rates.peek(c.auth.rateKey(), s.opts.Now())
			rate.Remaining = 0
			rate.Used = rate.Limit
			rate.Reset = s.opts.Now().Add(retry)
			return primaryRateLimited(c, rate)
		}
	}
	return nil
}

// secondaryRateLimited is GitHub's answer to a request over a secondary
// rate limit, simulated (secondary.go) or injected as a fault: 403, the
// seconds to wait in retry-after, and a message with the request id.
func secondaryRateLimited(c *reqCtx, retryAfter int) *response {
	resp := jsonResponse(http.StatusForbidden, map[string]any{
		"message":           fmt.Sprintf(msgSecondaryRateLimit, requestID(c.r)),
		"documentation_url": docsSecondaryLimit,
	})
	resp.header = http.Header{}
	resp.header.Set("Retry-After", strconv.Itoa(retryAfter))
	return resp
}

// primaryRateLimited is GitHub's answer once a token's hourly budget is spent.
func primaryRateLimited(c *reqCtx, rate Rate) *response {
	who := "your IP address"
	switch c.auth.kind {
	case "installation":
		who = fmt.Sprintf("installation ID %d", c.auth.inst.ID)
	case "user":
		who = fmt.Sprintf("user ID %d", c.auth.user.ID)
	case "app":
		who = fmt.Sprintf("integration ID %d", c.auth.app.ID)
	}
	resp := jsonResponse(http.StatusForbidden, map[string]any{
		"message":           fmt.Sprintf("API rate limit exceeded for %s. If you reach out to GitHub Support for help, please include the request ID %s.", who, requestID(c.r)),
		"documentation_url": docsPrimaryLimit,
	})
	resp.setRateHeaders(rate)
	return resp
}
