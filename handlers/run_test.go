package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

type fixture struct {
	sim *githubsim.Sim
	svc *reconcile.Service
	m   *Maintainers
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim := githubsim.New(githubsim.Options{Seed: 1})
	t.Cleanup(sim.Close)
	must(t, simtest.Setup(sim, ""))
	client, err := simtest.InstallationClient(sim)
	must(t, err)
	gh := reconcile.NewGitHub(client)
	repo, err := gh.Repository(context.Background(), simtest.Owner, simtest.Name)
	must(t, err)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	return &fixture{sim: sim, m: &Maintainers{},
		svc: &reconcile.Service{GH: gh, Repo: repo, Config: drafts.DefaultConfig(), Forms: drafts.DefaultForms(),
			BotLogin: simtest.BotLogin, Now: func() time.Time { return now }}}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var aJob = map[string]string{"organization": "Comcast", "title": "Engineer, Open Source",
	"link": "https://example.com/jobs/1", "location": "United States"}

// command posts a comment as login and runs its commands as the webhook would.
func (f *fixture) command(t *testing.T, login string, issue int, body string) (CommandOutcome, githubsim.Comment) {
	t.Helper()
	c, err := f.sim.Actor(login).Comment(simtest.Repo, issue, body)
	must(t, err)
	is, err := f.svc.GH.Issue(context.Background(), f.svc.Repo, issue)
	must(t, err)
	f.sim.ResetStats() // count what the command costs, as a webhook carries the issue
	out, err := RunCommands(context.Background(), f.svc, f.m, CommentEvent{
		Comment: reconcile.Comment{ID: c.ID, IssueNumber: issue, User: login, UserType: "User", Body: body}, Issue: is})
	must(t, err)
	return out, c
}

func (f *fixture) reactions(t *testing.T, commentID int64) []string {
	t.Helper()
	rs, err := f.sim.CommentReactions(simtest.Repo, commentID)
	must(t, err)
	var out []string
	for _, r := range rs {
		out = append(out, r.Content)
	}
	return out
}

func TestAcceptByAMaintainer(t *testing.T) {
	f := newFixture(t)
	is, err := simtest.OpenSubmission(f.sim, simtest.Member, drafts.KindJob, aJob)
	must(t, err)
	out, c := f.command(t, simtest.Maintainer, is.Number, "/newsletter accept")
	if len(out.Ran) != 1 || len(out.Refused) != 0 {
		t.Fatalf("outcome %+v, want accept run", out)
	}
	st := f.sim.Stats()
	t.Logf("one accept: %d requests: %v", st.Total, st.ByRoute)
	if st.Total > 5 {
		t.Errorf("one command took %d requests (%v), want at most 5", st.Total, st.ByRoute)
	}
	got, err := f.sim.Issue(simtest.Repo, is.Number)
	must(t, err)
	if !strings.Contains(strings.Join(got.Labels, ","), f.svc.Config.Labels.Accepted) {
		t.Errorf("labels %v, want accepted", got.Labels)
	}
	if r := f.reactions(t, c.ID); !strings.Contains(strings.Join(r, ","), "+1") {
		t.Errorf("reactions %v, want 👍", r)
	}
	// The same comment seen again (a duplicate delivery, or the resync) runs nothing.
	again, err := RunCommands(context.Background(), f.svc, f.m, CommentEvent{
		Comment: reconcile.Comment{ID: c.ID, IssueNumber: is.Number, User: simtest.Maintainer, Body: "/newsletter accept"},
		Issue:   drafts.Issue{Number: is.Number}})
	must(t, err)
	if again.Skipped != "already handled" {
		t.Errorf("second run %+v, want it skipped as already handled", again)
	}
}

func TestAcceptByAMemberIsRefused(t *testing.T) {
	f := newFixture(t)
	is, err := simtest.OpenSubmission(f.sim, simtest.Member, drafts.KindJob, aJob)
	must(t, err)
	out, c := f.command(t, simtest.Member2, is.Number, "/newsletter accept")
	if len(out.Ran) != 0 || len(out.Refused) != 1 {
		t.Fatalf("outcome %+v, want accept refused", out)
	}
	if r := f.reactions(t, c.ID); !strings.Contains(strings.Join(r, ","), "confused") {
		t.Errorf("reactions %v, want 😕", r)
	}
	comments, err := f.sim.Comments(simtest.Repo, is.Number)
	must(t, err)
	last := comments[len(comments)-1].Body
	for _, want := range []string{"@" + simtest.Member2 + ":", "`/newsletter accept`", "only maintainers", "/newsletter help"} {
		if !strings.Contains(last, want) {
			t.Errorf("reply %q lacks %q", last, want)
		}
	}
	got, err := f.sim.Issue(simtest.Repo, is.Number)
	must(t, err)
	if strings.Contains(strings.Join(got.Labels, ","), f.svc.Config.Labels.Accepted) {
		t.Errorf("labels %v: a refused accept must not label", got.Labels)
	}
}

func TestCommandsFromBotsAreIgnored(t *testing.T) {
	f := newFixture(t)
	f.sim.ResetStats()
	out, err := RunCommands(context.Background(), f.svc, f.m, CommentEvent{
		Comment: reconcile.Comment{ID: 1, User: simtest.BotLogin, UserType: "Bot", Body: "/newsletter help"}})
	must(t, err)
	if out.Skipped != "from a bot" || f.sim.Stats().Total != 0 {
		t.Errorf("outcome %+v with %d requests, want it skipped without a call", out, f.sim.Stats().Total)
	}
}

func TestAuthorMayWithdrawAndDeclineNeedsAReason(t *testing.T) {
	f := newFixture(t)
	is, err := simtest.OpenSubmission(f.sim, simtest.Member, drafts.KindJob, aJob)
	must(t, err)
	out, _ := f.command(t, simtest.Maintainer, is.Number, "/newsletter decline")
	if len(out.Refused) != 1 || !strings.Contains(out.Refused[0], "say why") {
		t.Errorf("decline without a reason: %+v, want it refused asking why", out)
	}
	out, _ = f.command(t, simtest.Member, is.Number, "/newsletter withdraw")
	if len(out.Ran) != 1 {
		t.Fatalf("withdraw by the author: %+v, want it run", out)
	}
	got, err := f.sim.Issue(simtest.Repo, is.Number)
	must(t, err)
	if got.State != "closed" {
		t.Errorf("state %s after withdraw, want closed", got.State)
	}
}
