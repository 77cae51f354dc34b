package bot

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// ConfigFromEnv goes on past a setting it cannot read: every one is
// reported, one line each, naming its variable, and the rest is read.
func TestConfigFromEnvReportsEveryProblem(t *testing.T) {
	env := map[string]string{
		EnvAppID:              "abc",
		EnvPrivateKeyPath:     filepath.Join(t.TempDir(), "nope.pem"),
		EnvResyncEvery:        "often",
		EnvWritesPerMinute:    "seventy",
		EnvConcurrentRequests: "0",
		EnvWebhookSecret:      "s3cret-value",
		EnvAddr:               "127.0.0.1:9999",
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("ConfigFromEnv() = nil error")
	}
	lines := strings.Split(err.Error(), "\n")
	for _, want := range []string{`GITHUB_APP_ID="abc": want the app's numeric id`, "GITHUB_APP_PRIVATE_KEY_PATH=", "nope.pem\": no such file or directory; point it at",
		`NEWSLETTER_BOT_RESYNC_EVERY="often": want a duration`, `NEWSLETTER_BOT_WRITES_PER_MINUTE="seventy": want a whole number`,
		`NEWSLETTER_BOT_CONCURRENT_REQUESTS="0": want a whole number of at least 1`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ConfigFromEnv() error does not say %q:\n%v", want, err)
		}
	}
	if len(lines) != 5 {
		t.Errorf("ConfigFromEnv() error has %d lines, want 5 (one a problem):\n%v", len(lines), err)
	}
	if strings.Contains(err.Error(), "s3cret-value") {
		t.Errorf("ConfigFromEnv() error quotes the webhook secret:\n%v", err)
	}
	// What could be read was.
	if c.WebhookSecret != "s3cret-value" || c.Addr != "127.0.0.1:9999" || c.ResyncEvery != DefaultResyncEvery {
		t.Errorf("ConfigFromEnv() = secret set %v, addr %q, resync every %s; want the secret, the address and the default", c.WebhookSecret != "", c.Addr, c.ResyncEvery)
	}
}

// A key put where its file's name goes is not quoted back.
func TestKeyPathHoldingAKeyIsNotQuoted(t *testing.T) {
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{EnvPrivateKeyPath: string(key)}
	_, err = ConfigFromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "looks like a key, not a file name") {
		t.Fatalf("ConfigFromEnv(key in %s) = %v, want it to say so", EnvPrivateKeyPath, err)
	}
	if strings.Contains(err.Error(), "BEGIN") || strings.Contains(err.Error(), string(key[40:80])) {
		t.Errorf("ConfigFromEnv(key in %s) quotes the key: %v", EnvPrivateKeyPath, err)
	}
}

// Check names, on each line, where the setting is set.
func TestCheckNamesTheSetting(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"a_key_that_is_not_PEM", func(c *Config) { c.PrivateKey = []byte("not a key") }, "private key is not PEM (GITHUB_APP_PRIVATE_KEY, GITHUB_APP_PRIVATE_KEY_PATH or --private-key-path)"},
		{"an_API_URL_without_a_scheme", func(c *Config) { c.APIURL = "api.github.com" }, `API URL "api.github.com" (GITHUB_API_URL or --api-url)`},
		{"a_listen_address_without_a_port", func(c *Config) { c.Addr = "8080" }, `listen address "8080" (NEWSLETTER_BOT_ADDR or --addr): want HOST:PORT`},
		{"a_resync_too_often", func(c *Config) { c.ResyncEvery = time.Second }, "resync every 1s (NEWSLETTER_BOT_RESYNC_EVERY or --resync-every)"},
		{"no_workers", func(c *Config) { c.Workers = 0 }, "0 workers (--workers): want at least 1"},
		{"a_negative_queue", func(c *Config) { c.QueueSize = -1 }, "a queue of -1 objects (--queue)"},
		{"no_shutdown_grace", func(c *Config) { c.ShutdownGrace = 0 }, "shutdown grace 0s (--shutdown-grace)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig(t)
			tc.change(&c)
			err := c.Check()
			if err == nil || err.Error() != strings.SplitN(err.Error(), "\n", 2)[0] || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check() = %v, want one line that says %q", err, tc.want)
			}
			var se *SettingError
			if !errors.As(err, &se) {
				t.Errorf("Check() = %T, want a *SettingError", err)
			}
		})
	}
}

// A setting that could not be read is reported as unreadable, not also
// as missing; what is missing besides is still reported.
func TestProblemsReportEachSettingOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{EnvAppID: "abc", EnvPrivateKeyPath: path}
	c, read := ConfigFromEnv(func(k string) string { return env[k] })
	err := Problems(read, c.Check())
	if err == nil {
		t.Fatal("Problems() = nil")
	}
	got := err.Error()
	for _, want := range []string{`GITHUB_APP_ID="abc"`, "no webhook secret (GITHUB_WEBHOOK_SECRET", "private key is not PEM"} {
		if !strings.Contains(got, want) {
			t.Errorf("Problems() does not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "no app id") {
		t.Errorf("Problems() reports the unreadable app id as missing too:\n%s", got)
	}
	if n := len(strings.Split(got, "\n")); n != 3 {
		t.Errorf("Problems() has %d lines, want 3:\n%s", n, got)
	}
}
