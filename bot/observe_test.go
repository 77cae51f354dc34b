package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// simBot is a replica whose GitHub is the simulator, with the app
// registered and installed on the test repository. refuse, when set, makes
// every GET /app answer 401 as GitHub does for a revoked key.
func simBot(t *testing.T, log *slog.Logger) (*Bot, *githubsim.Sim, *atomic.Bool) {
	t.Helper()
	return simBotWithLog(t, log, nil)
}

// simBotWith is simBot with the config changed by change first.
func simBotWith(t *testing.T, change func(*Config)) (*Bot, *githubsim.Sim, *atomic.Bool) {
	t.Helper()
	return simBotWithLog(t, nil, change)
}

func simBotWithLog(t *testing.T, log *slog.Logger, change func(*Config)) (*Bot, *githubsim.Sim, *atomic.Bool) {
	t.Helper()
	sim := githubsim.New(githubsim.Options{})
	t.Cleanup(sim.Close)
	if err := simtest.Setup(sim, ""); err != nil {
		t.Fatal(err)
	}
	cfg := validConfig(t)
	cfg.AppID, cfg.WebhookSecret, cfg.APIURL = simtest.AppID, simtest.WebhookSecret, sim.URL()
	var refuse atomic.Bool
	cfg.Transport = roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		if refuse.Load() && r.URL.Path == "/app" {
			return &http.Response{StatusCode: http.StatusUnauthorized, Request: r, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{"message":"A JSON web token could not be decoded"}`))}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	if change != nil {
		change(&cfg)
	}
	b, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	return b, sim, &refuse
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestReadinessAsksGitHub(t *testing.T) {
	ctx := context.Background()
	b, sim, refuse := simBot(t, nil)
	h := b.Handler()
	if code, _ := get(t, h, "/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz before Identify: %d", code)
	}
	if err := b.Identify(ctx); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, h, "/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz after Identify: %d %s", code, body)
	}

	// Within ReadyEvery the verdict stands: no request to GitHub.
	sim.ResetStats()
	get(t, h, "/readyz")
	if n := sim.Stats().Total; n != 0 {
		t.Errorf("a fresh verdict cost %d requests", n)
	}

	// GitHub failing is not the credentials failing: still ready, and says why.
	sim.AddFault(githubsim.Fault{Route: "GET /app", Kind: githubsim.FaultServerError, Status: 502})
	b.expireCheck()
	if code, body := get(t, h, "/readyz"); code != http.StatusOK || !strings.Contains(body, "GitHub is having trouble") {
		t.Errorf("/readyz while GitHub answers 502: %d %q", code, body)
	}
	sim.ClearFaults()

	// GitHub refusing the credentials makes the replica unready.
	refuse.Store(true)
	b.expireCheck()
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "refuses the app's credentials") {
		t.Errorf("/readyz with refused credentials: %d %q", code, body)
	}
	refuse.Store(false)
	b.expireCheck()
	if code, _ := get(t, h, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after the credentials work again: %d", code)
	}
}

// A key GitHub does not know keeps the replica from starting at all.
func TestIdentifyWithTheWrongKeyFails(t *testing.T) {
	sim := githubsim.New(githubsim.Options{})
	t.Cleanup(sim.Close)
	if err := simtest.Setup(sim, ""); err != nil {
		t.Fatal(err)
	}
	cfg := validConfig(t)
	other, err := simtest.OtherKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	cfg.AppID, cfg.APIURL, cfg.PrivateKey = simtest.AppID, sim.URL(), other
	b, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Identify(context.Background()); err == nil || !strings.Contains(err.Error(), "check the app id and the private key") {
		t.Errorf("Identify with another key: %v", err)
	}
	if code, _ := get(t, b.Handler(), "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with another key: %d", code)
	}
}

func (b *Bot) expireCheck() {
	b.checkMu.Lock()
	b.checkedAt = time.Time{}
	b.checkMu.Unlock()
}

// The metrics count what happened: deliveries by outcome, requests by
// route, the rate limit per installation, the queue and the resync.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	b, sim, _ := simBot(t, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err := b.Identify(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(srv.Close)
	if err := sim.SetWebhookURL(srv.URL + WebhookPath); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Resyncer().Pass(ctx); err != nil {
		t.Fatal(err)
	}
	b.metrics.resyncs.WithLabelValues("ok").Inc() // what resyncLoop does after a pass

	// A suggestion: its webhook is handled; a forged delivery is rejected.
	issue, err := simtest.OpenSubmission(sim, simtest.Member, "job", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitForDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, b)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+WebhookPath, strings.NewReader(`{"action":"opened"}`))
	req.Header.Set("X-GitHub-Event", "issues-forged-"+strings.Repeat("x", 100))
	req.Header.Set("X-Hub-Signature-256", "sha256=00")
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged delivery: %v %v", resp, err)
	}

	_, text := get(t, b.Handler(), "/metrics")
	for _, want := range []string{
		`newsletter_bot_webhook_deliveries_total{action="opened",event="issues",outcome="handled"} 1`,
		`newsletter_bot_webhook_deliveries_total{action="",event="other",outcome="rejected"} 1`,
		`newsletter_bot_webhook_handler_duration_seconds_count{event="issues"} `,
		`newsletter_bot_webhook_queue_depth 0`,
		`newsletter_bot_webhook_queue_dropped_total 0`,
		`newsletter_bot_github_requests_total{method="GET",route="/app",status="200"} 1`,
		`newsletter_bot_github_requests_total{method="POST",route="/repos/{owner}/{repo}/issues/{issue_number}/comments",status="201"}`,
		`newsletter_bot_github_rate_limit_remaining{installation="` + itoa(simtest.InstallationID) + `"}`,
		`newsletter_bot_github_rate_limit{installation="` + itoa(simtest.InstallationID) + `"} 5000`,
		`newsletter_bot_resync_passes_total{outcome="ok"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !strings.Contains(text, "newsletter_bot_resync_last_success_timestamp_seconds 1.") {
		t.Errorf("/metrics has no time for the last resync:\n%s", grep(text, "resync"))
	}
	// No label value holds a repository name or an issue number.
	if strings.Contains(text, simtest.Name) {
		t.Errorf("/metrics names the repository:\n%s", grep(text, simtest.Name))
	}

	// The delivery's log line names the delivery, repository and issue. (The
	// resync may have opened a draft first, whose deliveries name a pull.)
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if l["msg"] == "handled a webhook" && l["event"] == "issues" && l["action"] == "opened" {
			found = true
			if l["delivery"] == "" || l["repository"] != simtest.Repo || l["issue"] != float64(issue.Number) {
				t.Errorf("the delivery's log line: %s", line)
			}
		}
	}
	if !found {
		t.Errorf("no log line for the delivery:\n%s", logs.String())
	}
}

func waitIdle(t *testing.T, b *Bot) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); b.Pending() > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the queue did not empty")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func grep(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A secondary rate limit is waited out and the request sent again, body
// and all; nothing fails.
func TestSecondaryRateLimitIsWaitedOut(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	b, sim, _ := simBot(t, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err := b.Identify(ctx); err != nil {
		t.Fatal(err)
	}
	sim.AddFault(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
		Kind: githubsim.FaultSecondaryRateLimit, Times: 1, RetryAfter: time.Second})
	if _, err := simtest.OpenSubmission(sim, simtest.Member, "job", nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := b.Resyncer().Pass(ctx); err != nil {
		t.Fatalf("the pass failed on a secondary rate limit: %v", err)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("the pass took %s: it did not wait for Retry-After", took)
	}
	comments, err := sim.Comments(simtest.Repo, 1)
	if err != nil || len(comments) != 1 || !strings.Contains(comments[0].Body, "newsletter") {
		t.Fatalf("after the retry: %v comments, %v", len(comments), err)
	}
	if !strings.Contains(logs.String(), "refused a request for a rate limit") {
		t.Errorf("the wait is not logged:\n%s", logs.String())
	}
	_, text := get(t, b.Handler(), "/metrics")
	for _, status := range []string{"403", "201"} {
		if !strings.Contains(text, `route="/repos/{owner}/{repo}/issues/{issue_number}/comments",status="`+status+`"} 1`) {
			t.Errorf("the %s attempt is not counted:\n%s", status, grep(text, "comments"))
		}
	}
}

// Serve listens at once and checks the credentials in the background:
// while GitHub cannot be reached it retries, unready, and refuses
// deliveries with a 503 (the resync picks them up); once they work it is
// ready and takes webhooks. On shutdown it turns unready first and keeps
// serving for DrainDelay.
func TestServeStartsBeforeGitHubAnswersAndDrainsUnready(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	b, _, _ := simBotWith(t, func(cfg *Config) {
		next := cfg.Transport
		cfg.Transport = roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			if down.Load() {
				return nil, errors.New("dial tcp: connection refused")
			}
			return next.RoundTrip(r)
		})
		cfg.DrainDelay = 300 * time.Millisecond
		cfg.ResyncEvery = 0
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- b.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	status := func(method, path string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting until %s", what)
			}
		}
	}
	waitFor("it listens", func() bool { return status("GET", "/healthz") == http.StatusOK })
	if got := status("GET", "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while GitHub is out of reach: %d", got)
	}
	if got := signedIssues(t, base); got != http.StatusServiceUnavailable {
		t.Errorf("a signed delivery before the credentials were checked: %d, want 503", got)
	}
	down.Store(false)
	waitFor("it is ready (the retry comes after 1 s)", func() bool { return status("GET", "/readyz") == http.StatusOK })
	if got := signedIssues(t, base); got != http.StatusOK {
		t.Errorf("a signed delivery once ready: %d, want 200 (queued)", got)
	}

	cancel()
	waitFor("it says it is shutting down", func() bool { return status("GET", "/readyz") == http.StatusServiceUnavailable })
	if got := status("GET", "/healthz"); got != http.StatusOK {
		t.Errorf("/healthz during the drain delay: %d, want 200 (still serving)", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// Credentials GitHub refuses end Serve at once, saying why: retrying
// cannot fix them.
func TestServeStopsOnRefusedCredentials(t *testing.T) {
	b, _, _ := simBotWith(t, func(cfg *Config) {
		other, err := simtest.OtherKeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		cfg.PrivateKey = other
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Serve(context.Background(), ln) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "check the app id and the private key") {
			t.Errorf("Serve with a key GitHub does not know: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve kept going with refused credentials")
	}
}

// signedIssues posts a signed issues delivery (for a repository the app
// does not know, so handling it is quick) and returns the status.
func signedIssues(t *testing.T, base string) int {
	t.Helper()
	body := `{"action":"opened","issue":{"number":1},"repository":{"full_name":"x/y","name":"y","owner":{"login":"x"}},"installation":{"id":999}}`
	req, _ := http.NewRequest(http.MethodPost, base+WebhookPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", "d-1")
	req.Header.Set("X-Hub-Signature-256", sign(simtest.WebhookSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A repository's first resync pass creates the newsletter's labels; later
// passes do not look again.
func TestFirstPassCreatesTheLabels(t *testing.T) {
	ctx := context.Background()
	b, sim, _ := simBot(t, nil)
	if err := b.Identify(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sim.CreateRepo(githubsim.RepoSpec{Owner: simtest.Owner, Name: "bare"}); err != nil {
		t.Fatal(err)
	}
	if err := sim.AddInstallationRepos(simtest.InstallationID, simtest.Owner+"/bare"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Resyncer().Pass(ctx); err != nil {
		t.Fatal(err)
	}
	client, err := simtest.InstallationClient(sim)
	if err != nil {
		t.Fatal(err)
	}
	labels, _, err := client.Issues.ListLabels(ctx, simtest.Owner, "bare", nil)
	if err != nil || len(labels) != 10 {
		t.Fatalf("after the first pass: %d labels, %v", len(labels), err)
	}
	sim.ResetStats()
	if _, err := b.Resyncer().Pass(ctx); err != nil {
		t.Fatal(err)
	}
	const list = "GET /repos/{owner}/{repo}/labels"
	if !slices.Contains(sim.Routes(), list) {
		t.Fatalf("the simulator has no route %q", list)
	}
	if n := sim.Stats().ByRoute[list]; n != 0 {
		t.Errorf("a later pass listed the labels %d times", n)
	}
}
