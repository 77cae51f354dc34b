package githubsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

const (
	routeGetRepo  = "GET /repos/{owner}/{repo}"
	routeGetIssue = "GET /repos/{owner}/{repo}/issues/{issue_number}"
)

func TestAPIFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults []Fault
		// check makes calls with a fresh client and checks what they get.
		check func(t *testing.T, f *fixture, c *github.Client)
	}{
		{
			name:   "a server error answers 502 once, then the route works again",
			faults: []Fault{{Route: routeGetRepo, Kind: FaultServerError, Times: 1}},
			check: func(t *testing.T, f *fixture, c *github.Client) {
				_, resp, err := c.Repositories.Get(ctxT(t), "acme", "newsletter")
				wantStatus(t, "first Get", resp, err, http.StatusBadGateway)
				_, resp, err = c.Repositories.Get(ctxT(t), "acme", "newsletter")
				wantStatus(t, "second Get", resp, err, http.StatusOK)
			},
		},
		{
			name:   "a 500 answers Server Error",
			faults: []Fault{{Route: routeGetRepo, Kind: FaultServerError, Status: http.StatusInternalServerError}},
			check: func(t *testing.T, f *fixture, c *github.Client) {
				_, resp, err := c.Repositories.Get(ctxT(t), "acme", "newsletter")
				wantStatus(t, "Get", resp, err, http.StatusInternalServerError)
				if er := err.(*github.ErrorResponse); er.Message != "Server Error" {
					t.Errorf("message = %q, want Server Error", er.Message)
				}
			},
		},
		{
			name:   "a fault on one route leaves the others alone",
			faults: []Fault{{Route: routeGetIssue, Kind: FaultServerError}},
			check: func(t *testing.T, f *fixture, c *github.Client) {
				_, resp, err := c.Repositories.Get(ctxT(t), "acme", "newsletter")
				wantStatus(t, "Repositories.Get", resp, err, http.StatusOK)
				_, resp, err = c.Issues.Get(ctxT(t), "acme", "newsletter", 1)
				wantStatus(t, "Issues.Get", resp, err, http.StatusBadGateway)
			},
		},
		{
			name:   "a fault without a route hits every route",
			faults: []Fault{{Kind: FaultServerError, Status: http.StatusServiceUnavailable, Times: 2}},
			check: func(t *testing.T, f *fixture, c *github.Client) {
				_, resp, err := c.Repositories.Get(ctxT(t), "acme", "newsletter")
				wantStatus(t, "Repositories.Get", resp, err, http.StatusServiceUnavailable)
				_, resp, err = c.Issues.ListByRepo(ctxT(t), "acme", "newsletter", nil)
				wantStatus(t, "Issues.ListByRepo", resp, err, http.StatusServiceUnavailable)
				_, resp, err = c.Issues.ListByRepo(ctxT(t), "acme", "newsletter", nil)
				wantStatus(t, "Issues.ListByRepo after Times", resp, err, http.StatusOK)
			},
		},
		{
			name:   "a secondary rate limit answers 403 with Retry-After, which go-github reads",
			faults: []Fault{{Route: routeGetRepo, Kind: FaultSecondaryRateLimit, RetryAfter: 30 * time.Second}},
			check: func(t *testing.T, f *fixture, c *github.Client) {
				_, resp, err := c.Repositories.Get(ctxT(t), "acme", "newsletter")
				var abuse *github.AbuseRateLimitError
				if !errors.As(err, &abuse) || statusOf(resp) != http.StatusForbidden {
					t.Fatalf("Get = %d %T %v, want 403 *github.AbuseRateLimitError", statusOf(resp), err, err)
				}
				if abuse.RetryAfter == nil || *abuse.RetryAfter != 30*time.Second || resp.Header.Get("Retry-After") != "30" {
					t.Errorf("RetryAfter = %v (header %q), want 30s", abuse.RetryAfter, resp.Header.Get("Retry-After"))
				}
			},
		},
		{
			name:   "an exhausted primary limit answers 403 with remaining 0 and the reset, which go-github reads",
			faults: []Fault{{Route: routeGetRepo, Kind: FaultPrimaryRateLimit, RetryAfter: 2 * time.Minute}},
			check: func(t *testing.T, f *fixture, c *github.Client) {
				before := time.Now().Truncate(time.Second)
				_, resp, err := c.Repositories.Get(ctxT(t), "acme", "newsletter")
				var rl *github.RateLimitError
				if !errors.As(err, &rl) || statusOf(resp) != http.StatusForbidden {
					t.Fatalf("Get = %d %T %v, want 403 *github.RateLimitError", statusOf(resp), err, err)
				}
				reset := rl.Rate.Reset.Time
				if rl.Rate.Remaining != 0 || reset.Before(before.Add(2*time.Minute)) || reset.After(time.Now().Add(2*time.Minute)) {
					t.Errorf("Rate = %+v, want remaining 0 and reset in two minutes", rl.Rate)
				}
				if !strings.HasPrefix(rl.Message, "API rate limit exceeded for installation ID 7") {
					t.Errorf("message = %q, want GitHub's primary rate limit message", rl.Message)
				}
			},
		},
		{
			name:   "latency delays the answer and then serves it",
			faults: []Fault{{Route: routeGetRepo, Kind: FaultLatency, Latency: 50 * time.Millisecond}},
			check: func(t *testing.T, f *fixture, c *github.Client) {
				start := time.Now()
				_, resp, err := c.Repositories.Get(ctxT(t), "acme", "newsletter")
				wantStatus(t, "Get", resp, err, http.StatusOK)
				if d := time.Since(start); d < 50*time.Millisecond {
					t.Errorf("Get took %v, want at least 50ms", d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
			_, err := f.sim.Actor("alice").OpenIssue(testRepo, "One", "")
			must(t, err)
			for _, fault := range tt.faults {
				f.sim.AddFault(fault)
			}
			tt.check(t, f, f.tokenClient(t))
		})
	}
}

// TestPrimaryRateLimit spends a small hourly budget for real.
func TestPrimaryRateLimit(t *testing.T) {
	clock := newTestClock()
	f := newFixture(t, Options{Now: clock.Now, RateLimit: 3})
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	url := f.sim.URL() + "/repos/acme/newsletter"
	reset := strconv.FormatInt(clock.Now().Add(time.Hour).Unix(), 10)
	for _, want := range []struct {
		status    int
		remaining string
	}{{200, "2"}, {200, "1"}, {200, "0"}, {403, "0"}, {403, "0"}} {
		resp, body := doJSON(t, http.MethodGet, url, tok, "")
		if resp.StatusCode != want.status || resp.Header.Get("X-RateLimit-Remaining") != want.remaining || resp.Header.Get("X-RateLimit-Reset") != reset || resp.Header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("GET = %d remaining %s reset %s limit %s (%v), want %d remaining %s reset %s limit 3", resp.StatusCode,
				resp.Header.Get("X-RateLimit-Remaining"), resp.Header.Get("X-RateLimit-Reset"), resp.Header.Get("X-RateLimit-Limit"), body, want.status, want.remaining, reset)
		}
	}
	if got := f.sim.RateLimit(testInstallationID); got.Used != 3 || got.Remaining != 0 {
		t.Errorf("RateLimit = %+v, want 3 used and none remaining (refusals are free)", got)
	}
	clock.Advance(time.Hour)
	tok, err = f.sim.InstallationToken(testInstallationID)
	must(t, err)
	if resp, _ := doJSON(t, http.MethodGet, url, tok, ""); resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining") != "2" {
		t.Errorf("after the reset GET = %d remaining %s, want 200 and 2", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
}

// commentBodyOf returns comment.body of an issue_comment payload.
func commentBodyOf(payload []byte) string {
	var p struct {
		Comment struct {
			Body string `json:"body"`
		} `json:"comment"`
	}
	_ = json.Unmarshal(payload, &p)
	return p.Comment.Body
}

// faultRun drives one simulator through a fixed sequence of API calls and
// person actions with probabilistic faults everywhere, and describes what
// came out: each API status, then each delivery.
func faultRun(t *testing.T, seed int64) string {
	f := newFixture(t, Options{Seed: seed})
	f.waitHooks(t)
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	alice := f.sim.Actor("alice")
	_, err := alice.OpenIssue(testRepo, "One", "")
	must(t, err)
	f.waitHooks(t)
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	f.sim.AddFault(Fault{Route: routeGetIssue, Kind: FaultServerError, Probability: 0.5})
	f.sim.AddFault(Fault{Route: routeGetRepo, Kind: FaultSecondaryRateLimit, Probability: 0.3})
	f.sim.SetWebhookFaults(WebhookFaults{Duplicate: 0.3, Drop: 0.2, Reorder: 0.3})
	var out strings.Builder
	for i := 0; i < 30; i++ {
		resp, _ := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter/issues/1", tok, "")
		fmt.Fprintf(&out, "%d ", resp.StatusCode)
		_, err := alice.Comment(testRepo, 1, fmt.Sprintf("c%d", i))
		must(t, err)
		resp, _ = doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter", tok, "")
		fmt.Fprintf(&out, "%d ", resp.StatusCode)
	}
	f.waitHooks(t)
	out.WriteString("\n")
	for _, d := range f.sim.Deliveries()[2:] { // after installation.created and issues.opened
		fmt.Fprintf(&out, "%s dropped=%v duplicate=%v reordered=%v; ", commentBodyOf(d.Payload), d.Dropped, d.Duplicate, d.Reordered)
	}
	return out.String()
}

func TestFaultsAreReproducibleFromTheSeed(t *testing.T) {
	first := faultRun(t, 7)
	for run := 2; run <= 3; run++ {
		if again := faultRun(t, 7); again != first {
			t.Fatalf("run %d with seed 7 differs from run 1:\n%s\nvs\n%s", run, again, first)
		}
	}
	if other := faultRun(t, 8); other == first {
		t.Errorf("seed 8 gave the same faults as seed 7:\n%s", other)
	}
	for _, kind := range []string{"502 ", "403 ", "200 ", "dropped=true", "duplicate=true", "reordered=true"} {
		if !strings.Contains(first, kind) {
			t.Errorf("the run never shows %q, the probabilities do not work:\n%s", kind, first)
		}
	}
}

func TestWebhookFaults(t *testing.T) {
	tests := []struct {
		name     string
		faults   WebhookFaults
		comments int
		// received lists the comment bodies the receiver gets, in order.
		received string
		check    func(t *testing.T, f *fixture, got []received)
	}{
		{
			name: "duplicate delivers every event twice with the same delivery id", faults: WebhookFaults{Duplicate: 1}, comments: 2,
			received: "[c0 c0 c1 c1]",
			check: func(t *testing.T, f *fixture, got []received) {
				for i := 0; i+1 < len(got); i += 2 {
					if a, b := got[i].Header.Get("X-GitHub-Delivery"), got[i+1].Header.Get("X-GitHub-Delivery"); a != b || a == "" {
						t.Errorf("deliveries %d and %d have ids %q and %q, want the same", i, i+1, a, b)
					}
				}
			},
		},
		{
			name: "drop delivers nothing but lists the dropped deliveries", faults: WebhookFaults{Drop: 1}, comments: 2,
			received: "[]",
			check: func(t *testing.T, f *fixture, _ []received) {
				ds := f.sim.Deliveries()
				for _, d := range ds[len(ds)-2:] {
					if !d.Dropped || d.StatusCode != 0 {
						t.Errorf("delivery %s: Dropped %v status %d, want dropped without a status", d.ID, d.Dropped, d.StatusCode)
					}
				}
			},
		},
		{
			name: "reorder swaps each event with the one queued after it", faults: WebhookFaults{Reorder: 1}, comments: 4,
			received: "[c1 c0 c3 c2]",
		},
		{
			name: "reorder releases an event still held back when deliveries are awaited", faults: WebhookFaults{Reorder: 1}, comments: 3,
			received: "[c1 c0 c2]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
			alice := f.sim.Actor("alice")
			_, err := alice.OpenIssue(testRepo, "One", "")
			must(t, err)
			f.waitHooks(t)
			before := len(f.recv.all())
			f.sim.SetWebhookFaults(tt.faults)
			for i := 0; i < tt.comments; i++ {
				_, err := alice.Comment(testRepo, 1, fmt.Sprintf("c%d", i))
				must(t, err)
			}
			f.waitHooks(t)
			recv := f.recv.all()[before:]
			got := []string{}
			for _, r := range recv {
				got = append(got, commentBodyOf(r.Body))
			}
			if fmt.Sprint(got) != tt.received {
				t.Errorf("received %v, want %s", got, tt.received)
			}
			if tt.check != nil {
				tt.check(t, f, recv)
			}
		})
	}
}
