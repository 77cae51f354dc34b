// Package bot wires the newsletter bot into a server: GitHub App
// credentials and the caching client creator, the webhook dispatcher with
// its bounded queue, the periodic resync that also runs the monthly
// schedule, and the HTTP endpoints. The use cases live in
// internal/reconcile and the event handlers in handlers; this package only
// connects them to the outside.
package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofri/go-github-ratelimit/v2/github_ratelimit"
	"github.com/gofri/go-github-ratelimit/v2/github_ratelimit/github_secondary_ratelimit"
	"github.com/google/go-github/v62/github"
	"github.com/gregjones/httpcache"
	lru "github.com/hashicorp/golang-lru"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/handlers"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
	"github.com/newsletter-bot/newsletter-bot/internal/pace"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// Bot is one replica of the server. Replicas share nothing but GitHub.
type Bot struct {
	cfg     Config
	log     *slog.Logger
	clients githubapp.ClientCreator
	env     *handlers.Env
	queue   *queue
	pacers  *pace.Registry
	hook    http.Handler
	resync  *Resyncer
	metrics *metrics
	events  map[string]bool // the events a delivery's metrics and logs may name

	idMu     sync.Mutex  // one Identify at a time
	draining atomic.Bool // shutting down: /readyz says so, so the load balancer lets go

	// The readiness check: the last time the credentials were tried
	// against the API, and what GitHub said.
	checkMu   sync.Mutex
	checkedAt time.Time
	checkErr  error
	ready     atomic.Bool // the credentials have worked at least once
}

// New checks cfg and builds a replica; it makes no request yet.
func New(cfg Config, log *slog.Logger) (*Bot, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	b := &Bot{cfg: cfg, log: log}
	b.metrics = newMetrics(func() int64 { return b.queue.Pending() }, func() time.Time { return b.resync.LastClean() })
	pacers, err := pace.NewRegistry(cfg.paceLimits(), maxPacers, cfg.PaceClock)
	if err != nil {
		return nil, err
	}
	b.pacers = pacers
	opts := []githubapp.ClientOption{
		// Outside in: the rate left per installation; waiting out GitHub's
		// secondary rate limits (for requests no pacer paces); pacing each
		// installation's requests under GitHub's secondary limits, and
		// retrying what GitHub refused all the same; a time limit on each
		// attempt (not on the request: a write may wait long for its
		// turn); the requests as sent, retries included.
		githubapp.WithClientMiddleware(b.metrics.rateMiddleware(), politeness(log), paced(log),
			attemptTimeout(AttemptTimeout), rewind, b.metrics.requestMiddleware(cfg.apiURL())),
		githubapp.WithClientUserAgent("newsletter-bot"),
		// Conditional requests: every GET is revalidated with its ETag, and a
		// 304 does not count against the rate limit.
		githubapp.WithClientCaching(true, newResponseCache),
	}
	if cfg.Transport != nil {
		opts = append(opts, githubapp.WithTransport(cfg.Transport))
	}
	clients, err := githubapp.NewCachingClientCreator(
		githubapp.NewClientCreator(cfg.apiURL(), "", cfg.AppID, cfg.PrivateKey, opts...),
		githubapp.DefaultCachingClientCapacity)
	if err != nil {
		return nil, err
	}
	b.clients = clients
	b.env = &handlers.Env{Clients: clients, Pacers: pacers, Forms: drafts.DefaultForms(), Memo: &reconcile.Memo{Now: cfg.Clock},
		Now: cfg.Now, Clock: cfg.Clock, OnCalendar: cfg.OnCalendar, Log: log, ClaimTTL: cfg.ClaimTTL, ClaimWait: cfg.ClaimWait}
	if cfg.LinkCheck {
		b.env.Links = cfg.LinkChecker
		if b.env.Links == nil {
			b.env.Links = linkcheck.New(linkcheck.Options{})
		}
	}
	b.queue = newQueue(cfg.QueueSize, cfg.Workers)
	b.queue.settle, b.queue.maxSettle = cfg.Settle, cfg.MaxSettle
	b.queue.admit = func() error {
		if !b.ready.Load() {
			// Without its own login the bot would not know its comments.
			return ErrStarting
		}
		return nil
	}
	b.queue.run = b.env.Run
	b.queue.done = observer{m: b.metrics, log: log}.done
	b.queue.received = b.metrics.received
	var hs []githubapp.EventHandler
	b.events = map[string]bool{"ping": true, "installation": true, "installation_repositories": true}
	for _, h := range handlers.Handlers(b.env) {
		hs = append(hs, h)
		for _, e := range h.Handles() {
			b.events[e] = true
		}
	}
	b.hook = githubapp.NewEventDispatcher(hs, cfg.WebhookSecret,
		githubapp.WithScheduler(b.queue), githubapp.WithErrorCallback(b.onDispatchError))
	b.resync = &Resyncer{Clients: clients, Env: b.env, Lookback: cfg.ResyncLookback, Now: cfg.Clock, Log: log}
	return b, nil
}

// Identify reads the app's identity with its credentials (GET /app), which
// names the bot's own user, "<slug>[bot]". Serve calls it until it works;
// once it has, it returns nil at once. Its error says whether GitHub could
// not be reached, refused the credentials, or failed (an *appCheckError).
func (b *Bot) Identify(ctx context.Context) error {
	b.idMu.Lock()
	defer b.idMu.Unlock()
	if b.ready.Load() {
		return nil
	}
	app, err := b.getApp(ctx)
	if err != nil {
		b.recordCheck(err)
		return err
	}
	// Set before ready; every use case refuses to run without it.
	b.env.SetBotLogin(app.GetSlug() + "[bot]")
	b.recordCheck(nil)
	b.log.Info("running as the app", "app", app.GetSlug(), "app_id", app.GetID(), "bot", b.env.BotLogin())
	return nil
}

func (b *Bot) getApp(ctx context.Context) (*github.App, error) {
	client, err := b.clients.NewAppClient()
	if err != nil {
		return nil, err
	}
	app, resp, err := client.Apps.Get(ctx, "")
	if err != nil {
		return nil, newAppCheckError(b.cfg.apiURL(), resp, err)
	}
	return app, nil
}

// appCheckError is a GET /app that failed, sorted by what would fix it:
// GitHub out of reach (the network, or GITHUB_API_URL), GitHub refusing
// the credentials (the app id or the private key), or GitHub failing.
type appCheckError struct {
	problem checkProblem
	addr    string // the API's host:port
	status  int    // GitHub's answer, 0 when none came
	err     error
}

// checkProblem is what went wrong reading the app; the values are the
// "reason" the logs give.
type checkProblem string

const (
	githubUnreachable  checkProblem = "unreachable"  // no answer: DNS, connection, TLS, time-out
	credentialsRefused checkProblem = "refused"      // 401, 403, 404 on GET /app
	githubFailing      checkProblem = "github_error" // 5xx, a rate limit, an answer that is not the app
)

func newAppCheckError(apiURL string, resp *github.Response, err error) *appCheckError {
	e := &appCheckError{problem: githubFailing, addr: hostPort(apiURL), err: err}
	if resp != nil && resp.Response != nil {
		e.status = resp.StatusCode
	}
	var rle *github.RateLimitError
	var are *github.AbuseRateLimitError
	switch {
	case errors.As(err, &rle), errors.As(err, &are):
		// GitHub answered 403 or 429, for the rate and not the credentials
		// (go-github may even refuse to send before the reset).
	case e.status == http.StatusUnauthorized, e.status == http.StatusForbidden, e.status == http.StatusNotFound:
		e.problem = credentialsRefused
	case e.status == 0:
		e.problem = githubUnreachable
	}
	return e
}

func (e *appCheckError) Error() string {
	switch {
	case e.problem == githubUnreachable:
		return fmt.Sprintf("could not reach GitHub at %s (%v); the bot keeps trying: check %s and that this host can reach that address (DNS, firewall, HTTPS_PROXY)",
			e.addr, e.err, EnvAPIURL)
	case e.problem == credentialsRefused && e.status == http.StatusNotFound:
		return fmt.Sprintf("GitHub refuses the app's credentials (%v): check the app id and the private key (%s, %s), and that %s is GitHub's REST API (https://HOST/api/v3/ for GitHub Enterprise Server)",
			e.err, EnvAppID, EnvPrivateKey, EnvAPIURL)
	case e.problem == credentialsRefused:
		return fmt.Sprintf("GitHub refuses the app's credentials (%v): check the app id and the private key (%s, %s)", e.err, EnvAppID, EnvPrivateKey)
	case e.status >= 500:
		return fmt.Sprintf("GitHub is having trouble (%v); the bot keeps trying", e.err)
	case e.status == http.StatusForbidden || e.status == http.StatusTooManyRequests:
		return fmt.Sprintf("GitHub's rate limit holds the app's requests back (%v); the bot keeps trying", e.err)
	}
	return fmt.Sprintf("GitHub's answer to GET /app is not the app (%v); the bot keeps trying: check that %s is GitHub's REST API", e.err, EnvAPIURL)
}

func (e *appCheckError) Unwrap() error { return e.err }

// logAttrs are the log fields that tell the problems apart.
func (e *appCheckError) logAttrs() []any {
	attrs := []any{"reason", string(e.problem), "addr", e.addr}
	if e.status != 0 {
		attrs = append(attrs, "status", e.status)
	}
	return attrs
}

// hostPort is the address an API URL's requests go to.
func hostPort(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return RedactURL(apiURL)
	}
	if u.Port() != "" {
		return u.Host
	}
	port := "443"
	if u.Scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// ReadyEvery is how long a readiness verdict stands before /readyz asks
// GitHub again: one GET /app a minute per replica at most (usually a 304).
// ReadyTimeout bounds that request: keep the readiness probe's timeout
// above it.
const (
	ReadyEvery   = time.Minute
	ReadyTimeout = 5 * time.Second
)

// Ready reports whether the app's credentials work against the API,
// asking GitHub again when the last answer is older than ReadyEvery.
// GitHub refusing the credentials (401, 403, 404) makes the replica
// unready; GitHub being unreachable or failing (5xx) does not, once the
// credentials have worked: webhooks are still taken and queued, and the
// error is in the answer. Before they have worked, the error says why not
// yet: GitHub out of reach, refusing, or failing.
func (b *Bot) Ready(ctx context.Context) error {
	if b.draining.Load() {
		return errShuttingDownReady
	}
	b.checkMu.Lock()
	defer b.checkMu.Unlock()
	if !b.ready.Load() {
		if b.checkErr != nil {
			return fmt.Errorf("not ready: the app's credentials have not worked yet: %w", b.checkErr)
		}
		return errors.New("not ready: the app's credentials have not been checked against the API yet")
	}
	if time.Since(b.checkedAt) >= ReadyEvery {
		ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
		defer cancel()
		_, err := b.getApp(ctx)
		b.recordCheckLocked(err)
	}
	if b.checkErr != nil && refused(b.checkErr) {
		return fmt.Errorf("not ready: %w", b.checkErr)
	}
	return b.checkErr
}

func (b *Bot) recordCheck(err error) {
	b.checkMu.Lock()
	defer b.checkMu.Unlock()
	b.recordCheckLocked(err)
}

func (b *Bot) recordCheckLocked(err error) {
	b.checkedAt, b.checkErr = time.Now(), err
	if err != nil && b.ready.Load() {
		msg, attrs := "the readiness check could not read the app from GitHub", []any{"error", err, "refused", refused(err)}
		var ce *appCheckError
		if errors.As(err, &ce) {
			attrs = append(attrs, ce.logAttrs()...)
			switch ce.problem {
			case githubUnreachable:
				msg = "the readiness check could not reach GitHub; still ready, webhooks are queued and the check is tried again"
			case credentialsRefused:
				msg = "GitHub refuses the app's credentials: not ready; check the app id and the private key"
			case githubFailing:
				msg = "the readiness check got an error from GitHub; still ready, webhooks are queued and the check is tried again"
			}
		}
		b.log.Warn(msg, attrs...)
	}
	if err == nil {
		b.ready.Store(true)
	}
}

// refused says whether GitHub answered that the credentials are not good,
// as opposed to not answering or failing.
func refused(err error) bool {
	var ce *appCheckError
	return errors.As(err, &ce) && ce.problem == credentialsRefused
}

// BotLogin is the bot's own user, known after Identify.
func (b *Bot) BotLogin() string { return b.env.BotLogin() }

// Pending is the number of webhook deliveries queued or being handled.
func (b *Bot) Pending() int64 { return b.queue.Pending() }

// Resyncer is the replica's resync, for the CLI and tests.
func (b *Bot) Resyncer() *Resyncer { return b.resync }

// Handler serves the webhook endpoint, the health checks and the metrics.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, b.verified(b.hook))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		err := b.Ready(r.Context())
		switch {
		case err == nil:
			fmt.Fprintln(w, "ready")
		case !b.ready.Load() || refused(err) || errors.Is(err, errShuttingDownReady):
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		default:
			fmt.Fprintf(w, "ready, but the last check failed (webhooks are queued meanwhile): %v\n", err)
		}
	})
	mux.Handle("GET /metrics", b.metrics.handler())
	return mux
}

// Run listens on the configured address and serves until ctx ends.
func (b *Bot) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", b.cfg.Addr)
	if err != nil {
		return err
	}
	return b.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends: /healthz at once, webhooks and
// /readyz once the credentials have worked (Identify, retried with backoff
// while GitHub cannot be reached; credentials GitHub refuses end Serve with
// the reason), and a resync every ResyncEvery (the first at once). When
// ctx ends it says it is not ready, keeps serving for DrainDelay while the
// load balancer lets go, stops taking webhooks, lets the queued ones
// finish (ShutdownGrace at most) and returns.
func (b *Bot) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: b.cfg.ReadTimeout,
		WriteTimeout: b.cfg.WriteTimeout, IdleTimeout: b.cfg.IdleTimeout, MaxHeaderBytes: 64 << 10}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	b.log.Info("listening", "addr", ln.Addr().String(), "webhook_path", WebhookPath)

	loopCtx, stopLoop := context.WithCancel(context.WithoutCancel(ctx))
	loopDone := make(chan struct{})
	idErr := make(chan error, 1)
	go func() {
		defer close(loopDone)
		if err := b.identifyRetrying(loopCtx); err != nil {
			idErr <- err
			return
		}
		b.resyncLoop(loopCtx)
	}()

	var err error
	select {
	case <-ctx.Done():
		b.draining.Store(true)
		if b.cfg.DrainDelay > 0 {
			b.log.Info("shutting down: not ready any more; still serving while the load balancer lets go", "for", b.cfg.DrainDelay)
			select {
			case <-time.After(b.cfg.DrainDelay):
			case err = <-served:
			}
		}
	case err = <-served:
	case err = <-idErr:
	}
	b.draining.Store(true)
	b.log.Info("shutting down: draining the webhook queue", "pending", b.queue.Pending())
	grace, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownGrace)
	defer cancel()
	if serr := srv.Shutdown(grace); serr != nil && err == nil && !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	if derr := b.queue.Drain(grace); derr != nil {
		b.log.Warn("the webhook queue did not drain in time; the next resync will pick up what was left", "pending", b.queue.Pending())
	}
	stopLoop()
	<-loopDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	b.log.Info("stopped")
	return err
}

// identifyRetrying calls Identify until it works. GitHub refusing the
// credentials is final; GitHub out of reach or failing is retried, 1 s,
// 2 s, 4 s … up to a minute apart, and each retry's warning says which.
func (b *Bot) identifyRetrying(ctx context.Context) error {
	wait := time.Second
	for {
		err := b.Identify(ctx)
		if err == nil || refused(err) || ctx.Err() != nil {
			return err
		}
		msg, attrs := "could not check the app's credentials against GitHub; retrying", []any{"in", wait, "error", err}
		var ce *appCheckError
		if errors.As(err, &ce) {
			attrs = append(attrs, ce.logAttrs()...)
			if ce.problem == githubUnreachable {
				msg = "could not reach GitHub to check the app's credentials; retrying"
			} else {
				msg = "GitHub answered the check of the app's credentials with an error; retrying"
			}
		}
		b.log.Warn(msg, attrs...)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

func (b *Bot) resyncLoop(ctx context.Context) {
	for {
		_, err := b.resync.Pass(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			b.metrics.resyncs.WithLabelValues("failed").Inc()
			b.log.Error("resync pass failed; the next one retries", "error", err)
		} else {
			b.metrics.resyncs.WithLabelValues("ok").Inc()
		}
		if b.cfg.ResyncEvery <= 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.cfg.ResyncEvery):
		}
	}
}

var errShuttingDownReady = errors.New("not ready: shutting down")

// MaxRetryAfter is the longest the bot waits out a secondary rate limit
// before giving up on the request; the resync does the rest later.
const MaxRetryAfter = time.Minute

// politeness honours GitHub's secondary rate limits: a request answered
// 403 or 429 with Retry-After (or x-ratelimit-reset) is retried once the
// wait is over, and the client's other requests wait too. A wait longer
// than MaxRetryAfter is not made: the error goes back to the caller.
// (Primary limits: go-github already refuses to send before the reset.)
func politeness(log *slog.Logger) githubapp.ClientMiddleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return github_ratelimit.NewSecondaryLimiter(next,
			github_secondary_ratelimit.WithSingleSleepLimit(MaxRetryAfter, func(c *github_secondary_ratelimit.CallbackContext) {
				log.Warn("GitHub's secondary rate limit asks for a longer wait than the bot makes; giving up on this request",
					"method", c.Request.Method, "path", c.Request.URL.Path, "until", c.ResetTime)
			}),
			github_secondary_ratelimit.WithLimitDetectedCallback(func(c *github_secondary_ratelimit.CallbackContext) {
				log.Warn("hit GitHub's secondary rate limit; waiting before retrying",
					"method", c.Request.Method, "path", c.Request.URL.Path, "until", c.ResetTime)
			}))
	}
}

// paced paces each installation's requests (internal/pace) and logs what
// GitHub refused all the same.
func paced(log *slog.Logger) githubapp.ClientMiddleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return pace.NewTransport(next, func(r *http.Request, until time.Time) {
			log.Warn("GitHub refused a request for a rate limit; this installation's writes wait as long as it asks, then the request is sent again",
				"method", r.Method, "path", r.URL.Path, "until", until)
		})
	}
}

// AttemptTimeout bounds one attempt of a request to GitHub, from sending
// it to reading its answer's body.
const AttemptTimeout = 30 * time.Second

// maxPacers bounds the installations whose pacing the bot remembers; past
// it, idle ones are forgotten first.
const maxPacers = 10000

// attemptTimeout gives each attempt of a request at most d, from when it
// leaves the pacer to when its answer's body is closed: a request that
// waited its turn still gets its full time on the wire.
func attemptTimeout(d time.Duration) githubapp.ClientMiddleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			resp, err := next.RoundTrip(r.WithContext(ctx))
			if err != nil {
				cancel()
				return nil, err
			}
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		})
	}
}

// cancelOnClose ends an attempt's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// rewind gives every attempt of a request its body afresh, so that a retry
// sends the same body as the first attempt.
func rewind(next http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		if r.GetBody != nil && r.Body != nil && r.Body != http.NoBody {
			body, err := r.GetBody()
			if err != nil {
				return nil, err
			}
			r = r.Clone(r.Context())
			r.Body = body
		}
		return next.RoundTrip(r)
	})
}

// onDispatchError answers a delivery that was not queued.
func (b *Bot) onDispatchError(w http.ResponseWriter, r *http.Request, err error) {
	event := b.knownEvent(r.Header.Get("X-GitHub-Event"))
	log := b.log.With("delivery", clip(r.Header.Get("X-GitHub-Delivery"), 64), "event", event)
	var ve githubapp.ValidationError
	switch {
	case errors.As(err, &ve):
		// The signature was checked before (verified): what is left is
		// a payload that does not decode.
		b.metrics.deliveries.WithLabelValues(event, "", OutcomeRejected).Inc()
		log.Warn("refused a webhook delivery", "error", ve.Cause)
		http.Error(w, "invalid webhook delivery: "+ve.Cause.Error(), http.StatusBadRequest)
	case errors.Is(err, githubapp.ErrCapacityExceeded), errors.Is(err, ErrShuttingDown), errors.Is(err, ErrStarting):
		b.metrics.deliveries.WithLabelValues(event, "", OutcomeDropped).Inc()
		b.metrics.dropped.Inc()
		log.Warn("the webhook queue is full or draining; the resync will pick this change up", "error", err.Error())
		http.Error(w, "busy: "+err.Error()+"; the bot's periodic resync will pick this change up", http.StatusServiceUnavailable)
	default:
		log.Error("webhook delivery failed", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// clip cuts a header anyone can send to n bytes for a log line.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// knownEvent names a delivery's event for logs and metrics, from a header
// that anyone can send before the signature is checked: one the handlers
// handle, one GitHub sends every app, or "other".
func (b *Bot) knownEvent(h string) string {
	if b.events[h] {
		return h
	}
	return "other"
}

// newResponseCache is one installation client's ETag cache: the last 256
// responses, none over 1 MiB, 16 MiB in all (a bounded httpcache.Cache;
// go-githubapp's default keeps everything forever). go-githubapp keeps up
// to 64 installation clients, so the caches take at most 1 GiB in theory
// and far less in practice: listings are the big answers, a few hundred
// kilobytes a page.
func newResponseCache() httpcache.Cache {
	l := &lruCache{max: maxCachedBytes}
	l.c, _ = lru.NewWithEvict(256, func(_, v any) { l.bytes -= len(v.([]byte)) }) // only fails for a size below 1
	return l
}

const (
	maxCachedResponse = 1 << 20
	maxCachedBytes    = 16 << 20
)

// lruCache is an LRU of responses bounded in number and in bytes.
type lruCache struct {
	mu    sync.Mutex // over c and bytes: the eviction callback runs inside c's calls
	c     *lru.Cache
	bytes int
	max   int
}

func (l *lruCache) Get(key string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.c.Get(key)
	if !ok {
		return nil, false
	}
	return v.([]byte), true
}

func (l *lruCache) Set(key string, b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.Remove(key)
	if len(b) > maxCachedResponse {
		return
	}
	l.c.Add(key, b)
	l.bytes += len(b)
	for l.bytes > l.max && l.c.Len() > 1 {
		l.c.RemoveOldest()
	}
}

func (l *lruCache) Delete(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.Remove(key)
}
