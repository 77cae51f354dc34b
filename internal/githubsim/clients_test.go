package githubsim

import (
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
	"github.com/gregjones/httpcache"
	"github.com/palantir/go-githubapp/githubapp"
)

// newClientCreator builds go-githubapp's client creator as a bot would,
// with only the API URL pointing at the simulator.
func newClientCreator(t testing.TB, f *fixture, opts ...githubapp.ClientOption) githubapp.ClientCreator {
	t.Helper()
	var cfg githubapp.Config
	cfg.V3APIURL = f.sim.URL() + "/"
	cfg.App.IntegrationID = testAppID
	cfg.App.PrivateKey = string(pemOf(f.key))
	cfg.App.WebhookSecret = testSecret
	cc, err := githubapp.NewDefaultCachingClientCreator(cfg, opts...)
	if err != nil {
		t.Fatalf("NewDefaultCachingClientCreator: %v", err)
	}
	return cc
}

func TestGoGitHubAppClientCreatorGetsWorkingClients(t *testing.T) {
	f := newFixture(t, Options{})
	cc := newClientCreator(t, f)
	ctx := ctxT(t)

	app, err := cc.NewAppClient()
	must(t, err)
	list, resp, err := app.Apps.ListInstallations(ctx, nil)
	wantStatus(t, "app client: ListInstallations", resp, err, http.StatusOK)
	if len(list) != 1 || list[0].GetID() != testInstallationID {
		t.Fatalf("ListInstallations = %v, want installation %d", list, testInstallationID)
	}

	client, err := cc.NewInstallationClient(testInstallationID)
	must(t, err)
	again, err := cc.NewInstallationClient(testInstallationID)
	must(t, err)
	if again != client {
		t.Errorf("NewInstallationClient(%d) twice gave two clients, want the cached one", testInstallationID)
	}
	repo, resp, err := client.Repositories.Get(ctx, "acme", "newsletter")
	wantStatus(t, "installation client: Repositories.Get", resp, err, http.StatusOK)
	if repo.GetDefaultBranch() != "main" {
		t.Errorf("DefaultBranch = %q, want main", repo.GetDefaultBranch())
	}
	issue, resp, err := client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("From go-githubapp")})
	wantStatus(t, "installation client: Issues.Create", resp, err, http.StatusCreated)
	if got, want := issue.GetUser().GetLogin(), "newsletter-bot[bot]"; got != want {
		t.Errorf("issue author = %q, want %q", got, want)
	}
	if got := f.sim.Stats().ByInstallation[testInstallationID].Writes; got != 1 {
		t.Errorf("writes of installation %d = %d, want 1", testInstallationID, got)
	}
}

// TestGoGitHubAppConditionalRequests checks that go-githubapp's HTTP cache
// gets 304s from the simulator and that they are free.
func TestGoGitHubAppConditionalRequests(t *testing.T) {
	const issueRoute = "GET /repos/{owner}/{repo}/issues/{issue_number}"
	tests := []struct {
		name           string
		alwaysValidate bool
		// after two reads of an unchanged issue:
		requests, notModified int
	}{
		{name: "when every read is validated the second read is a free 304", alwaysValidate: true, requests: 2, notModified: 1},
		{name: "when max-age is honoured the second read is served from the cache", alwaysValidate: false, requests: 1, notModified: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			must(t, f.sim.SetPermission(testRepo, "carol", PermRead))
			_, err := f.sim.Actor("carol").OpenIssue(testRepo, "Cached", "body")
			must(t, err)
			cc := newClientCreator(t, f, githubapp.WithClientCaching(tt.alwaysValidate, func() httpcache.Cache { return httpcache.NewMemoryCache() }))
			client, err := cc.NewInstallationClient(testInstallationID)
			must(t, err)
			ctx := ctxT(t)

			// Warm up: fetch the token and spend one request.
			_, resp, err := client.Repositories.Get(ctx, "acme", "newsletter")
			wantStatus(t, "Repositories.Get", resp, err, http.StatusOK)
			f.sim.ResetStats()
			usedBefore := f.sim.RateLimit(testInstallationID).Used

			first, resp, err := client.Issues.Get(ctx, "acme", "newsletter", 1)
			wantStatus(t, "first Issues.Get", resp, err, http.StatusOK)
			second, resp, err := client.Issues.Get(ctx, "acme", "newsletter", 1)
			wantStatus(t, "second Issues.Get", resp, err, http.StatusOK)
			if first.GetTitle() != "Cached" || second.GetTitle() != "Cached" {
				t.Errorf("titles = %q, %q, want Cached twice", first.GetTitle(), second.GetTitle())
			}
			if resp.Header.Get("X-From-Cache") != "1" {
				t.Errorf("second read X-From-Cache = %q, want 1 (httpcache served it)", resp.Header.Get("X-From-Cache"))
			}
			st := f.sim.Stats()
			if st.ByRoute[issueRoute] != tt.requests || st.NotModified != tt.notModified {
				t.Errorf("simulator saw %d requests, %d not modified; want %d and %d", st.ByRoute[issueRoute], st.NotModified, tt.requests, tt.notModified)
			}
			if got := f.sim.RateLimit(testInstallationID).Used - usedBefore; got != 1 {
				t.Errorf("rate limit spent on two reads = %d, want 1 (a 304 is free)", got)
			}
			if tt.alwaysValidate {
				if got, want := resp.Rate.Remaining, f.sim.RateLimit(testInstallationID).Remaining; got != want {
					t.Errorf("x-ratelimit-remaining of the 304 = %d, want %d", got, want)
				}
				// A change gives a new ETag: the next validated read is a 200.
				title := "Changed"
				_, err = f.sim.Actor("carol").EditIssue(testRepo, 1, IssueEdit{Title: &title})
				must(t, err)
				third, resp, err := client.Issues.Get(ctx, "acme", "newsletter", 1)
				wantStatus(t, "third Issues.Get", resp, err, http.StatusOK)
				if third.GetTitle() != "Changed" {
					t.Errorf("after an edit Issues.Get title = %q, want Changed", third.GetTitle())
				}
				if got := f.sim.Stats().NotModified; got != 1 {
					t.Errorf("NotModified after the edit = %d, want still 1", got)
				}
			}
		})
	}
}
