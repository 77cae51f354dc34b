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
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/newsletter-bot/newsletter-bot/bot"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
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
}

// World is the simulator, the bot replicas, and the calendar they share.
type World struct {
	Sim      *githubsim.Sim
	Bots     []*bot.Bot
	Calendar *Calendar

	front  *http.Server // receives the simulator's webhooks, hands them to the replicas
	cancel context.CancelFunc
	served []chan error
}

// Calendar is the newsletter's day, moved by the story. GitHub's own
// timestamps (and token lifetimes) follow the wall clock.
type Calendar struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the calendar's time.
func (c *Calendar) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the calendar.
func (c *Calendar) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
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
	w := &World{Sim: githubsim.New(githubsim.Options{Seed: opts.Seed}), Calendar: &Calendar{t: opts.Start}}
	ok := false
	defer func() {
		if !ok {
			w.Close()
		}
	}()

	frontLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if err := simtest.Setup(w.Sim, "http://"+frontLn.Addr().String()+bot.WebhookPath); err != nil {
		return nil, err
	}
	if opts.WebhookFaults != nil {
		w.Sim.SetWebhookFaults(*opts.WebhookFaults)
	}
	key, err := simtest.KeyPEM()
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.cancel = cancel
	var backends []string
	for i := range opts.Replicas {
		cfg := bot.DefaultConfig()
		cfg.AppID, cfg.PrivateKey, cfg.WebhookSecret = simtest.AppID, key, simtest.WebhookSecret
		cfg.APIURL = w.Sim.URL()
		cfg.ResyncEvery = 0 // the start-up pass only; the story runs the others, as the timer would
		cfg.DrainDelay = 0  // no load balancer to let go
		cfg.Now = w.Calendar.Now
		log := opts.Log
		if opts.Replicas > 1 {
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
		served := make(chan error, 1)
		go func() { served <- b.Serve(runCtx, ln) }()
		w.Bots = append(w.Bots, b)
		w.served = append(w.served, served)
		backends = append(backends, "http://"+ln.Addr().String()+bot.WebhookPath)
	}
	w.front = &http.Server{Handler: fanOut(backends), ReadHeaderTimeout: 10 * time.Second}
	go w.front.Serve(frontLn)

	// Every replica's start-up pass is done before the story begins.
	for i, b := range w.Bots {
		for b.Resyncer().LastClean().IsZero() {
			select {
			case err := <-w.served[i]:
				return nil, fmt.Errorf("replica %d stopped: %v", i, err)
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	ok = true
	return w, nil
}

// fanOut hands each delivery to every backend, in parallel, and answers
// with the first backend's status.
func fanOut(backends []string) http.Handler {
	client := &http.Client{Timeout: 10 * time.Second}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		statuses := make([]int, len(backends))
		var wg sync.WaitGroup
		for i, url := range backends {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, url, bytes.NewReader(body))
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
	})
}

// Settle waits until the bots have handled every webhook, including the
// ones their own writes caused, and GitHub is quiet.
func (w *World) Settle(ctx context.Context) error {
	for {
		before := len(w.Sim.Events())
		if err := w.Sim.WaitForDeliveries(ctx); err != nil {
			return err
		}
		for _, b := range w.Bots {
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
	errs := make([]error, len(w.Bots))
	var wg sync.WaitGroup
	for i, b := range w.Bots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.Resyncer().Pass(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return w.Settle(ctx)
}

// Close stops the replicas (draining their queues), then the simulator.
func (w *World) Close() error {
	if w.cancel != nil {
		w.cancel()
	}
	var errs []error
	for _, served := range w.served {
		errs = append(errs, <-served)
	}
	if w.front != nil {
		w.front.Close()
	}
	w.Sim.Close()
	return errors.Join(errs...)
}
