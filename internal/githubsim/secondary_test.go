package githubsim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// secondaryFixture is a fixture enforcing the secondary limits on a clock
// the test moves, with an installation token and alice, a writer, with a
// personal token.
type secondaryFixture struct {
	*fixture
	clock *testClock
	tok   string // installation 7
	alice string // alice's personal token
}

func newSecondaryFixture(t *testing.T, limits SecondaryLimits) *secondaryFixture {
	t.Helper()
	clock := newTestClock()
	limits.Now = clock.Now
	f := newFixture(t, Options{SecondaryLimits: limits})
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	alice, err := f.sim.UserToken("alice")
	must(t, err)
	return &secondaryFixture{fixture: f, clock: clock, tok: tok, alice: alice}
}

// write creates a blob, a content-generating request that emits no
// webhook, and returns the status and Retry-After of the answer.
func (f *secondaryFixture) write(t *testing.T, token string) (int, string) {
	t.Helper()
	resp, body := doJSON(t, http.MethodPost, f.sim.URL()+"/repos/acme/newsletter/git/blobs", token, `{"content": "x"}`)
	if resp.StatusCode == http.StatusForbidden {
		msg, _ := lookup(body, "message").(string)
		if !strings.HasPrefix(msg, "You have exceeded a secondary rate limit.") || lookup(body, "documentation_url") != docsSecondaryLimit {
			t.Fatalf("403 body = %v, want GitHub's secondary rate limit message", body)
		}
	}
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// writes makes n writes and fails unless every one is created.
func (f *secondaryFixture) writes(t *testing.T, token string, n int) {
	t.Helper()
	for k := 0; k < n; k++ {
		if status, _ := f.write(t, token); status != http.StatusCreated {
			t.Fatalf("write %d of %d: status %d, want 201", k+1, n, status)
		}
	}
}

// wantRefused fails unless the next write is refused with this Retry-After.
func (f *secondaryFixture) wantRefused(t *testing.T, token, retryAfter string) {
	t.Helper()
	if status, got := f.write(t, token); status != http.StatusForbidden || got != retryAfter {
		t.Fatalf("write: status %d, Retry-After %q, want 403 and %q", status, got, retryAfter)
	}
}

func TestSecondaryLimitPerMinute(t *testing.T) {
	f := newSecondaryFixture(t, SecondaryLimits{Enforce: true})
	f.writes(t, f.tok, 80)

	t.Run("the 81st write within a minute is refused until the first leaves the window", func(t *testing.T) {
		client := clientWithToken(t, f.sim, f.tok)
		_, resp, err := client.Git.CreateBlob(ctxT(t), "acme", "newsletter", &github.Blob{Content: github.String("x")})
		var abuse *github.AbuseRateLimitError
		if !errors.As(err, &abuse) || statusOf(resp) != http.StatusForbidden {
			t.Fatalf("CreateBlob = %d %T %v, want 403 *github.AbuseRateLimitError", statusOf(resp), err, err)
		}
		if abuse.RetryAfter == nil || *abuse.RetryAfter != time.Minute || resp.Header.Get("Retry-After") != "60" {
			t.Errorf("RetryAfter = %v (header %q), want 60s", abuse.RetryAfter, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("reads are not refused by the write limits", func(t *testing.T) {
		for k := 0; k < 100; k++ {
			resp, _ := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter", f.tok, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("read %d: status %d, want 200", k+1, resp.StatusCode)
			}
		}
	})
	t.Run("another credential has its own window", func(t *testing.T) {
		f.writes(t, f.alice, 80)
		f.wantRefused(t, f.alice, "60")
	})
	t.Run("Retry-After counts down, rounded up to whole seconds", func(t *testing.T) {
		f.clock.Advance(30 * time.Second)
		f.wantRefused(t, f.tok, "30")
		f.clock.Advance(29*time.Second + 500*time.Millisecond)
		f.wantRefused(t, f.tok, "1")
	})
	t.Run("once the window passes, writes go through again", func(t *testing.T) {
		f.clock.Advance(500 * time.Millisecond)
		f.writes(t, f.tok, 80) // the refused ones did not count
		f.wantRefused(t, f.tok, "60")
	})
	t.Run("the window slides: writes leave it one by one", func(t *testing.T) {
		f.clock.Advance(30 * time.Second)
		f.wantRefused(t, f.tok, "30")
		f.clock.Advance(30 * time.Second)
		f.writes(t, f.tok, 40)
		f.clock.Advance(30 * time.Second)
		f.writes(t, f.tok, 40)
		f.wantRefused(t, f.tok, "30") // when the 40 of 30 seconds ago leave
	})
	t.Run("Stats count the refusals and the peak", func(t *testing.T) {
		st := f.sim.Stats()
		if st.SecondaryLimited != 7 || st.PeakWritesPerMinute != 80 {
			t.Errorf("Stats: SecondaryLimited %d, PeakWritesPerMinute %d, want 7 and 80", st.SecondaryLimited, st.PeakWritesPerMinute)
		}
		f.sim.ResetStats()
		if st := f.sim.Stats(); st.SecondaryLimited != 0 || st.PeakWritesPerMinute != 0 || st.PeakConcurrent != 0 {
			t.Errorf("Stats after ResetStats: %+v, want the secondary counts zeroed", st)
		}
	})
}

func TestSecondaryLimitPerHour(t *testing.T) {
	f := newSecondaryFixture(t, SecondaryLimits{Enforce: true})
	for minute := 0; minute < 6; minute++ {
		f.writes(t, f.tok, 80)
		f.clock.Advance(time.Minute)
	}
	f.writes(t, f.tok, 20) // 500 within six minutes
	f.clock.Advance(time.Minute)
	// The 501st waits for the first minute's writes to leave the hour.
	f.wantRefused(t, f.tok, fmt.Sprint(int((53 * time.Minute).Seconds())))
	f.clock.Advance(53 * time.Minute)
	f.writes(t, f.tok, 80)
	f.wantRefused(t, f.tok, "60")
	if got := f.sim.Stats().SecondaryLimited; got != 2 {
		t.Errorf("SecondaryLimited = %d, want 2", got)
	}
}

func TestSecondaryLimitConcurrency(t *testing.T) {
	f := newSecondaryFixture(t, SecondaryLimits{Enforce: true})
	hold := make(chan struct{})
	var held sync.WaitGroup
	held.Add(100)
	f.sim.AddFault(Fault{Route: routeGetRepo, Kind: FaultLatency, Times: 100, Hold: hold, Held: held.Done})
	statuses := make(chan int, 100)
	for k := 0; k < 100; k++ {
		go func() {
			resp, err := http.DefaultClient.Do(authorized(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter", f.tok))
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	held.Wait()

	resp, _ := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter/issues", f.tok, "")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("the 101st request in flight: status %d, Retry-After %q, want 403 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter/issues", f.alice, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("another credential's request: status %d, want 200", resp.StatusCode)
	}
	close(hold)
	for k := 0; k < 100; k++ {
		if status := <-statuses; status != http.StatusOK {
			t.Errorf("a held request: status %d, want 200", status)
		}
	}
	if resp, _ := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter/issues", f.tok, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("once the others finished: status %d, want 200", resp.StatusCode)
	}
	if st := f.sim.Stats(); st.SecondaryLimited != 1 || st.PeakConcurrent != 100 {
		t.Errorf("Stats: SecondaryLimited %d, PeakConcurrent %d, want 1 and 100", st.SecondaryLimited, st.PeakConcurrent)
	}
}

// authorized is a request with a token.
func authorized(t *testing.T, method, url, token string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+token)
	return req
}

func TestSecondaryLimitsOff(t *testing.T) {
	t.Run("by default nothing is refused, and Stats still show the peak", func(t *testing.T) {
		f := newSecondaryFixture(t, SecondaryLimits{})
		f.writes(t, f.tok, 120)
		if st := f.sim.Stats(); st.SecondaryLimited != 0 || st.PeakWritesPerMinute != 120 {
			t.Errorf("Stats: SecondaryLimited %d, PeakWritesPerMinute %d, want 0 and 120", st.SecondaryLimited, st.PeakWritesPerMinute)
		}
	})
	t.Run("a negative limit lifts that limit alone", func(t *testing.T) {
		f := newSecondaryFixture(t, SecondaryLimits{Enforce: true, PerMinute: -1, PerHour: 100})
		f.writes(t, f.tok, 100)
		f.wantRefused(t, f.tok, "3600")
	})
	t.Run("configured limits replace GitHub's", func(t *testing.T) {
		f := newSecondaryFixture(t, SecondaryLimits{Enforce: true, PerMinute: 3})
		f.writes(t, f.tok, 3)
		f.wantRefused(t, f.tok, "60")
	})
}

func TestSecondaryLimitsCountContentOnly(t *testing.T) {
	f := newSecondaryFixture(t, SecondaryLimits{Enforce: true, PerMinute: 1})
	f.writes(t, f.tok, 1)
	// The app's token requests create no content.
	client := f.installationClient(t)
	if _, resp, err := client.Repositories.Get(ctxT(t), "acme", "newsletter"); err != nil {
		t.Fatalf("Get with a token created after the write limit was reached: %d %v", statusOf(resp), err)
	}
	f.wantRefused(t, f.tok, "60")
}
