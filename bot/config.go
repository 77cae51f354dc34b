package bot

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/pace"
)

// Config is what the server needs to run as a GitHub App. Load it with
// ConfigFromEnv, override from flags, then Check it.
type Config struct {
	AppID         int64
	PrivateKey    []byte // PEM, as GitHub hands it out
	WebhookSecret string
	APIURL        string // "https://api.github.com/", or "https://HOST/api/v3/" for GitHub Enterprise Server
	Addr          string // listen address of the webhook and health endpoints

	// ResyncEvery is the pause between resync passes (one also runs at
	// start-up); ResyncLookback is how far back every pass looks for
	// commands without an answer (a replica down for longer than that
	// leaves older ones unanswered).
	ResyncEvery    time.Duration
	ResyncLookback time.Duration
	// PaceLimits are the write and concurrency limits each installation's
	// requests are paced under (zero: pace.DefaultLimits, under GitHub's
	// secondary limits with headroom).
	PaceLimits pace.Limits
	// PaceClock is the time pacing is measured in (nil: real time); the
	// demo's runs faster.
	PaceClock pace.Clock
	// QueueSize objects (issues, comments' commands, draft pull requests)
	// may have Work waiting for Workers; deliveries about an object that
	// waits merge into its Work. Beyond QueueSize objects GitHub gets a 503
	// and the resync picks the change up.
	QueueSize, Workers int
	// Settle is how long an object's work waits after the last delivery
	// about it, MaxSettle after the first at most: a burst about one
	// object costs one reconcile. Zero runs work at once.
	Settle, MaxSettle time.Duration
	// ReadTimeout bounds how long a request may take to arrive, body
	// included (a slow body is cut off); WriteTimeout how long an answer
	// may take; IdleTimeout how long a kept-alive connection may sit idle.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// BodyBudget bounds the memory all webhook bodies being read and
	// checked may take at once; a delivery that cannot get its share
	// within BodyWait gets a 503 (the resync picks its change up).
	BodyBudget int64
	BodyWait   time.Duration
	// DrainDelay is how long a shutdown keeps serving, already unready, so
	// the load balancer stops sending webhooks first; ShutdownGrace then
	// bounds the wait for queued webhooks.
	DrainDelay, ShutdownGrace time.Duration

	// Transport carries every request to GitHub (tests; nil: the default).
	Transport http.RoundTripper
	// Now is the newsletter's calendar: the day that drives editions, the
	// draft schedule and events (the demo and tests move it; nil:
	// time.Now).
	Now func() time.Time
	// Clock is the wall clock that GitHub's timestamps are compared with:
	// the age of a command's claim, the resync's windows (tests share a
	// movable one with the simulator; nil: time.Now).
	Clock func() time.Time
	// ClaimTTL is how old an unanswered claim on a command must be before
	// it is taken over; ClaimWait how long a command waits for an earlier
	// one on its issue that another replica runs (zero: the defaults of
	// internal/reconcile).
	ClaimTTL, ClaimWait time.Duration
}

// Defaults.
const (
	DefaultAPIURL      = "https://api.github.com/"
	DefaultAddr        = ":8080"
	DefaultResyncEvery = 5 * time.Minute
	DefaultLookback    = 30 * 24 * time.Hour
	WebhookPath        = "/api/github/hook"
	// DefaultQueueSize bounds the objects with Work waiting: a Work takes
	// a few hundred bytes, so 20,000 of them a few megabytes.
	DefaultQueueSize = 20000
)

// Environment variables ConfigFromEnv reads.
const (
	EnvAppID          = "GITHUB_APP_ID"
	EnvPrivateKey     = "GITHUB_APP_PRIVATE_KEY"
	EnvPrivateKeyPath = "GITHUB_APP_PRIVATE_KEY_PATH"
	EnvWebhookSecret  = "GITHUB_WEBHOOK_SECRET"
	EnvAPIURL         = "GITHUB_API_URL"
	EnvAddr           = "NEWSLETTER_BOT_ADDR"
	EnvResyncEvery    = "NEWSLETTER_BOT_RESYNC_EVERY"
	// The pace of each installation's requests (see pace.DefaultLimits):
	// for GitHub Enterprise Server, whose administrators set other limits,
	// and for benchmarks against the simulator.
	EnvWritesPerMinute    = "NEWSLETTER_BOT_WRITES_PER_MINUTE"
	EnvWritesPerHour      = "NEWSLETTER_BOT_WRITES_PER_HOUR"
	EnvConcurrentRequests = "NEWSLETTER_BOT_CONCURRENT_REQUESTS"
)

// DefaultConfig returns the defaults, without credentials.
func DefaultConfig() Config {
	return Config{APIURL: DefaultAPIURL, Addr: DefaultAddr, ResyncEvery: DefaultResyncEvery,
		ResyncLookback: DefaultLookback, QueueSize: DefaultQueueSize, Workers: 4, Settle: time.Second, MaxSettle: 5 * time.Second, DrainDelay: 5 * time.Second, ShutdownGrace: 25 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		BodyBudget: 64 << 20, BodyWait: 10 * time.Second}
}

// ConfigFromEnv reads the defaults overridden by the environment (getenv
// is os.Getenv in production). The private key comes from
// GITHUB_APP_PRIVATE_KEY (the PEM itself; "\n" escapes are accepted for
// one-line secrets) or from the file GITHUB_APP_PRIVATE_KEY_PATH names.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	if v := getenv(EnvAppID); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return c, fmt.Errorf("%s=%q: want the app's numeric id, shown on the app's settings page", EnvAppID, v)
		}
		c.AppID = id
	}
	key, path := getenv(EnvPrivateKey), getenv(EnvPrivateKeyPath)
	switch {
	case key != "" && path != "":
		return c, fmt.Errorf("both %s and %s are set: keep one", EnvPrivateKey, EnvPrivateKeyPath)
	case key != "":
		c.PrivateKey = []byte(strings.ReplaceAll(key, `\n`, "\n"))
	case path != "":
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("%s: %w", EnvPrivateKeyPath, err)
		}
		c.PrivateKey = b
	}
	c.WebhookSecret = getenv(EnvWebhookSecret)
	if v := getenv(EnvAPIURL); v != "" {
		c.APIURL = v
	}
	if v := getenv(EnvAddr); v != "" {
		c.Addr = v
	}
	if v := getenv(EnvResyncEvery); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("%s=%q: want a duration such as 5m", EnvResyncEvery, v)
		}
		c.ResyncEvery = d
	}
	for _, e := range []struct {
		name string
		to   *int
	}{{EnvWritesPerMinute, &c.PaceLimits.PerMinute}, {EnvWritesPerHour, &c.PaceLimits.PerHour}, {EnvConcurrentRequests, &c.PaceLimits.Concurrent}} {
		if v := getenv(e.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return c, fmt.Errorf("%s=%q: want a whole number of at least 1", e.name, v)
			}
			*e.to = n
		}
	}
	return c, nil
}

// paceLimits are PaceLimits with each limit not set (zero) the default's.
func (c *Config) paceLimits() pace.Limits {
	l := c.PaceLimits
	if l.PerMinute == 0 {
		l.PerMinute = pace.DefaultLimits.PerMinute
	}
	if l.PerHour == 0 {
		l.PerHour = pace.DefaultLimits.PerHour
	}
	if l.Concurrent == 0 {
		l.Concurrent = pace.DefaultLimits.Concurrent
	}
	return l
}

// Check says what is missing or wrong, every problem at once, each with
// where to fix it. The server refuses to start until it returns nil.
func (c *Config) Check() error {
	var errs []error
	if c.WebhookSecret == "" {
		errs = append(errs, fmt.Errorf("no webhook secret (%s, or a file named by --webhook-secret-path): without it anyone who finds the URL could "+
			"forge GitHub's deliveries, so the bot refuses to start; use the secret from the app's settings (or `newsletter-bot setup`)", EnvWebhookSecret))
	}
	if c.AppID <= 0 {
		errs = append(errs, fmt.Errorf("no app id (%s or --app-id): it is on the app's settings page", EnvAppID))
	}
	if len(c.PrivateKey) == 0 {
		errs = append(errs, fmt.Errorf("no private key (%s, %s or --private-key-path): generate one on the app's settings page", EnvPrivateKey, EnvPrivateKeyPath))
	} else if err := checkKey(c.PrivateKey); err != nil {
		errs = append(errs, err)
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("API URL %q (%s or --api-url): want https://api.github.com/ or https://HOST/api/v3/", RedactURL(c.APIURL), EnvAPIURL))
	} else if u.User != nil {
		errs = append(errs, fmt.Errorf("API URL %q (%s or --api-url) carries credentials: take them out (the app signs its own requests; a proxy is set with HTTPS_PROXY)",
			RedactURL(c.APIURL), EnvAPIURL))
	}
	if c.ResyncEvery < 0 || (c.ResyncEvery > 0 && c.ResyncEvery < 30*time.Second) {
		errs = append(errs, fmt.Errorf("resync every %s: want 0 (start-up only) or at least 30s, to stay well inside GitHub's rate limits", c.ResyncEvery))
	}
	if c.PaceLimits != (pace.Limits{}) {
		if err := c.paceLimits().Check(); err != nil {
			errs = append(errs, fmt.Errorf("pacing (%s, %s, %s): %w", EnvWritesPerMinute, EnvWritesPerHour, EnvConcurrentRequests, err))
		}
	}
	if c.QueueSize < 0 || c.Workers < 1 {
		errs = append(errs, fmt.Errorf("queue of %d objects with %d workers: want a queue of 0 or more and at least one worker", c.QueueSize, c.Workers))
	}
	if c.DrainDelay < 0 || c.ShutdownGrace <= 0 {
		errs = append(errs, fmt.Errorf("drain delay %s and shutdown grace %s: want 0 or more, and more than 0", c.DrainDelay, c.ShutdownGrace))
	}
	return errors.Join(errs...)
}

// checkKey parses the PEM the way ghinstallation will, so a bad key is
// reported at start-up, not at the first webhook.
func checkKey(b []byte) error {
	block, _ := pem.Decode(b)
	if block == nil {
		return errors.New("the private key is not PEM: it should start with -----BEGIN RSA PRIVATE KEY-----")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	return errors.New("the private key does not parse as an RSA key: download a fresh one from the app's settings page")
}

// apiURL is the API URL with the trailing slash go-github wants.
// RedactURL hides the credentials a URL may carry ("user:xxxxx@"), for
// anything the bot prints; text that is no URL comes back unchanged.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("xxxxx")
	return u.String()
}

func (c *Config) apiURL() string {
	if strings.HasSuffix(c.APIURL, "/") {
		return c.APIURL
	}
	return c.APIURL + "/"
}
