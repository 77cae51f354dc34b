package bot

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/pace"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// Config is what the server needs to run as a GitHub App. Load it with
// ConfigFromEnv, override from flags, then Check it.
type Config struct {
	// LinkCheck checks the links people submit (EnvLinkCheck; on by
	// default); LinkChecker replaces the checker (nil: linkcheck's, which
	// never fetches a private or local address).
	LinkCheck   bool
	LinkChecker reconcile.LinkChecker

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
	// OnCalendar places a GitHub timestamp on Now's calendar, where the
	// two differ (the demo moves its calendar by days while GitHub's clock
	// runs; nil: they are one clock).
	OnCalendar func(time.Time) time.Time
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
	// EnvLinkCheck turns the checking of submitted links off ("off") for
	// the whole replica; each repository can turn it off with links.check.
	EnvLinkCheck = "NEWSLETTER_BOT_LINK_CHECK"
)

// DefaultConfig returns the defaults, without credentials.
func DefaultConfig() Config {
	return Config{APIURL: DefaultAPIURL, Addr: DefaultAddr, ResyncEvery: DefaultResyncEvery,
		ResyncLookback: DefaultLookback, QueueSize: DefaultQueueSize, Workers: 4, Settle: time.Second, MaxSettle: 5 * time.Second, DrainDelay: 5 * time.Second, ShutdownGrace: 25 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		BodyBudget: 64 << 20, BodyWait: 10 * time.Second, LinkCheck: true}
}

// ConfigFromEnv reads the defaults overridden by the environment (getenv
// is os.Getenv in production). The private key comes from
// GITHUB_APP_PRIVATE_KEY (the PEM itself; "\n" escapes are accepted for
// one-line secrets) or from the file GITHUB_APP_PRIVATE_KEY_PATH names.
// A setting it cannot read does not stop it: it leaves that one at its
// default and returns every such problem, joined (SettingErrors), with
// the rest of the config, so that the caller can report them together
// with what Problems and Check find. No secret is quoted.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var errs []error
	if v := getenv(EnvAppID); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, settingErrorf(EnvAppID, "%s=%q: want the app's numeric id, shown on the app's settings page", EnvAppID, v))
		} else {
			c.AppID = id
		}
	}
	key, path := getenv(EnvPrivateKey), getenv(EnvPrivateKeyPath)
	switch {
	case key != "" && path != "":
		errs = append(errs, settingErrorf(EnvPrivateKey, "both %s and %s are set: keep one", EnvPrivateKey, EnvPrivateKeyPath))
	case key != "":
		c.PrivateKey = []byte(strings.ReplaceAll(key, `\n`, "\n"))
	case path != "":
		b, err := ReadPrivateKey(EnvPrivateKeyPath, path)
		if err != nil {
			errs = append(errs, err)
		} else {
			c.PrivateKey = b
		}
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
			errs = append(errs, settingErrorf(EnvResyncEvery, "%s=%q: want a duration such as 5m", EnvResyncEvery, v))
		} else {
			c.ResyncEvery = d
		}
	}
	switch v := getenv(EnvLinkCheck); v {
	case "", "on":
	case "off":
		c.LinkCheck = false
	default:
		errs = append(errs, settingErrorf(EnvLinkCheck, "%s=%q: want on or off", EnvLinkCheck, v))
	}
	for _, e := range []struct {
		name string
		to   *int
	}{{EnvWritesPerMinute, &c.PaceLimits.PerMinute}, {EnvWritesPerHour, &c.PaceLimits.PerHour}, {EnvConcurrentRequests, &c.PaceLimits.Concurrent}} {
		if v := getenv(e.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				errs = append(errs, settingErrorf(e.name, "%s=%q: want a whole number of at least 1", e.name, v))
				continue
			}
			*e.to = n
		}
	}
	return c, errors.Join(errs...)
}

// SettingError is what is wrong with one setting, and how to fix it, in a
// message that names where it is set. Setting is its environment variable
// (the key's both are GITHUB_APP_PRIVATE_KEY), or its flag when it has
// none.
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

func settingErrorf(setting, format string, a ...any) error {
	return &SettingError{Setting: setting, Err: fmt.Errorf(format, a...)}
}

// ReadPrivateKey reads the private key from the file path, which setting
// (GITHUB_APP_PRIVATE_KEY_PATH or --private-key-path) names. Its error is
// a SettingError that says how to fix it, and never quotes a key put there
// by mistake instead of a file name.
func ReadPrivateKey(setting, path string) ([]byte, error) {
	if strings.Contains(path, "-----") || strings.Contains(path, "\n") || strings.Contains(path, `\n`) {
		return nil, settingErrorf(EnvPrivateKey, "%s holds what looks like a key, not a file name: put the key itself in %s, or name its file here", setting, EnvPrivateKey)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the message names the file already
		}
		return nil, settingErrorf(EnvPrivateKey, "%s=%q: %v; point it at the private key file (.pem) from the app's settings page", setting, path, err)
	}
	return b, nil
}

// Problems joins what was found wrong reading the settings (read:
// ConfigFromEnv's, the flags', the files') with what Check found
// (checked), one line each and each setting once: a setting that could not
// be read is missing too, and is reported as unreadable only.
func Problems(read, checked error) error {
	var errs []error
	seen := map[string]bool{}
	for _, err := range flatten(read) {
		var se *SettingError
		if errors.As(err, &se) {
			seen[se.Setting] = true
		}
		errs = append(errs, err)
	}
	for _, err := range flatten(checked) {
		var se *SettingError
		if errors.As(err, &se) && seen[se.Setting] {
			continue
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// flatten lists the errors errors.Join joined, at any depth.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var errs []error
	for _, e := range j.Unwrap() {
		errs = append(errs, flatten(e)...)
	}
	return errs
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

// Check says what is missing or wrong, every problem at once, one line
// each naming the setting and saying how to fix it (SettingErrors). The
// server refuses to start until it returns nil.
func (c *Config) Check() error {
	var errs []error
	if c.WebhookSecret == "" {
		errs = append(errs, settingErrorf(EnvWebhookSecret, "no webhook secret (%s, or a file named by --webhook-secret-path): without it anyone who finds the URL could "+
			"forge GitHub's deliveries, so the bot refuses to start; use the secret from the app's settings (or `newsletter-bot setup`)", EnvWebhookSecret))
	}
	if c.AppID <= 0 {
		errs = append(errs, settingErrorf(EnvAppID, "no app id (%s or --app-id): it is on the app's settings page", EnvAppID))
	}
	if len(c.PrivateKey) == 0 {
		errs = append(errs, settingErrorf(EnvPrivateKey, "no private key (%s, %s or --private-key-path): generate one on the app's settings page", EnvPrivateKey, EnvPrivateKeyPath))
	} else if err := checkKey(c.PrivateKey); err != nil {
		errs = append(errs, &SettingError{Setting: EnvPrivateKey, Err: err})
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, settingErrorf(EnvAPIURL, "API URL %q (%s or --api-url): want https://api.github.com/ or https://HOST/api/v3/", RedactURL(c.APIURL), EnvAPIURL))
	} else if u.User != nil {
		errs = append(errs, settingErrorf(EnvAPIURL, "API URL %q (%s or --api-url) carries credentials: take them out (the app signs its own requests; a proxy is set with HTTPS_PROXY)",
			RedactURL(c.APIURL), EnvAPIURL))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, settingErrorf(EnvAddr, "listen address %q (%s or --addr): want HOST:PORT, or :PORT for every interface, such as %s", c.Addr, EnvAddr, DefaultAddr))
	}
	if c.ResyncEvery < 0 || (c.ResyncEvery > 0 && c.ResyncEvery < 30*time.Second) {
		errs = append(errs, settingErrorf(EnvResyncEvery, "resync every %s (%s or --resync-every): want 0 (start-up only) or at least 30s, to stay well inside GitHub's rate limits",
			c.ResyncEvery, EnvResyncEvery))
	}
	if c.PaceLimits != (pace.Limits{}) {
		if err := c.paceLimits().Check(); err != nil {
			errs = append(errs, fmt.Errorf("pacing (%s, %s, %s): %w", EnvWritesPerMinute, EnvWritesPerHour, EnvConcurrentRequests, err))
		}
	}
	if c.QueueSize < 0 {
		errs = append(errs, settingErrorf("--queue", "a queue of %d objects (--queue): want 0 or more", c.QueueSize))
	}
	if c.Workers < 1 {
		errs = append(errs, settingErrorf("--workers", "%d workers (--workers): want at least 1", c.Workers))
	}
	if c.DrainDelay < 0 {
		errs = append(errs, settingErrorf("--drain-delay", "drain delay %s (--drain-delay): want 0 or more", c.DrainDelay))
	}
	if c.ShutdownGrace <= 0 {
		errs = append(errs, settingErrorf("--shutdown-grace", "shutdown grace %s (--shutdown-grace): want more than 0, such as 25s", c.ShutdownGrace))
	}
	return errors.Join(errs...)
}

// checkKey parses the PEM the way ghinstallation will, so a bad key is
// reported at start-up, not at the first webhook. It never quotes the key.
func checkKey(b []byte) error {
	where := fmt.Sprintf("(%s, %s or --private-key-path)", EnvPrivateKey, EnvPrivateKeyPath)
	block, _ := pem.Decode(b)
	if block == nil {
		return fmt.Errorf("the private key is not PEM %s: it should start with -----BEGIN RSA PRIVATE KEY-----; use the .pem file from the app's settings page", where)
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	return fmt.Errorf("the private key does not parse as an RSA key %s: download a fresh one from the app's settings page", where)
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
