package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
	"golang.org/x/net/html"

	newsletterbot "github.com/newsletter-bot/newsletter-bot"
	"github.com/newsletter-bot/newsletter-bot/bot"
	"github.com/newsletter-bot/newsletter-bot/internal/demo"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// setupRun is "newsletter-bot setup" running in the background.
type setupRun struct {
	stdout, stderr simtest.Buffer
	code           int
	done           chan struct{}
	stop           context.CancelFunc // Ctrl-C
	page           string             // the URL it says to open
}

var pageURL = regexp.MustCompile(`Open (http://127\.0\.0\.1:[0-9]+/) in a browser`)

// startSetup runs setup on a free loopback port and waits until it says
// which page to open.
func startSetup(t *testing.T, args ...string) *setupRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	old := signalContext
	signalContext = func() (context.Context, context.CancelFunc) { return ctx, cancel }
	r := &setupRun{done: make(chan struct{}), stop: cancel}
	t.Cleanup(func() {
		cancel()
		<-r.done
		signalContext = old
	})
	go func() {
		defer close(r.done)
		r.code = run(append([]string{"setup", "--addr", "127.0.0.1:0"}, args...), &r.stdout, &r.stderr)
	}()
	deadline := time.After(10 * time.Second)
	for {
		if m := pageURL.FindStringSubmatch(r.stdout.String()); m != nil {
			r.page = m[1]
			return r
		}
		select {
		case <-r.done:
			t.Fatalf("setup exited %d before serving its page; stderr:\n%s", r.code, r.stderr.String())
		case <-deadline:
			t.Fatalf("setup did not say which page to open; stdout:\n%s", r.stdout.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// wait waits for setup to exit and returns its exit code.
func (r *setupRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-r.done:
		return r.code
	case <-time.After(20 * time.Second):
		t.Fatalf("setup did not exit; stdout:\n%s\nstderr:\n%s", r.stdout.String(), r.stderr.String())
		return -1
	}
}

// browser plays a person's browser; it shows each answer to the test
// instead of following redirects.
var browser = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// form reads the page's one form: where it posts and its fields.
func form(t *testing.T, page string) (action string, fields url.Values) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	forms, buttons := 0, 0
	fields = url.Values{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "form":
			forms++
			action = attr(n, "action")
			if m := attr(n, "method"); m != "post" {
				t.Errorf("the form's method is %q, want post", m)
			}
		case "input":
			fields.Add(attr(n, "name"), attr(n, "value"))
		case "button":
			buttons++
		}
	}
	if forms != 1 || buttons != 1 {
		t.Fatalf("the page has %d forms and %d buttons, want one of each:\n%s", forms, buttons, page)
	}
	return action, fields
}

// register plays the person: open setup's page, press its button (post
// the form to GitHub) and return GitHub's answer.
func (r *setupRun) register(t *testing.T, edit func(manifest map[string]any)) (*http.Response, string) {
	t.Helper()
	resp, page := get(t, r.page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setup's page: %d\n%s", resp.StatusCode, page)
	}
	action, fields := form(t, page)
	if edit != nil {
		var m map[string]any
		if err := json.Unmarshal([]byte(fields.Get("manifest")), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		fields.Set("manifest", string(b))
	}
	resp, err := browser.PostForm(action, fields)
	if err != nil {
		t.Fatalf("POST %s: %v", action, err)
	}
	return resp, readBody(t, resp)
}

// back follows GitHub's redirect to setup's page.
func back(t *testing.T, resp *http.Response) (*http.Response, string) {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GitHub answered %d, want a redirect", resp.StatusCode)
	}
	return get(t, resp.Header.Get("Location"))
}

// newSim starts the simulated GitHub with octocat signed in.
func newSim(t *testing.T, opts githubsim.Options) *githubsim.Sim {
	t.Helper()
	sim := githubsim.New(opts)
	t.Cleanup(sim.Close)
	if err := sim.SignIn("octocat"); err != nil {
		t.Fatal(err)
	}
	return sim
}

// loadEnvFile reads an env file as "serve --env-file FILE" does.
func loadEnvFile(t *testing.T, path string, args ...string) (bot.Config, error) {
	t.Helper()
	cfg, err := bot.ConfigFromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f := serverFlags(fs, &cfg)
	if err := fs.Parse(append([]string{"--env-file", path}, args...)); err != nil {
		t.Fatal(err)
	}
	return cfg, f.load()
}

// conversions records what the REST API answered to the code exchange,
// to look for its secrets where they must not be.
type conversions struct {
	mu     sync.Mutex
	bodies []string
}

// proxyTo is an API URL in front of the simulator that records the
// answers to POST /app-manifests/{code}/conversions.
func proxyTo(t *testing.T, sim *githubsim.Sim, rec *conversions) string {
	t.Helper()
	target, _ := url.Parse(sim.URL())
	p := httputil.NewSingleHostReverseProxy(target)
	p.ModifyResponse = func(resp *http.Response) error {
		if !strings.Contains(resp.Request.URL.Path, "/app-manifests/") {
			return nil
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, string(b))
		rec.mu.Unlock()
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v3/"
}

// TestSetupRegistersTheAppAndWritesItsCredentials plays the whole flow
// against the simulated GitHub: the page, GitHub's redirect, the file,
// and the credentials in it working for the bot.
func TestSetupRegistersTheAppAndWritesItsCredentials(t *testing.T) {
	clearEnv(t)
	sim := newSim(t, githubsim.Options{})
	var deliveries sync.WaitGroup
	var hookErr error
	var secret []byte // read from the file below, before any delivery
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer deliveries.Done()
		_, hookErr = github.ValidatePayload(r, secret)
	}))
	t.Cleanup(hooks.Close)
	var rec conversions
	api := proxyTo(t, sim, &rec)
	out := filepath.Join(t.TempDir(), "newsletter-bot.env")
	webhookURL := hooks.URL + bot.WebhookPath

	r := startSetup(t, "--webhook-url", webhookURL, "--github-url", sim.URL(), "--api-url", api, "--out", out)
	_, page := get(t, r.page)
	for _, want := range []string{"newsletter-bot", webhookURL, out, "your personal account", "issues: write", "<code>issue_comment</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("setup's page does not say %q:\n%s", want, page)
		}
	}
	action, _ := form(t, page)
	if !strings.HasPrefix(action, sim.URL()+"/settings/apps/new?state=") {
		t.Errorf("the form posts to %s, want %s/settings/apps/new?state=...", action, sim.URL())
	}
	resp, body := r.register(t, nil)
	resp, done := back(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(done, `href="https://github.com/apps/newsletter-bot/installations/new"`) {
		t.Errorf("the page GitHub sent the browser back to: %d\n%s\n(GitHub's answer: %s)", resp.StatusCode, done, body)
	}
	if code := r.wait(t); code != exitOK {
		t.Fatalf("setup exit %d; stderr:\n%s", code, r.stderr.String())
	}
	for _, want := range []string{`Registered the GitHub App "newsletter-bot"`, "https://github.com/apps/newsletter-bot/installations/new",
		"newsletter-bot serve --env-file " + out, "--from-env-file=" + out} {
		if !strings.Contains(r.stdout.String(), want) {
			t.Errorf("stdout does not say %q:\n%s", want, r.stdout.String())
		}
	}

	// The file: owner-only, comments on top, one NAME=value a line.
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", out, st.Mode().Perm())
	}
	data, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var names []string
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			if len(names) > 0 {
				t.Errorf("line %d is a comment after the settings: %q", i+1, l)
			}
			continue
		}
		name, _, ok := strings.Cut(l, "=")
		if !ok {
			t.Errorf("line %d is not NAME=value", i+1)
		}
		names = append(names, name)
	}
	if want := []string{bot.EnvAppID, bot.EnvPrivateKey, bot.EnvWebhookSecret, bot.EnvAPIURL}; !slices.Equal(names, want) {
		t.Errorf("%s sets %v, want %v", out, names, want)
	}
	if !strings.Contains(lines[0], "newsletter-bot") || !strings.Contains(string(data), "SECRET") {
		t.Errorf("the comments do not name the app and say the file is secret:\n%s", strings.Join(lines[:5], "\n"))
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp")); len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}

	// Loaded as serve loads it, the credentials are the app's.
	cfg, err := loadEnvFile(t, out)
	if err != nil {
		t.Fatalf("loading %s as serve does: %v", out, err)
	}
	if cfg.APIURL != api {
		t.Errorf("API URL %q, want --api-url %q", cfg.APIURL, api)
	}
	b, err := bot.New(cfg, nil)
	if err != nil {
		t.Fatalf("bot.New with the file's settings: %v", err)
	}
	ctx := context.Background()
	if err := b.Identify(ctx); err != nil || b.BotLogin() != "newsletter-bot[bot]" {
		t.Fatalf("Identify with the file's credentials: %v (bot %q)", err, b.BotLogin())
	}
	secret = []byte(cfg.WebhookSecret)
	if err := sim.CreateRepo(githubsim.RepoSpec{Owner: "octocat", Name: "newsletter"}); err != nil {
		t.Fatal(err)
	}
	deliveries.Add(1)
	if err := sim.Install(1, "octocat", "octocat/newsletter"); err != nil {
		t.Fatal(err)
	}
	deliveries.Wait()
	if hookErr != nil {
		t.Errorf("the installation webhook does not verify with the file's secret: %v", hookErr)
	}

	// GitHub received app.yml with setup's URLs.
	want, err := newsletterbot.AppManifest()
	if err != nil {
		t.Fatal(err)
	}
	want.HookAttributes.URL = webhookURL
	want.RedirectURL = strings.TrimSuffix(r.page, "/") + "/redirect"
	var got newsletterbot.Manifest
	if err := json.Unmarshal(sim.LastManifest(), &got); err != nil {
		t.Fatalf("the manifest GitHub received: %v", err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("GitHub received the manifest\n%s\nwant\n%s", g, w)
	}

	// No secret on the terminal or the pages.
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.bodies) != 1 {
		t.Fatalf("%d code exchanges, want 1", len(rec.bodies))
	}
	var conv struct {
		PEM           string `json:"pem"`
		WebhookSecret string `json:"webhook_secret"`
		ClientSecret  string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(rec.bodies[0]), &conv); err != nil {
		t.Fatal(err)
	}
	pemLines := strings.Split(conv.PEM, "\n")
	if conv.WebhookSecret == "" || conv.ClientSecret == "" || len(pemLines) < 3 {
		t.Fatalf("the exchange's answer lacks secrets: %s", rec.bodies[0])
	}
	for what, s := range map[string]string{"the webhook secret": conv.WebhookSecret, "the client secret": conv.ClientSecret, "the private key": pemLines[1]} {
		for where, text := range map[string]string{"stdout": r.stdout.String(), "stderr": r.stderr.String(), "the start page": page, "the done page": done} {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %s", where, what)
			}
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSetupForAnOrganization registers the app for --org, deriving the
// API URL from --github-url as for GitHub Enterprise Server (the
// simulator serves the API under /api/v3/ too).
func TestSetupForAnOrganization(t *testing.T) {
	clearEnv(t)
	sim := newSim(t, githubsim.Options{})
	if err := sim.AddOrg("acme"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "acme.env")
	r := startSetup(t, "--webhook-url", "https://bot.example.org"+bot.WebhookPath, "--github-url", sim.URL(), "--org", "acme",
		"--out", out, "--name", "Acme Newsletter", "--public")
	_, page := get(t, r.page)
	if action, _ := form(t, page); !strings.HasPrefix(action, sim.URL()+"/organizations/acme/settings/apps/new?state=") {
		t.Errorf("the form posts to %s, want the organization's page", action)
	}
	if !strings.Contains(page, "the organization acme") || !strings.Contains(page, "public") {
		t.Errorf("the page does not say the app will be acme's and public:\n%s", page)
	}
	resp, _ := r.register(t, nil)
	back(t, resp)
	if code := r.wait(t); code != exitOK {
		t.Fatalf("setup exit %d; stderr:\n%s", code, r.stderr.String())
	}
	var got newsletterbot.Manifest
	_ = json.Unmarshal(sim.LastManifest(), &got)
	if got.Name != "Acme Newsletter" || !got.Public {
		t.Errorf("GitHub received name %q, public %v; want --name and --public", got.Name, got.Public)
	}
	cfg, err := loadEnvFile(t, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := sim.URL() + "/api/v3/"; cfg.APIURL != want {
		t.Errorf("API URL %q, want %q derived from --github-url", cfg.APIURL, want)
	}
	b, err := bot.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Identify(context.Background()); err != nil || b.BotLogin() != "acme-newsletter[bot]" {
		t.Errorf("Identify: %v, bot %q", err, b.BotLogin())
	}
}

func TestAPIURLFor(t *testing.T) {
	for _, tc := range []struct{ github, want string }{
		{"https://github.com", "https://api.github.com/"},
		{"https://github.com/", "https://api.github.com/"},
		{"https://GitHub.com", "https://api.github.com/"},
		{"https://ghes.example.com", "https://ghes.example.com/api/v3/"},
		{"https://ghes.example.com:8443/", "https://ghes.example.com:8443/api/v3/"},
		{"https://octocorp.ghe.com", "https://api.octocorp.ghe.com/"},
	} {
		u, _ := url.Parse(tc.github)
		if got := apiURLFor(u); got != tc.want {
			t.Errorf("apiURLFor(%s) = %q, want %q", tc.github, got, tc.want)
		}
	}
}

// TestSetupOnGitHubEnterpriseServer: the button posts to the GHES host.
func TestSetupOnGitHubEnterpriseServer(t *testing.T) {
	clearEnv(t)
	r := startSetup(t, "--webhook-url", "https://bot.example.org"+bot.WebhookPath, "--github-url", "https://ghes.example.com",
		"--out", filepath.Join(t.TempDir(), "x.env"))
	_, page := get(t, r.page)
	if action, _ := form(t, page); !strings.HasPrefix(action, "https://ghes.example.com/settings/apps/new?state=") {
		t.Errorf("the form posts to %s, want https://ghes.example.com/settings/apps/new", action)
	}
	r.stop()
	if code := r.wait(t); code != exitFail || !strings.Contains(r.stderr.String(), "stopped; nothing was written") {
		t.Errorf("Ctrl-C: exit %d, stderr %q", code, r.stderr.String())
	}
}

// TestSetupRefusesAWrongState: a redirect that does not carry the page's
// state is refused and changes nothing; setup keeps waiting for the real one.
func TestSetupRefusesAWrongState(t *testing.T) {
	clearEnv(t)
	sim := newSim(t, githubsim.Options{})
	out := filepath.Join(t.TempDir(), "newsletter-bot.env")
	r := startSetup(t, "--webhook-url", "https://bot.example.org"+bot.WebhookPath, "--github-url", sim.URL(), "--out", out)
	resp, _ := r.register(t, nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	q.Set("state", "forged")
	loc.RawQuery = q.Encode()
	resp, page := get(t, loc.String())
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "does not match") || !strings.Contains(page, "Nothing was written") {
		t.Errorf("a forged state: %d\n%s", resp.StatusCode, page)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written after a forged state", out)
	}
	if !strings.Contains(r.stderr.String(), "still waiting") {
		t.Errorf("the terminal does not say a forged redirect was refused: %q", r.stderr.String())
	}
	select {
	case <-r.done:
		t.Fatalf("setup stopped at a forged state (exit %d)", r.code)
	default:
	}
	r.stop()
	if code := r.wait(t); code != exitFail {
		t.Errorf("exit %d after Ctrl-C, want %d", code, exitFail)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written", out)
	}
}

// TestSetupWithACodeGitHubRefuses: a code GitHub does not take (over an
// hour old, or unknown) writes nothing and says why.
func TestSetupWithACodeGitHubRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		code func(t *testing.T, clock *demo.Calendar, resp *http.Response) string
	}{
		{"more_than_an_hour_old", func(t *testing.T, clock *demo.Calendar, resp *http.Response) string {
			clock.Set(clock.Now().Add(61 * time.Minute))
			return resp.Header.Get("Location")
		}},
		{"unknown", func(t *testing.T, clock *demo.Calendar, resp *http.Response) string {
			loc, _ := url.Parse(resp.Header.Get("Location"))
			q := loc.Query()
			q.Set("code", "0123456789abcdef")
			loc.RawQuery = q.Encode()
			return loc.String()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			clock := &demo.Calendar{}
			clock.Set(time.Now())
			sim := newSim(t, githubsim.Options{Now: clock.Now})
			out := filepath.Join(t.TempDir(), "newsletter-bot.env")
			r := startSetup(t, "--webhook-url", "https://bot.example.org"+bot.WebhookPath, "--github-url", sim.URL(), "--out", out)
			resp, _ := r.register(t, nil)
			resp, page := get(t, tc.code(t, clock, resp))
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "more than an hour old") {
				t.Errorf("the page after a refused code: %d\n%s", resp.StatusCode, page)
			}
			if code := r.wait(t); code != exitFail || !strings.Contains(r.stderr.String(), "did not accept the code") ||
				!strings.Contains(r.stderr.String(), "Nothing was written") {
				t.Errorf("exit %d, stderr %q", code, r.stderr.String())
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// TestSetupWhenGitHubRejectsTheManifest: GitHub's 422 page lists the
// problem; setup writes nothing.
func TestSetupWhenGitHubRejectsTheManifest(t *testing.T) {
	clearEnv(t)
	sim := newSim(t, githubsim.Options{})
	out := filepath.Join(t.TempDir(), "newsletter-bot.env")
	r := startSetup(t, "--webhook-url", "https://bot.example.org"+bot.WebhookPath, "--github-url", sim.URL(), "--out", out,
		"--name", strings.Repeat("n", 35), "--timeout", "2s")
	resp, page := r.register(t, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "name is too long") {
		t.Errorf("GitHub's answer to a 35-character name: %d\n%s", resp.StatusCode, page)
	}
	if code := r.wait(t); code != exitFail || !strings.Contains(r.stderr.String(), "gave up after 2s") {
		t.Errorf("exit %d, stderr %q", code, r.stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written", out)
	}
}

// TestSetupWithoutWebhookSecret: for an app without an active webhook
// GitHub hands out no webhook secret (null); setup sets one as the app
// and writes it.
func TestSetupWithoutWebhookSecret(t *testing.T) {
	clearEnv(t)
	sim := newSim(t, githubsim.Options{})
	out := filepath.Join(t.TempDir(), "newsletter-bot.env")
	webhookURL := "https://bot.example.org" + bot.WebhookPath
	r := startSetup(t, "--webhook-url", webhookURL, "--github-url", sim.URL(), "--out", out)
	resp, _ := r.register(t, func(m map[string]any) { m["hook_attributes"].(map[string]any)["active"] = false })
	back(t, resp)
	if code := r.wait(t); code != exitOK {
		t.Fatalf("setup exit %d; stderr:\n%s", code, r.stderr.String())
	}
	cfg, err := loadEnvFile(t, out)
	if err != nil {
		t.Fatal(err)
	}
	hook, secret, _ := sim.AppWebhook()
	if cfg.WebhookSecret == "" || secret != cfg.WebhookSecret || hook != webhookURL {
		t.Errorf("the app's webhook: %q with secret set %v, equal to the file's %v", hook, secret != "", secret == cfg.WebhookSecret)
	}
	if strings.Contains(r.stdout.String()+r.stderr.String(), cfg.WebhookSecret) {
		t.Errorf("the webhook secret setup made up is on the terminal")
	}
}

// TestSetupRefusesBeforeListening: a command line that cannot end well
// is refused before anything starts.
func TestSetupRefusesBeforeListening(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "newsletter-bot.env")
	if err := os.WriteFile(existing, []byte("GITHUB_APP_ID=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hook := "https://bot.example.org" + bot.WebhookPath
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"the_file_exists", []string{"--webhook-url", hook, "--out", existing}, "already exists, and setup never overwrites credentials"},
		{"no_webhook_URL", []string{"--out", filepath.Join(dir, "a.env")}, "--webhook-url is required"},
		{"a_webhook_URL_over_http", []string{"--webhook-url", "http://bot.example.org/api/github/hook", "--out", filepath.Join(dir, "a.env")}, "want an https:// URL"},
		{"a_webhook_URL_without_scheme", []string{"--webhook-url", "bot.example.org/api/github/hook", "--out", filepath.Join(dir, "a.env")}, "want an https:// URL"},
		{"a_GitHub_URL_with_a_path", []string{"--webhook-url", hook, "--github-url", "https://github.com/acme", "--out", filepath.Join(dir, "a.env")}, "--github-url"},
		{"a_directory_that_does_not_exist", []string{"--webhook-url", hook, "--out", filepath.Join(dir, "nope", "a.env")}, "directory does not exist"},
		{"no_timeout", []string{"--webhook-url", hook, "--out", filepath.Join(dir, "a.env"), "--timeout", "0s"}, "--timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(append([]string{"setup", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, exitUsage, tc.want)
			}
			if strings.Contains(out, "Open http") {
				t.Errorf("setup started serving: %s", out)
			}
		})
	}
	if data, _ := os.ReadFile(existing); string(data) != "GITHUB_APP_ID=1\n" {
		t.Errorf("the existing file changed: %q", data)
	}
	// http is fine for a webhook receiver on this machine.
	r := startSetup(t, "--webhook-url", "http://localhost:8080"+bot.WebhookPath, "--out", filepath.Join(dir, "b.env"))
	r.stop()
	r.wait(t)
}

// TestServeEnvFile: the file gives defaults under the environment, and
// flags win over both.
func TestServeEnvFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bot.env")
	if err := os.WriteFile(file, []byte("# a comment\n"+bot.EnvAppID+"=11\n"+bot.EnvPrivateKey+`=-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n`+"\n"+
		bot.EnvWebhookSecret+"=from-file\n"+bot.EnvAPIURL+"=https://ghes.example.com/api/v3/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyFile, []byte("PEM FROM ENV PATH"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name             string
		env              map[string]string
		args             []string
		id               int64
		key, secret, api string
	}{
		{"the_file_alone", nil, nil, 11, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "from-file", "https://ghes.example.com/api/v3/"},
		{"the_environment_over_the_file", map[string]string{bot.EnvAppID: "22", bot.EnvWebhookSecret: "from-env", bot.EnvPrivateKeyPath: keyFile}, nil,
			22, "PEM FROM ENV PATH", "from-env", "https://ghes.example.com/api/v3/"},
		{"flags_over_both", map[string]string{bot.EnvAppID: "22"}, []string{"--app-id", "33", "--api-url", "https://api.github.com/"},
			33, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "from-file", "https://api.github.com/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cfg, err := loadEnvFile(t, file, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.AppID != tc.id || string(cfg.PrivateKey) != tc.key || cfg.WebhookSecret != tc.secret || cfg.APIURL != tc.api {
				t.Errorf("got id %d, key %q, secret %q, API %q; want %d, %q, %q, %q", cfg.AppID, cfg.PrivateKey, cfg.WebhookSecret, cfg.APIURL,
					tc.id, tc.key, tc.secret, tc.api)
			}
		})
	}

	clearEnv(t)
	bad := filepath.Join(dir, "bad.env")
	if err := os.WriteFile(bad, []byte("GITHUB_WEBHOOK_SECRET s3cr3t-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI("serve", "--env-file", bad)
	if code != exitUsage || !strings.Contains(errOut, "not a file of NAME=value lines") || strings.Contains(errOut, "s3cr3t") {
		t.Errorf("serve with a malformed env file: exit %d, stderr %q; want %d, no secret quoted", code, errOut, exitUsage)
	}
	code, _, errOut = runCLI("serve", "--env-file", filepath.Join(dir, "missing.env"))
	if code != exitUsage || !strings.Contains(errOut, "missing.env") {
		t.Errorf("serve with a missing env file: exit %d, stderr %q", code, errOut)
	}
	// What the file lacks is named as if the environment lacked it.
	code, _, errOut = runCLI("serve", "--env-file", file, "--addr", "127.0.0.1:0")
	if code != exitUsage || !strings.Contains(errOut, "private key does not parse") || strings.Contains(errOut, bot.EnvWebhookSecret) {
		t.Errorf("serve with the file's made-up key: exit %d, stderr %q; want the key refused and nothing else", code, errOut)
	}
}
