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
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gregjones/httpcache"
	lru "github.com/hashicorp/golang-lru"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/handlers"
)

// Bot is one replica of the server. Replicas share nothing but GitHub.
type Bot struct {
	cfg     Config
	log     *slog.Logger
	clients githubapp.ClientCreator
	env     *handlers.Env
	queue   *queue
	hook    http.Handler
	resync  *Resyncer

	ready atomic.Bool // the app's identity was read with its credentials
	once  sync.Once
	idErr error
}

// New checks cfg and builds a replica; it makes no request yet.
func New(cfg Config, log *slog.Logger) (*Bot, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	opts := []githubapp.ClientOption{
		githubapp.WithClientUserAgent("newsletter-bot"),
		githubapp.WithClientTimeout(30 * time.Second),
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
	b := &Bot{cfg: cfg, log: log, clients: clients}
	b.env = &handlers.Env{Clients: clients, Forms: drafts.DefaultForms(),
		Maintainers: &handlers.Maintainers{TTL: 2 * time.Minute}, Now: cfg.Now, Log: log}
	b.queue = newQueue(cfg.QueueSize, cfg.Workers, githubapp.WithAsyncErrorCallback(b.onHandlerError))
	b.hook = githubapp.NewEventDispatcher(handlers.Handlers(b.env), cfg.WebhookSecret,
		githubapp.WithScheduler(b.queue), githubapp.WithErrorCallback(b.onDispatchError))
	b.resync = &Resyncer{Clients: clients, Env: b.env, Lookback: cfg.ResyncLookback, Log: log}
	return b, nil
}

// Identify reads the app's identity with its credentials (GET /app), which
// names the bot's own user, "<slug>[bot]". Serve calls it first; it is
// safe to call again.
func (b *Bot) Identify(ctx context.Context) error {
	b.once.Do(func() {
		client, err := b.clients.NewAppClient()
		if err != nil {
			b.idErr = err
			return
		}
		app, _, err := client.Apps.Get(ctx, "")
		if err != nil {
			b.idErr = fmt.Errorf("reading the app with its credentials (GET %sapp): %w; check the app id and the private key", b.cfg.apiURL(), err)
			return
		}
		b.env.BotLogin = app.GetSlug() + "[bot]"
		b.ready.Store(true)
		b.log.Info("running as the app", "app", app.GetSlug(), "app_id", app.GetID(), "bot", b.env.BotLogin)
	})
	return b.idErr
}

// BotLogin is the bot's own user, known after Identify.
func (b *Bot) BotLogin() string { return b.env.BotLogin }

// Pending is the number of webhook deliveries queued or being handled.
func (b *Bot) Pending() int64 { return b.queue.Pending() }

// Resyncer is the replica's resync, for the CLI and tests.
func (b *Bot) Resyncer() *Resyncer { return b.resync }

// Handler serves the webhook endpoint and the health checks.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, b.hook)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !b.ready.Load() {
			http.Error(w, "not ready: the app's credentials have not been checked against the API yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
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

// Serve checks the credentials, then serves webhooks on ln and resyncs
// every ResyncEvery (once at once) until ctx ends. It then stops taking
// webhooks, lets the queued ones finish (ShutdownGrace at most) and
// returns.
func (b *Bot) Serve(ctx context.Context, ln net.Listener) error {
	if err := b.Identify(ctx); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	b.log.Info("listening", "addr", ln.Addr().String(), "webhook_path", WebhookPath)

	loopCtx, stopLoop := context.WithCancel(context.WithoutCancel(ctx))
	loopDone := make(chan struct{})
	go func() { defer close(loopDone); b.resyncLoop(loopCtx) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	b.log.Info("shutting down: draining the webhook queue", "pending", b.queue.Pending())
	grace, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownGrace)
	defer cancel()
	if serr := srv.Shutdown(grace); serr != nil && err == nil {
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

func (b *Bot) resyncLoop(ctx context.Context) {
	for {
		if _, err := b.resync.Pass(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("resync pass failed; the next one retries", "error", err)
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

// onDispatchError answers a delivery that was not queued.
func (b *Bot) onDispatchError(w http.ResponseWriter, r *http.Request, err error) {
	log := b.log.With("delivery", r.Header.Get("X-GitHub-Delivery"), "event", r.Header.Get("X-GitHub-Event"))
	var ve githubapp.ValidationError
	switch {
	case errors.As(err, &ve):
		log.Warn("refused a webhook delivery", "error", ve.Cause)
		msg := "invalid webhook delivery: " + ve.Cause.Error()
		if isSignatureError(ve.Cause) {
			msg = "webhook signature does not match: the app's webhook secret and the bot's GITHUB_WEBHOOK_SECRET differ"
		}
		http.Error(w, msg, http.StatusBadRequest)
	case errors.Is(err, githubapp.ErrCapacityExceeded), errors.Is(err, ErrShuttingDown):
		log.Warn("the webhook queue is full or draining; the resync will pick this change up", "error", err)
		http.Error(w, "busy: "+err.Error()+"; the bot's periodic resync will pick this change up", http.StatusServiceUnavailable)
	default:
		log.Error("webhook delivery failed", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// isSignatureError recognises go-github's signature failures, which are
// plain errors.
func isSignatureError(err error) bool {
	msg := err.Error()
	return msg == "payload signature check failed" || msg == "missing signature" || strings.HasPrefix(msg, "error parsing signature") ||
		strings.HasPrefix(msg, "error decoding signature")
}

// onHandlerError logs a handler's failure; the resync repairs what it left.
func (b *Bot) onHandlerError(ctx context.Context, d githubapp.Dispatch, err error) {
	b.log.Error("handling a webhook failed; the next resync will retry", "delivery", d.DeliveryID, "event", d.EventType, "error", err)
}

// newResponseCache is one installation client's ETag cache: the last 256
// responses, none over 1 MiB (a bounded httpcache.Cache; go-githubapp's
// default keeps everything forever).
func newResponseCache() httpcache.Cache {
	c, _ := lru.New(256) // only fails for a size below 1
	return lruCache{c}
}

const maxCachedResponse = 1 << 20

type lruCache struct{ c *lru.Cache }

func (l lruCache) Get(key string) ([]byte, bool) {
	v, ok := l.c.Get(key)
	if !ok {
		return nil, false
	}
	return v.([]byte), true
}

func (l lruCache) Set(key string, b []byte) {
	if len(b) > maxCachedResponse {
		l.c.Remove(key)
		return
	}
	l.c.Add(key, b)
}

func (l lruCache) Delete(key string) { l.c.Remove(key) }
