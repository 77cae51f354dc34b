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
		bot.EnvAddr, bot.EnvResyncEvery, EnvToken} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
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
