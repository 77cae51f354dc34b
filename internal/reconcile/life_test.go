package reconcile

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// issueWrites counts the writes made to issues, their comments, labels and
// reactions between two snapshots of the simulator's counters: what one
// submission costs, the draft's own commits and pull request apart.
func issueWrites(before, after githubsim.Stats) (int, []string) {
	n := 0
	var routes []string
	for route, count := range after.ByRoute {
		method, path, _ := strings.Cut(route, " ")
		if method == "GET" || method == "HEAD" || !strings.HasPrefix(path, "/repos/{owner}/{repo}/issues") {
			continue
		}
		if d := count - before.ByRoute[route]; d > 0 {
			n += d
			routes = append(routes, route)
		}
	}
	sort.Strings(routes)
	return n, routes
}

// TestWritesOverASubmissionsLife follows one job from filing to publication
// (filed with a mistake, fixed, accepted by command, taken into the draft,
// published) and counts the bot's writes to its issue at each step. The
// README states the total.
func TestWritesOverASubmissionsLife(t *testing.T) {
	w := newWorld(t, "2026-11-25")
	ctx := context.Background()
	snap := w.sim.Stats()
	total := 0
	step := func(what string, max int) {
		t.Helper()
		now := w.sim.Stats()
		n, routes := issueWrites(snap, now)
		snap = now
		total += n
		t.Logf("%-40s %d writes %v", what, n, routes)
		if n > max {
			t.Errorf("%s: %d writes, want at most %d", what, n, max)
		}
	}

	is := w.open(t, simtest.Member, drafts.KindJob, job("Comcast", "example.com/jobs/1"))
	check(t, w.svc.ReconcileIssue(ctx, is.Number))
	step("filed with a mistake: status, needs-info", 2)

	body := w.svc.Forms[drafts.KindJob].RenderBody(job("Comcast", "https://example.com/jobs/1"))
	_, err := w.sim.Actor(simtest.Member).EditIssue(repoFN, is.Number, githubsim.IssueEdit{Body: &body})
	check(t, err)
	check(t, w.svc.ReconcileIssue(ctx, is.Number))
	step("fixed: status, needs-info off", 2)

	w.say(t, simtest.Maintainer, is.Number, "/newsletter accept")
	check(t, w.svc.ReconcileIssue(ctx, is.Number)) // the labeled webhook
	step("accepted by command: claim, label, answer, status", 4)

	w.svc.Now = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	check(t, w.svc.PullChanged(ctx, out.Draft.Pull.Number, true, false, false)) // the opened webhook
	step("the draft opens: status", 1)

	pull := w.mergeDraft(t)
	check(t, w.svc.PullChanged(ctx, pull.Number, false, false, true)) // the closed webhook
	check(t, w.svc.ReconcileIssue(ctx, is.Number))                    // the issue's closed webhook
	// Four: the notice, the label and the close in one PATCH, the status;
	// and the merged pull request's own published label, the edition's.
	step("published: notice, label and close, status (+ the pull request's label)", 4)

	total-- // the pull request's label is the edition's, not this submission's
	t.Logf("one submission from filing to publication: %d writes (9 without the mistake and its fix)", total)
	if total > 12 {
		t.Errorf("%d writes over the submission's life, want at most 12", total)
	}
}
