package githubsim

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestStatsCountRequests(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	client := f.installationClient(t)
	alice := f.userClient(t, "alice")
	ctx := ctxT(t)
	f.sim.ResetStats()

	for i := 0; i < 2; i++ {
		_, _, err := client.Repositories.Get(ctx, "acme", "newsletter")
		must(t, err)
	}
	_, _, err := client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("One")})
	must(t, err)
	_, _, err = client.Issues.ListByRepo(ctx, "acme", "newsletter", nil)
	must(t, err)
	_, _, err = alice.Issues.Get(ctx, "acme", "newsletter", 1)
	must(t, err)
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	doJSON(t, http.MethodGet, f.sim.URL()+"/nope", tok, "")

	want := Stats{
		Total: 7, Reads: 5, Writes: 2,
		ByRoute: map[string]int{
			"POST /app/installations/{installation_id}/access_tokens": 1,
			"GET /repos/{owner}/{repo}":                               2,
			"POST /repos/{owner}/{repo}/issues":                       1,
			"GET /repos/{owner}/{repo}/issues":                        1,
			"GET /repos/{owner}/{repo}/issues/{issue_number}":         1,
			"GET (unmatched)":                                         1,
		},
		ByInstallation: map[int64]InstallationStats{
			testInstallationID: {Total: 4, Reads: 3, Writes: 1, ByRoute: map[string]int{
				"GET /repos/{owner}/{repo}":         2,
				"POST /repos/{owner}/{repo}/issues": 1,
				"GET /repos/{owner}/{repo}/issues":  1,
			}},
		},
		// One write (the app's token request is not content), one request
		// at a time.
		PeakWritesPerMinute: 1,
		PeakConcurrent:      1,
	}
	if diff := cmp.Diff(want, f.sim.Stats()); diff != "" {
		t.Errorf("Stats() mismatch (-want +got):\n%s", diff)
	}
	if got := f.sim.RateLimit(testInstallationID); got.Used != 4 || got.Remaining != 4996 || got.Limit != 5000 {
		t.Errorf("RateLimit(%d) = %+v, want 4 used of 5000", testInstallationID, got)
	}
	f.sim.ResetStats()
	if diff := cmp.Diff(Stats{ByRoute: map[string]int{}, ByInstallation: map[int64]InstallationStats{}}, f.sim.Stats()); diff != "" {
		t.Errorf("Stats() after ResetStats mismatch (-want +got):\n%s", diff)
	}
}

func TestRateLimitHeadersAndEndpoint(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.tokenClient(t)
	ctx := ctxT(t)
	for want := 1; want <= 3; want++ {
		_, resp, err := client.Repositories.Get(ctx, "acme", "newsletter")
		must(t, err)
		if resp.Rate.Limit != 5000 || resp.Rate.Remaining != 5000-want || resp.Header.Get("X-RateLimit-Used") != strconv.Itoa(want) || resp.Header.Get("X-RateLimit-Resource") != "core" {
			t.Errorf("request %d: rate %+v used %q, want %d used", want, resp.Rate, resp.Header.Get("X-RateLimit-Used"), want)
		}
	}
	limits, _, err := client.RateLimit.Get(ctx)
	must(t, err)
	if core := limits.GetCore(); core.Limit != 5000 || core.Remaining != 4997 {
		t.Errorf("GET /rate_limit core = %+v, want 4997 of 5000 remaining", core)
	}
	_, resp, err := client.Repositories.Get(ctx, "acme", "newsletter")
	must(t, err)
	if resp.Rate.Remaining != 4996 {
		t.Errorf("after GET /rate_limit remaining = %d, want 4996: GitHub does not count reading the rate limit", resp.Rate.Remaining)
	}
}

func TestConditionalRequests(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	_, err := f.sim.Actor("alice").OpenIssue(testRepo, "One", "")
	must(t, err)
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	get := func(path, etag string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, f.sim.URL()+path, nil)
		must(t, err)
		req.Header.Set("Authorization", "token "+tok)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp
	}

	for _, path := range []string{"/repos/acme/newsletter/issues/1", "/repos/acme/newsletter/issues", "/repos/acme/newsletter/contents/README.md"} {
		t.Run("a conditional GET of "+path+" with the current ETag is a free 304", func(t *testing.T) {
			first := get(path, "")
			etag := first.Header.Get("ETag")
			if first.StatusCode != http.StatusOK || etag == "" {
				t.Fatalf("GET %s = %d with ETag %q, want 200 with an ETag", path, first.StatusCode, etag)
			}
			f.sim.ResetStats()
			used := f.sim.RateLimit(testInstallationID).Used
			second := get(path, etag)
			if second.StatusCode != http.StatusNotModified || second.ContentLength > 0 {
				t.Fatalf("conditional GET %s = %d (%d bytes), want an empty 304", path, second.StatusCode, second.ContentLength)
			}
			if second.Header.Get("ETag") != etag || second.Header.Get("X-RateLimit-Remaining") != first.Header.Get("X-RateLimit-Remaining") {
				t.Errorf("304 headers ETag %q remaining %q, want %q and %q", second.Header.Get("ETag"), second.Header.Get("X-RateLimit-Remaining"), etag, first.Header.Get("X-RateLimit-Remaining"))
			}
			if got := f.sim.RateLimit(testInstallationID).Used; got != used {
				t.Errorf("rate limit used %d after a 304, want %d", got, used)
			}
			if st := f.sim.Stats(); st.NotModified != 1 || st.Reads != 1 {
				t.Errorf("Stats NotModified %d Reads %d, want 1 and 1", st.NotModified, st.Reads)
			}
		})
	}
	t.Run("a changed issue answers 200 with a new ETag", func(t *testing.T) {
		old := get("/repos/acme/newsletter/issues/1", "").Header.Get("ETag")
		title := "Renamed"
		_, err := f.sim.Actor("alice").EditIssue(testRepo, 1, IssueEdit{Title: &title})
		must(t, err)
		resp := get("/repos/acme/newsletter/issues/1", old)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == old {
			t.Errorf("GET after an edit = %d with ETag %q, want 200 with an ETag other than %q", resp.StatusCode, resp.Header.Get("ETag"), old)
		}
	})
	t.Run("writes carry no ETag", func(t *testing.T) {
		resp, _ := doJSON(t, http.MethodPost, f.sim.URL()+"/repos/acme/newsletter/issues/1/comments", tok, `{"body":"x"}`)
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("ETag") != "" {
			t.Errorf("POST comment = %d with ETag %q, want 201 without one", resp.StatusCode, resp.Header.Get("ETag"))
		}
	})
}

// TestConcurrentClients runs the app and people side by side: every write
// must land once, be counted once and emit one webhook (and -race must
// stay quiet).
func TestConcurrentClients(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	must(t, f.sim.SetPermission(testRepo, "bob", PermRead))
	client := f.installationClient(t)
	ctx := ctxT(t)
	_, _, err := client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("Busy")})
	must(t, err)
	f.waitHooks(t)
	f.sim.ResetStats()
	before := len(f.recv.all())

	const workers, each = 4, 10
	errs := make(chan error, 2*workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(2)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				_, _, err := client.Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String(fmt.Sprintf("app %d.%d", w, i))})
				errs <- err
			}
		}(w)
		go func(w int) {
			defer wg.Done()
			person := f.sim.Actor([]string{"alice", "bob"}[w%2])
			for i := 0; i < each; i++ {
				_, err := person.Comment(testRepo, 1, fmt.Sprintf("%s %d.%d", person.Login(), w, i))
				errs <- err
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	f.waitHooks(t)

	comments, err := f.sim.Comments(testRepo, 1)
	must(t, err)
	ids := map[int64]bool{}
	for _, c := range comments {
		ids[c.ID] = true
	}
	hooks := f.recv.all()[before:]
	deliveries := map[string]bool{}
	for _, r := range hooks {
		deliveries[r.Header.Get("X-GitHub-Delivery")] = true
	}
	const total = 2 * workers * each
	if len(comments) != total || len(ids) != total {
		t.Errorf("%d comments with %d distinct ids, want %d", len(comments), len(ids), total)
	}
	if len(hooks) != total || len(deliveries) != total {
		t.Errorf("%d webhooks with %d distinct delivery ids, want %d", len(hooks), len(deliveries), total)
	}
	if got := f.sim.Stats().ByInstallation[testInstallationID].ByRoute["POST /repos/{owner}/{repo}/issues/{issue_number}/comments"]; got != workers*each {
		t.Errorf("counted %d comment writes by the installation, want %d", got, workers*each)
	}
}
