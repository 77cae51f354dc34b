package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/bot"
	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// clearEnv unsets every variable the commands read, for the test.
func clearEnv(t *testing.T) {
	for _, k := range []string{bot.EnvAppID, bot.EnvPrivateKey, bot.EnvPrivateKeyPath, bot.EnvWebhookSecret, bot.EnvAPIURL,
		bot.EnvAddr, bot.EnvResyncEvery, bot.EnvWritesPerMinute, bot.EnvWritesPerHour, bot.EnvConcurrentRequests, EnvToken} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv(bot.EnvLinkCheck, "off") // the test links are example.com's: nothing leaves 127.0.0.1
}

func TestServeRefusesWithoutWebhookSecret(t *testing.T) {
	clearEnv(t)
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(bot.EnvAppID, "42")
	t.Setenv(bot.EnvPrivateKey, string(key))
	code, _, errOut := runCLI("serve", "--addr", "127.0.0.1:0")
	if code != exitUsage {
		t.Fatalf("serve without a webhook secret: exit %d, want %d; stderr:\n%s", code, exitUsage, errOut)
	}
	for _, want := range []string{"refusing to start", bot.EnvWebhookSecret, "forge"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
	}
}

func TestServeNamesEveryMissingSetting(t *testing.T) {
	clearEnv(t)
	t.Setenv(bot.EnvPrivateKey, "not a key")
	code, _, errOut := runCLI("serve")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	for _, want := range []string{bot.EnvWebhookSecret, bot.EnvAppID, "not PEM"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not mention %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "not a key") {
		t.Errorf("stderr echoes the private key's value:\n%s", errOut)
	}
}

// TestServeReportsEveryBrokenSetting: serve does not stop at the first
// bad setting. Whatever is wrong in the environment, the flags, the env
// file and the files they name is reported at once, one line each naming
// the setting, and no secret is quoted.
func TestServeReportsEveryBrokenSetting(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := write("key.pem", string(key))
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		want  []string // each the start of its own line, in this order
		never []string // secrets
	}{
		{
			name: "a_bad_app_id_hides_no_missing_secret",
			env:  map[string]string{bot.EnvAppID: "abc"},
			want: []string{`GITHUB_APP_ID="abc": want the app's numeric id`, "no webhook secret (GITHUB_WEBHOOK_SECRET", "no private key (GITHUB_APP_PRIVATE_KEY"},
		},
		{
			name: "the_environment_the_flags_and_the_files_broken_at_once",
			env: map[string]string{bot.EnvPrivateKeyPath: filepath.Join(dir, "nope.pem"), bot.EnvWritesPerMinute: "fast",
				bot.EnvAPIURL: "api.github.com", bot.EnvAppID: "42"},
			args: []string{"--resync-every", "often", "--workers", "none", "--webhook-secret-path", missing, "--log-format", "xml", "--addr", "8080"},
			want: []string{`GITHUB_APP_PRIVATE_KEY_PATH="` + filepath.Join(dir, "nope.pem") + `": no such file or directory; point it at the private key file`,
				`NEWSLETTER_BOT_WRITES_PER_MINUTE="fast": want a whole number of at least 1`,
				`--resync-every="often": want a duration such as 5m`,
				`--workers="none": want a whole number of at least 1`,
				"--webhook-secret-path names a file that cannot be read (no such file or directory)",
				`--log-format must be json or text, not "xml"`,
				`API URL "api.github.com" (GITHUB_API_URL or --api-url): want https://api.github.com/`,
				`listen address "8080" (NEWSLETTER_BOT_ADDR or --addr): want HOST:PORT`},
			never: []string{missing},
		},
		{
			name: "a_malformed_key_an_empty_secret_file_and_bad_flags",
			env:  map[string]string{bot.EnvPrivateKey: "not-a-key-s3cr3t"},
			args: []string{"--app-id", "x", "--webhook-secret-path", write("empty", " \n"), "--shutdown-grace", "0s", "--queue", "-5"},
			want: []string{`--app-id="x": want the app's numeric id`, "--webhook-secret-path names an empty file",
				"the private key is not PEM (GITHUB_APP_PRIVATE_KEY, GITHUB_APP_PRIVATE_KEY_PATH or --private-key-path)",
				"a queue of -5 objects (--queue): want 0 or more", "shutdown grace 0s (--shutdown-grace): want more than 0"},
			never: []string{"not-a-key-s3cr3t"},
		},
		{
			name: "an_env_file_with_bad_settings_and_a_secret",
			env:  map[string]string{bot.EnvConcurrentRequests: "many"},
			args: []string{"--env-file", write("bot.env", bot.EnvAppID+"=app\n"+bot.EnvResyncEvery+"=10s\n"+bot.EnvWebhookSecret+"=file-s3cr3t\n"),
				"--private-key-path", keyFile, "--drain-delay", "soon"},
			want: []string{`--drain-delay="soon": want a duration such as 5s`,
				"with --env-file " + filepath.Join(dir, "bot.env") + `: GITHUB_APP_ID="app": want the app's numeric id`,
				"with --env-file " + filepath.Join(dir, "bot.env") + `: NEWSLETTER_BOT_CONCURRENT_REQUESTS="many": want a whole number`,
				"resync every 10s (NEWSLETTER_BOT_RESYNC_EVERY or --resync-every): want 0 (start-up only) or at least 30s"},
			never: []string{"file-s3cr3t", "BEGIN"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, errOut := runCLI(append([]string{"serve"}, tc.args...)...)
			if code != exitUsage {
				t.Fatalf("serve: exit %d, want %d; stderr:\n%s", code, exitUsage, errOut)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")[1:] {
				got = append(got, strings.TrimPrefix(line, "  - "))
			}
			if !strings.HasPrefix(errOut, "newsletter-bot serve: refusing to start:\n") || len(got) != len(tc.want) {
				t.Fatalf("serve says:\n%s\nwant \"refusing to start:\" and %d problems, one a line", errOut, len(tc.want))
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("problem %d = %q, want it to start %q", i+1, got[i], want)
				}
			}
			for _, secret := range tc.never {
				if strings.Contains(errOut, secret) {
					t.Errorf("serve quotes %q:\n%s", secret, errOut)
				}
			}
		})
	}
}

func TestDemoHolds(t *testing.T) {
	code, out, errOut := runCLI("demo")
	if code != exitOK {
		t.Fatalf("demo exit %d; stderr:\n%s\nstdout:\n%s", code, errOut, out)
	}
	for _, want := range []string{"✓ The story held", "# OSPO Newsletter 44", "🎉 Published in [edition 44]", "😕"} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript misses %q", want)
		}
	}
}

// TestDraftCommand runs "draft" against the simulator: a dry run writes
// nothing and prints the edition; the real run opens the draft as the app;
// a token works too and finds it up to date.
func TestDraftCommand(t *testing.T) {
	clearEnv(t)
	sim := githubsim.New(githubsim.Options{})
	t.Cleanup(sim.Close)
	if err := simtest.Setup(sim, ""); err != nil {
		t.Fatal(err)
	}
	is, err := simtest.OpenSubmission(sim, simtest.Member, drafts.KindJob, map[string]string{"organization": "Comcast",
		"title": "Engineer, Open Source", "link": "https://jobs.example.com/1", "location": "United States"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Actor(simtest.Maintainer).AddLabels(simtest.Repo, is.Number, drafts.DefaultConfig().Labels.Accepted); err != nil {
		t.Fatal(err)
	}
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(bot.EnvAPIURL, sim.URL())
	t.Setenv(bot.EnvAppID, "42")
	t.Setenv(bot.EnvPrivateKeyPath, keyFile)

	sim.ResetStats()
	code, out, errOut := runCLI("draft", "--repo", simtest.Repo, "--dry-run", "--today", "2026-12-01")
	if code != exitOK {
		t.Fatalf("draft --dry-run: exit %d; stderr:\n%s", code, errOut)
	}
	// The one POST allowed is for the installation token.
	if s := sim.Stats(); s.Writes != s.ByRoute["POST /app/installations/{installation_id}/access_tokens"] {
		t.Errorf("draft --dry-run wrote: %v", s.ByRoute)
	}
	for _, want := range []string{"would open the draft pull request from newsletter/edition-44", "----- newsletter/2026-12-29.md -----",
		"- [🇺🇸 Comcast | Engineer, Open Source](https://jobs.example.com/1)", "#### In this edition (1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run output misses %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "newsletter-bot:render") {
		t.Errorf("dry-run output shows the hidden render:\n%s", out)
	}

	code, out, errOut = runCLI("draft", "--repo", simtest.Repo, "--today", "2026-12-01")
	if code != exitOK || !strings.Contains(out, "opened the draft pull request from newsletter/edition-44 #2") {
		t.Fatalf("draft: exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	pulls, err := sim.PullRequests(simtest.Repo)
	if err != nil || len(pulls) != 1 || pulls[0].User != simtest.BotLogin {
		t.Fatalf("pull requests after draft: %+v, %v", pulls, err)
	}

	clearEnv(t)
	token, err := sim.Actor(simtest.Maintainer).Token()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(bot.EnvAPIURL, sim.URL())
	t.Setenv(EnvToken, token)
	code, out, errOut = runCLI("draft", "--repo", simtest.Repo, "--today", "2026-12-02")
	if code != exitOK || !strings.Contains(out, "is open and up to date") {
		t.Fatalf("draft with a token: exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	code, _, errOut = runCLI("draft", "--repo", "ospology")
	if code != exitUsage || !strings.Contains(errOut, "owner/name") {
		t.Errorf("draft --repo ospology: exit %d, stderr %q", code, errOut)
	}
}
