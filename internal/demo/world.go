// Package demo runs the newsletter bot against the local GitHub
// (internal/githubsim) over real HTTP: the simulator on loopback, one or
// more bot replicas behind signed webhooks, and a story of one month played
// by simulated people. "newsletter-bot demo" prints it; the end-to-end
// tests assert on it.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/newsletter-bot/newsletter-bot/bot"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/pace"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// Options shape a World.
type Options struct {
	// Replicas is the number of bot replicas (default 1). With more than
	// one, every webhook goes to all of them at once: the worst case of
	// redelivery and load balancing, for the replica-safety test.
	Replicas int
	// Log receives the bots' structured logs (nil: discarded).
	Log *slog.Logger
	// Start is the calendar's first day (default 2026-11-25 12:00 UTC).
	Start time.Time
	// Seed makes the simulator's faults reproducible.
	Seed int64
	// WebhookFaults, when set, are applied to the simulator's deliveries.
	WebhookFaults *githubsim.WebhookFaults
	// APIFaults are injected into the simulator's API once the replicas
	// have made their start-up pass.
	APIFaults []githubsim.Fault
	// ClaimTTL and ClaimWait are the replicas' (zero: the defaults).
	ClaimTTL, ClaimWait time.Duration
	// LinkChecker checks the submitted links (nil: the world's own, which
	// checks the links to its job site, Site, and no other: the story's
	// other links are example.com's, and the demo contacts nothing outside
	// 127.0.0.1).
	LinkChecker reconcile.LinkChecker
	// RateLimit is the simulator's primary limit per token and hour (zero:
	// GitHub's 5,000).
	RateLimit int
	// Clock, when set, is GitHub's wall clock (the simulator's) and the
	// replicas' (the age of claims, the resync's windows): tests move it.
	Clock *simtest.Clock
	// Speed is how many times faster than GitHub's secondary limits allow
	// the replicas may write, and the simulator lets them (zero:
	// DefaultSpeed). Months are played in seconds, so real-time pacing at
	// GitHub's rates would only make the story slow; both sides are scaled
	// alike, so the simulator still refuses what a replica writes beyond
	// its pace.
	Speed float64
	// Kills is the chance that a request a replica sends is its last: the
	// replica dies there (kill -9: the request is sent or not, its answer
	// lost, nothing after it goes out, its memory is gone), and a fresh
	// replica takes its place, as an orchestrator would restart it.
	Kills float64
}

// World is the simulator, the bot replicas, and the calendar they share.
type World struct {
	Sim      *githubsim.Sim
	Calendar *Calendar
	// Site is the base URL of the world's own job site, on loopback: the
	// links to it are the only ones the world checks. /jobs/gone answers
	// 404; any other page, 200.
	Site string

	site  *http.Server
	links reconcile.LinkChecker

	opts    Options
	key     []byte
	hookURL string // where GitHub delivers: the replicas' front
	runCtx  context.Context
	front   *http.Server // receives the simulator's webhooks, hands them to the replicas
	cancel  context.CancelFunc
	killRng *rand.Rand
	// paceClock is GitHub's time for its secondary limits, Speed times
	// faster than the wall clock, shared by the simulator and the replicas.
	paceClock pace.Clock

	mu       sync.Mutex
	replicas []*replica
	retired  []*replica // killed; their Serve is still winding down
	restarts int
	closing  bool
	killing  bool // replicas are being killed (after the start-up)
}

// replica is one running bot.
type replica struct {
	bot    *bot.Bot
	url    string // its webhook endpoint
	served chan error
	stop   context.CancelFunc
	kill   *killSwitch
}

// Calendar is the newsletter's day, moved by the story. GitHub's own
// timestamps (and token lifetimes) follow the wall clock; the calendar
// remembers where it stood at each moment of that clock, so that a
// timestamp can be placed on it (At).
type Calendar struct {
	mu     sync.Mutex
	t      time.Time
	github *simtest.Clock // GitHub's clock (nil: time.Now)
	marks  []calendarMark // in GitHub's time order
}

// calendarMark is the calendar set to cal when GitHub's clock read github.
type calendarMark struct{ github, cal time.Time }

// NewCalendar starts a calendar at t, next to GitHub's clock (nil:
// time.Now).
func NewCalendar(t time.Time, github *simtest.Clock) *Calendar {
	c := &Calendar{github: github}
	c.Set(t)
	return c
}

// Now returns the calendar's time.
func (c *Calendar) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the calendar. GitHub's timestamps have whole seconds, so
// GitHub's clock (when the calendar has it) moves on to the next whole
// second first: what happened before the calendar moved is stamped
// before the mark, what happens after it at or after.
func (c *Calendar) Set(t time.Time) {
	now := time.Now()
	if c.github != nil {
		now = c.github.Now()
		next := now.Truncate(time.Second).Add(time.Second)
		c.github.Advance(next.Sub(now))
		now = next
	}
	c.mu.Lock()
	c.t = t
	c.marks = append(c.marks, calendarMark{github: now, cal: t})
	c.mu.Unlock()
}

// At places GitHub's timestamp g on the calendar: where the calendar stood
// when GitHub's clock read g, plus the time since it was set there.
func (c *Calendar) At(g time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.marks) == 0 {
		return g
	}
	i := max(sort.Search(len(c.marks), func(i int) bool { return c.marks[i].github.After(g) })-1, 0)
	m := c.marks[i]
	return m.cal.Add(g.Sub(m.github))
}

// Start brings up the simulator and the replicas on loopback, seeds the
// repository (simtest.Setup), and waits for every replica's start-up
// resync.
func Start(ctx context.Context, opts Options) (*World, error) {
	if opts.Replicas < 1 {
		opts.Replicas = 1
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Speed == 0 {
		opts.Speed = DefaultSpeed
	}
	// One sped-up clock for the simulator's secondary limits and every
	// replica's pacing: GitHub's numbers, on a faster clock.
	paceClock := pace.FastClock(opts.Speed)
	simOpts := githubsim.Options{Seed: opts.Seed, RateLimit: opts.RateLimit,
		SecondaryLimits: githubsim.SecondaryLimits{Enforce: true, Now: paceClock.Now}}
	if opts.Clock != nil {
		simOpts.Now = opts.Clock.Now
	}
	w := &World{Sim: githubsim.New(simOpts), Calendar: NewCalendar(opts.Start, opts.Clock), opts: opts, paceClock: paceClock,
		killRng: rand.New(rand.NewSource(opts.Seed ^ 0x6b111))}
	ok := false
	defer func() {
		if !ok {
			w.Close()
		}
	}()

	if err := w.startSite(); err != nil {
		return nil, err
	}
	frontLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w.hookURL = "http://" + frontLn.Addr().String() + bot.WebhookPath
	if err := simtest.Setup(w.Sim, w.hookURL); err != nil {
		return nil, err
	}
	if opts.WebhookFaults != nil {
		w.Sim.SetWebhookFaults(*opts.WebhookFaults)
	}
	if w.key, err = simtest.KeyPEM(); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.runCtx, w.cancel = runCtx, cancel
	for i := range opts.Replicas {
		r, err := w.startReplica(i)
		if err != nil {
			return nil, err
		}
		w.replicas = append(w.replicas, r)
	}
	w.front = &http.Server{Handler: http.HandlerFunc(w.fanOut), ReadHeaderTimeout: 10 * time.Second}
	go w.front.Serve(frontLn)

	// Every replica's start-up pass is done before the story begins.
	for i, r := range w.replicas {
		for r.bot.Resyncer().LastClean().IsZero() {
			select {
			case err := <-r.served:
				return nil, fmt.Errorf("replica %d stopped: %v", i, err)
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	for _, f := range opts.APIFaults {
		w.Sim.AddFault(f)
	}
	w.mu.Lock()
	w.killing = opts.Kills > 0
	w.mu.Unlock()
	for _, r := range w.current() {
		if r.kill != nil {
			r.kill.start()
		}
	}
	ok = true
	return w, nil
}

// DefaultSpeed is Options.Speed's default: an hour of GitHub's windows
// passes in 0.36 s, so a chaos run's three months (some 600 writes in ten
// seconds) are never held back by them.
const DefaultSpeed = 10000

// startReplica starts replica i (again): a new bot, its own memory, its
// own listener.
func (w *World) startReplica(i int) (*replica, error) {
	cfg := bot.DefaultConfig()
	cfg.AppID, cfg.PrivateKey, cfg.WebhookSecret = simtest.AppID, w.key, simtest.WebhookSecret
	cfg.LinkCheck, cfg.LinkChecker = true, w.opts.LinkChecker
	if cfg.LinkChecker == nil {
		cfg.LinkChecker = w.links
	}
	cfg.APIURL = w.Sim.URL()
	cfg.ResyncEvery = 0 // the start-up pass only; the story runs the others, as the timer would
	cfg.DrainDelay = 0  // no load balancer to let go
	cfg.ShutdownGrace = 5 * time.Second
	cfg.Now, cfg.OnCalendar = w.Calendar.Now, w.Calendar.At
	cfg.ClaimTTL, cfg.ClaimWait = w.opts.ClaimTTL, w.opts.ClaimWait
	cfg.Settle, cfg.MaxSettle = 2*time.Millisecond, 20*time.Millisecond // the story waits for each step: keep it quick, the path taken
	cfg.PaceClock = w.paceClock                                         // GitHub's pace, and its pauses, sped up like the simulator's limits
	if w.opts.Clock != nil {
		cfg.Clock = w.opts.Clock.Now
	}
	r := &replica{served: make(chan error, 1)}
	if w.opts.Kills > 0 {
		w.mu.Lock()
		seed, killing := w.killRng.Int63(), w.killing
		w.mu.Unlock()
		r.kill = &killSwitch{next: http.DefaultTransport, rate: w.opts.Kills, rng: rand.New(rand.NewSource(seed)),
			died: func() { go w.restart(i, r) }, stopped: !killing}
		cfg.Transport = r.kill
	}
	log := w.opts.Log
	if w.opts.Replicas > 1 {
		log = log.With("replica", i)
	}
	b, err := bot.New(cfg, log)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(w.runCtx)
	r.bot, r.url, r.stop = b, "http://"+ln.Addr().String()+bot.WebhookPath, stop
	go func() { r.served <- b.Serve(ctx, ln) }()
	return r, nil
}

// restart replaces a replica that died with a fresh one.
func (w *World) restart(i int, dead *replica) {
	dead.stop()
	w.mu.Lock()
	current := w.runCtx.Err() == nil && i < len(w.replicas) && w.replicas[i] == dead
	w.mu.Unlock()
	if !current {
		return
	}
	fresh, err := w.startReplica(i)
	if err != nil {
		w.opts.Log.Error("restarting a replica failed", "replica", i, "error", err)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closing {
		fresh.stop()
		w.retired = append(w.retired, fresh)
		return
	}
	w.replicas[i] = fresh
	w.retired = append(w.retired, dead)
	w.restarts++
}

// WebhookURL is where the simulator delivers webhooks, signed with
// simtest.WebhookSecret: anyone may post their own deliveries there too.
func (w *World) WebhookURL() string { return w.hookURL }

// Restarts is how many replicas died and were started again.
func (w *World) Restarts() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.restarts
}

// StopKilling lets the replicas live from now on. A replica killed just
// before is being restarted: StopKilling returns once it has been (or a
// few seconds have passed), so that what runs next runs on live replicas.
func (w *World) StopKilling() {
	w.mu.Lock()
	w.killing = false
	w.mu.Unlock()
	for _, r := range w.current() {
		if r.kill != nil {
			r.kill.stop()
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && w.runCtx.Err() == nil; time.Sleep(2 * time.Millisecond) {
		if !slices.ContainsFunc(w.current(), func(r *replica) bool { return r.kill != nil && r.kill.isDead() }) {
			return
		}
	}
}

// Bots are the replicas running now.
func (w *World) Bots() []*bot.Bot {
	var out []*bot.Bot
	for _, r := range w.current() {
		out = append(out, r.bot)
	}
	return out
}

func (w *World) current() []*replica {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.replicas)
}

// fanOut hands each delivery to every replica, in parallel, and answers
// with the first replica's status.
func (w *World) fanOut(rw http.ResponseWriter, r *http.Request) {
	client := &http.Client{Timeout: 10 * time.Second}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	replicas := w.current()
	statuses := make([]int, len(replicas))
	var wg sync.WaitGroup
	for i, rep := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, rep.url, bytes.NewReader(body))
			if err != nil {
				statuses[i] = http.StatusBadGateway
				return
			}
			req.Header = r.Header.Clone()
			resp, err := client.Do(req)
			if err != nil {
				statuses[i] = http.StatusBadGateway
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	rw.WriteHeader(statuses[0])
}

// Settle waits until the bots have handled every webhook, including the
// ones their own writes caused, and GitHub is quiet.
func (w *World) Settle(ctx context.Context) error {
	for {
		before := len(w.Sim.Events())
		if err := w.Sim.WaitForDeliveries(ctx); err != nil {
			return err
		}
		for _, b := range w.Bots() {
			for b.Pending() > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(2 * time.Millisecond):
				}
			}
		}
		if len(w.Sim.Events()) == before {
			return nil
		}
	}
}

// Resync runs one resync pass on every replica at once, as their timers
// would, and settles.
func (w *World) Resync(ctx context.Context) error {
	bots := w.Bots()
	errs := make([]error, len(bots))
	var wg sync.WaitGroup
	for i, b := range bots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.Resyncer().Pass(ctx)
		}()
	}
	wg.Wait()
	serr := w.Settle(ctx)
	return errors.Join(append(errs, serr)...)
}

// Close stops the replicas (draining their queues), then the simulator.
func (w *World) Close() error {
	w.StopKilling()
	if w.site != nil {
		defer w.site.Close()
	}
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Lock()
	all := slices.Concat(w.replicas, w.retired)
	w.mu.Unlock()
	var errs []error
	for _, r := range all {
		errs = append(errs, <-r.served)
	}
	if w.front != nil {
		w.front.Close()
	}
	w.Sim.Close()
	return errors.Join(errs...)
}

// errKilled is what a dead replica's requests get.
var errKilled = errors.New("the replica was killed")

// killSwitch is a replica's transport that kills it at a random request:
// that request is sent or not (a coin), its answer is lost, and every
// request after it fails without leaving the process.
type killSwitch struct {
	next http.RoundTripper
	died func()

	mu      sync.Mutex
	rate    float64
	rng     *rand.Rand
	dead    bool
	stopped bool
}

func (k *killSwitch) stop() {
	k.mu.Lock()
	k.stopped = true
	k.mu.Unlock()
}

func (k *killSwitch) isDead() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.dead
}

func (k *killSwitch) start() {
	k.mu.Lock()
	k.stopped = false
	k.mu.Unlock()
}

func (k *killSwitch) RoundTrip(r *http.Request) (*http.Response, error) {
	k.mu.Lock()
	if k.dead {
		k.mu.Unlock()
		return nil, errKilled
	}
	dies := !k.stopped && k.rng.Float64() < k.rate
	sent := k.rng.Intn(2) == 0
	if dies {
		k.dead = true
	}
	k.mu.Unlock()
	if !dies {
		return k.next.RoundTrip(r)
	}
	if sent {
		if resp, err := k.next.RoundTrip(r); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	k.died()
	return nil, errKilled
}
