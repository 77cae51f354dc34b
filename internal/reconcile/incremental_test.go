package reconcile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// incrementalBudget is what one submission event may cost while a draft is
// open, whatever the number of submissions: its issue (read twice: before
// and after the branch), the draft, the branch, its commit and file, the
// issues opened since that commit, a commit of three writes, the
// description, and the submission's status comment.
const incrementalBudget = 15

// draftFile reads the draft's edition file as it is on the branch.
func (w *world) draftFile(t testing.TB, d Draft) string {
	t.Helper()
	text, err := w.sim.File(repoFN, BranchFor(d.Number), d.Path)
	check(t, err)
	return text
}

// fullRebuildChangesNothing runs the full refresh, which lists every
// submission and renders the edition from scratch, and fails the test if
// it writes anything: the incremental updates left the draft (file, items,
// render and description) exactly as the full rebuild makes it.
func (w *world) fullRebuildChangesNothing(t testing.TB, after string) {
	t.Helper()
	before := w.sim.Stats().Writes
	out, err := w.svc.ReconcileDraft(context.Background(), false)
	check(t, err)
	if wrote := w.sim.Stats().Writes - before; out.Committed || wrote != 0 {
		t.Errorf("after %s, the full rebuild committed %v with %d writes; want the incremental update to have left nothing to do",
			after, out.Committed, wrote)
	}
}

// TestOneSubmissionCostsTheSameWhateverN: with a draft open over N
// accepted submissions, a new submission, an edit and a withdrawal each
// cost at most incrementalBudget requests, their change is in the draft,
// and the full rebuild right after finds nothing to change. It measures
// the sizes TestBudgetsAtScale does (10,000 without -race), without -short
// (NEWSLETTER_SCALE_N sets them: "100,1000").
func TestOneSubmissionCostsTheSameWhateverN(t *testing.T) {
	sizes := scaleSizes
	if testing.Short() {
		sizes = []int{100, 1000}
	}
	if env := os.Getenv("NEWSLETTER_SCALE_N"); env != "" {
		sizes = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			check(t, err)
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint("N=", n), func(t *testing.T) {
			w := newWorld(t, "2026-12-01")
			ctx := context.Background()
			w.fill(t, n)
			opened, err := w.svc.ReconcileDraft(ctx, true)
			check(t, err)
			d := opened.Draft
			cost := func(what string, number int) githubsim.Stats {
				t.Helper()
				w.sim.ResetStats()
				start := time.Now()
				check(t, w.svc.ReconcileIssue(ctx, number))
				st := w.sim.Stats()
				t.Logf("N=%-6d %-22s %3d requests (%d writes) in %v: %v", n, what, st.Total, st.Writes, time.Since(start).Round(time.Millisecond), st.ByRoute)
				if st.Total > incrementalBudget {
					t.Errorf("%s: %d requests, want at most %d", what, st.Total, incrementalBudget)
				}
				return st
			}

			// A new submission, accepted as it is filed.
			a := job("Newcomer", fmt.Sprintf("https://example.com/%d", n))
			a["title"] = "Maintainer, Open Source Program Office"
			is, err := w.sim.Actor("ben").OpenIssueFromForm(repoFN, "suggestion", w.svc.Forms[drafts.KindJob].RenderBody(a),
				w.svc.Config.Labels.Job, w.svc.Config.Labels.Accepted)
			check(t, err)
			cost("a new submission", is.Number)
			if text := w.draftFile(t, d); !strings.Contains(text, "Newcomer | Maintainer, Open Source Program Office](https://example.com/"+fmt.Sprint(n)+")") {
				t.Errorf("the new submission's line is not in the draft")
			}
			w.fullRebuildChangesNothing(t, "a new submission")

			// Its author edits an existing one.
			k, a := simtest.Sample(0)
			a["title"] = "Principal Engineer"
			body := w.svc.Forms[k].RenderBody(a)
			_, err = w.sim.Actor("ana").EditIssue(repoFN, 1, githubsim.IssueEdit{Body: &body})
			check(t, err)
			cost("an edit", 1)
			if text := w.draftFile(t, d); !strings.Contains(text, "Org 0 | Principal Engineer]") || strings.Contains(text, "Org 0 | Engineer, Open Source]") {
				t.Errorf("the edited line is not in the draft as edited")
			}
			w.fullRebuildChangesNothing(t, "an edit")

			// Another one is withdrawn.
			_, err = w.sim.Actor("ana").CloseIssue(repoFN, 2)
			check(t, err)
			cost("a withdrawal", 2)
			if text := w.draftFile(t, d); strings.Contains(text, "(https://example.com/1)") {
				t.Errorf("the withdrawn submission's line is still in the draft")
			}
			w.fullRebuildChangesNothing(t, "a withdrawal")
			tip, err := w.sim.BranchSHA(repoFN, BranchFor(d.Number))
			check(t, err)
			msg, err := w.sim.CommitMessage(repoFN, tip)
			check(t, err)
			t.Logf("N=%-6d the bot's commit message (render and items) takes %d KB", n, len(msg)>>10)

			// A maintainer pushes to the draft: it is merged again from the
			// items, without listing the submissions.
			text := w.draftFile(t, d)
			_, err = w.sim.Actor("maya").EditFile(repoFN, BranchFor(44), d.Path, strings.Replace(text, "# OSPO Newsletter 44\n", "# OSPO Newsletter 44\n\nBy hand.\n", 1))
			check(t, err)
			w.sim.ResetStats()
			check(t, w.svc.PullChanged(ctx, d.Pull.Number, false, true, false))
			st := w.sim.Stats()
			t.Logf("N=%-6d %-22s %3d requests (%d writes): %v", n, "a push by people", st.Total, st.Writes, st.ByRoute)
			if st.Total > 8 || st.Writes > 0 {
				t.Errorf("a push by people: %d requests, %d writes; want at most 8 and none", st.Total, st.Writes)
			}
			w.fullRebuildChangesNothing(t, "a push by people")

		})
	}
}

// TestIncrementalUpdatesKeepHandEdits: updates made from the stored items
// merge around people's edits just as the full rebuild does, and a
// conflict with a hand edit is reported, not committed; once people
// resolve it, the held-back line goes in.
func TestIncrementalUpdatesKeepHandEdits(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.fill(t, 6)
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	d := out.Draft
	text := w.draftFile(t, d)
	feature := "## Feature\n\nWritten by hand.\n"
	_, err = w.sim.Actor("maya").EditFile(repoFN, BranchFor(44), d.Path, strings.Replace(text, "# OSPO Newsletter 44\n", "# OSPO Newsletter 44\n\n"+feature, 1))
	check(t, err)

	for i := 6; i < 9; i++ {
		k, a := simtest.Sample(i)
		is, err := w.sim.Actor("ben").OpenIssueFromForm(repoFN, "suggestion", w.svc.Forms[k].RenderBody(a),
			w.svc.Config.Labels.ForKind(k), w.svc.Config.Labels.Accepted)
		check(t, err)
		check(t, w.svc.ReconcileIssue(ctx, is.Number))
		text := w.draftFile(t, d)
		if !strings.Contains(text, feature) || !strings.Contains(text, fmt.Sprintf("(https://example.com/%d)", i)) {
			t.Fatalf("after submission %d the draft lost the hand edit or misses the new line:\n%s", i, text)
		}
	}
	w.fullRebuildChangesNothing(t, "three new submissions around a hand edit")

	// A maintainer rewrites job 0's line; its submitter changes the same job.
	text = w.draftFile(t, d)
	line := "- [🇺🇸 Org 0 | Engineer, Open Source](https://example.com/0)"
	if !strings.Contains(text, line) {
		t.Fatalf("test setup: no %q in\n%s", line, text)
	}
	_, err = w.sim.Actor("maya").EditFile(repoFN, BranchFor(44), d.Path, strings.Replace(text, line, "- [🇺🇸 Org 0 | Senior Engineer](https://example.com/0)", 1))
	check(t, err)
	k, a := simtest.Sample(0)
	a["title"] = "Staff Engineer"
	body := w.svc.Forms[k].RenderBody(a)
	_, err = w.sim.Actor("ana").EditIssue(repoFN, 1, githubsim.IssueEdit{Body: &body})
	check(t, err)
	tip, err := w.sim.BranchSHA(repoFN, BranchFor(44))
	check(t, err)
	check(t, w.svc.ReconcileIssue(ctx, 1))
	if now, _ := w.sim.BranchSHA(repoFN, BranchFor(44)); now != tip {
		t.Errorf("a conflicting update moved the branch")
	}
	if pr := w.issue(t, d.Pull.Number); !pr.HasLabel(w.svc.Config.Labels.Conflict) {
		t.Errorf("draft labels %v, want the conflict label", pr.Labels)
	}
	// While the conflict holds, another submission's update does not
	// commit around it (that would drop the held-back line).
	k, a = simtest.Sample(9)
	is, err := w.sim.Actor("ben").OpenIssueFromForm(repoFN, "suggestion", w.svc.Forms[k].RenderBody(a),
		w.svc.Config.Labels.ForKind(k), w.svc.Config.Labels.Accepted)
	check(t, err)
	check(t, w.svc.ReconcileIssue(ctx, is.Number))
	if pr := w.issue(t, d.Pull.Number); !pr.HasLabel(w.svc.Config.Labels.Conflict) {
		t.Errorf("draft labels %v after another submission, want the conflict label kept", pr.Labels)
	}
	// The maintainer takes the submitter's line: the push clears the conflict.
	text = w.draftFile(t, d)
	_, err = w.sim.Actor("maya").EditFile(repoFN, BranchFor(44), d.Path,
		strings.Replace(text, "- [🇺🇸 Org 0 | Senior Engineer](https://example.com/0)", "- [🇺🇸 Org 0 | Staff Engineer](https://example.com/0)", 1))
	check(t, err)
	pulls, err := w.svc.GH.OpenPulls(ctx, w.svc.Repo)
	check(t, err)
	check(t, w.svc.PullEvent(ctx, "synchronize", pulls[0]))
	text = w.draftFile(t, d)
	if !strings.Contains(text, "Org 0 | Staff Engineer") || !strings.Contains(text, "(https://example.com/9)") || !strings.Contains(text, feature) {
		t.Errorf("after the conflict was resolved the draft misses a line or the hand edit:\n%s", text)
	}
	if pr := w.issue(t, d.Pull.Number); pr.HasLabel(w.svc.Config.Labels.Conflict) {
		t.Errorf("draft labels %v after the conflict was resolved", pr.Labels)
	}
	w.fullRebuildChangesNothing(t, "the conflict was resolved")
}

// TestConcurrentIncrementalUpdatesBothLand: two replicas update the draft
// for edits of two different submissions at once; the one whose branch
// move is refused (the other moved it first) reads the branch again and
// redoes its update, so both edits end in the draft.
func TestConcurrentIncrementalUpdatesBothLand(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.fill(t, 6)
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	d := out.Draft
	numbers := []int{1, 4} // two jobs
	for _, n := range numbers {
		a := job(fmt.Sprintf("Org %d", n-1), fmt.Sprintf("https://example.com/%d", n-1))
		a["title"] = fmt.Sprintf("Edited %d", n)
		body := w.svc.Forms[drafts.KindJob].RenderBody(a)
		_, err := w.sim.Actor("ana").EditIssue(repoFN, n, githubsim.IssueEdit{Body: &body})
		check(t, err)
	}
	// The first replica's branch move waits until the second one's update
	// is done.
	hold, held := make(chan struct{}), make(chan struct{})
	w.sim.AddFault(githubsim.Fault{Route: "PATCH /repos/{owner}/{repo}/git/refs/{ref...}", Kind: githubsim.FaultLatency, Times: 1,
		Hold: hold, Held: func() { close(held) }})
	refs := w.sim.Stats().ByRoute["PATCH /repos/{owner}/{repo}/git/refs/{ref...}"]
	var wg sync.WaitGroup
	errs := make([]error, 2)
	slow, fast := *w.svc, *w.svc // two replicas: no shared memory, no shared lock
	slow.Memo, fast.Memo = &Memo{}, &Memo{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[0] = slow.ReconcileIssue(ctx, numbers[0])
	}()
	<-held
	errs[1] = fast.ReconcileIssue(ctx, numbers[1])
	close(hold)
	wg.Wait()
	check(t, errors.Join(errs...))
	text := w.draftFile(t, d)
	for _, n := range numbers {
		if c := strings.Count(text, fmt.Sprintf("| Edited %d](", n)); c != 1 {
			t.Errorf("the edit of #%d is in the draft %d times, want once:\n%s", n, c, text)
		}
	}
	if moves := w.sim.Stats().ByRoute["PATCH /repos/{owner}/{repo}/git/refs/{ref...}"] - refs; moves != 3 {
		t.Errorf("%d branch moves, want 3 (one refused, then redone)", moves)
	}
	w.fullRebuildChangesNothing(t, "two concurrent updates")
}

// TestWaitingSubmissionsNeedNoCommit: a submission opened while the draft
// is open and waiting for review changes the draft's description, not its
// file, and gets no commit of its own (the next update reads the issues
// opened since the last commit); its acceptance merges it. An edit of a
// waiting submission the last commit accounts for is recorded in a commit,
// so that the next update starts from it; and so are the items once many
// issues were opened since the last commit.
func TestWaitingSubmissionsNeedNoCommit(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.fill(t, 3)
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	d := out.Draft
	tip := func() string {
		sha, err := w.sim.BranchSHA(repoFN, BranchFor(44))
		check(t, err)
		return sha
	}
	body := func() string {
		pulls, err := w.svc.GH.OpenPulls(ctx, w.svc.Repo)
		check(t, err)
		return pulls[0].Body
	}
	opened := tip()
	waiting := w.open(t, "ben", drafts.KindJob, job("Waiting Co", "https://example.com/waiting"))
	check(t, w.svc.ReconcileIssue(ctx, waiting.Number))
	if tip() != opened {
		t.Errorf("a submission waiting for review made a commit")
	}
	if !strings.Contains(body(), fmt.Sprintf("#### Waiting for review (1)\n\nComment `/newsletter accept` on an issue to take it in.\n\n- #%d\n", waiting.Number)) {
		t.Errorf("the description does not list #%d as waiting:\n%s", waiting.Number, body())
	}
	w.fullRebuildChangesNothing(t, "a submission waiting for review")

	// Another one arrives: the update reads both since the last commit.
	other := w.open(t, "ben", drafts.KindNews, map[string]string{"category": "Blog", "title": "Waiting too", "link": "https://example.com/waiting-news"})
	check(t, w.svc.ReconcileIssue(ctx, other.Number))
	if tip() != opened || !strings.Contains(body(), "#### Waiting for review (2)") {
		t.Errorf("a second waiting submission: a commit, or the description does not list both:\n%s", body())
	}
	w.accept(t, waiting.Number)
	check(t, w.svc.ReconcileIssue(ctx, waiting.Number))
	if !strings.Contains(w.draftFile(t, d), "Waiting Co | Engineer, Open Source](https://example.com/waiting)") {
		t.Errorf("the accepted submission is not in the draft")
	}
	w.fullRebuildChangesNothing(t, "the waiting submission was accepted")

	// The news item, which the last commit accounts for now, is edited
	// while it waits: its status changes, the draft does not (its stored
	// line goes stale, and only its own acceptance, which reads it afresh,
	// can bring it in).
	merged := tip()
	news := w.svc.Forms[drafts.KindNews].RenderBody(map[string]string{"category": "Blog", "title": "Waiting still", "link": "https://example.com/waiting-news"})
	_, err = w.sim.Actor("ben").EditIssue(repoFN, other.Number, githubsim.IssueEdit{Body: &news})
	check(t, err)
	check(t, w.svc.ReconcileIssue(ctx, other.Number))
	if tip() != merged {
		t.Errorf("the edit of a waiting submission made a commit")
	}
	w.fullRebuildChangesNothing(t, "a waiting submission was edited")
	w.accept(t, other.Number)
	check(t, w.svc.ReconcileIssue(ctx, other.Number))
	if f := w.draftFile(t, d); !strings.Contains(f, "Waiting still") || strings.Contains(f, "Waiting too") {
		t.Errorf("the accepted news item does not go in as last edited:\n%s", f)
	}
	w.fullRebuildChangesNothing(t, "the edited waiting submission was accepted")

	// Many waiting submissions: once more than recordAfter issues were
	// opened since the last commit, an update records them.
	recorded := tip()
	var last drafts.Issue
	for i := range recordAfter + 1 {
		last = w.open(t, "ben", drafts.KindJob, job(fmt.Sprintf("Later %d", i), fmt.Sprintf("https://example.com/later/%d", i)))
	}
	// The last one's event (the others' were lost): it reads the issues
	// opened since, and records them.
	check(t, w.svc.ReconcileIssue(ctx, last.Number))
	if tip() == recorded {
		t.Errorf("%d issues opened since the last commit, and no update recorded them", recordAfter+1)
	}
	w.fullRebuildChangesNothing(t, "many waiting submissions")
}

// TestManyIssuesOpenedSinceTheLastCommit: when more issues were opened
// since the draft's last commit than an update reads (other issues, pull
// requests), the update builds from every submission once and records how
// far the items reach; the next one is cheap again.
func TestManyIssuesOpenedSinceTheLastCommit(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.fill(t, 3)
	_, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	for i := range maxOpened + 1 {
		_, err := w.sim.Actor("ben").OpenIssue(repoFN, fmt.Sprintf("A question %d", i), "Not for the newsletter.")
		check(t, err)
	}
	a := job("Late Co", "https://example.com/late")
	late, err := w.sim.Actor("ben").OpenIssueFromForm(repoFN, "suggestion", w.svc.Forms[drafts.KindJob].RenderBody(a),
		w.svc.Config.Labels.Job, w.svc.Config.Labels.Accepted)
	check(t, err)
	w.sim.ResetStats()
	check(t, w.svc.ReconcileIssue(ctx, late.Number))
	// A small page of the issues opened since, two pages of a hundred,
	// then the listing of every submission, one page for each kind, and
	// the published ones (the history).
	if lists := w.sim.Stats().ByRoute["GET /repos/{owner}/{repo}/issues"]; lists != 1+2+3+1 {
		t.Errorf("the update made %d listings of issues, want 7 (a small page and two pages of the newer ones, then every submission and the published ones)", lists)
	}
	w.fullRebuildChangesNothing(t, "an update after many issues were opened")

	later, err := w.sim.Actor("ben").OpenIssueFromForm(repoFN, "suggestion", w.svc.Forms[drafts.KindJob].RenderBody(job("Later Co", "https://example.com/later")),
		w.svc.Config.Labels.Job, w.svc.Config.Labels.Accepted)
	check(t, err)
	w.sim.ResetStats()
	check(t, w.svc.ReconcileIssue(ctx, later.Number))
	if st := w.sim.Stats(); st.Total > incrementalBudget {
		t.Errorf("the next update took %d requests, want at most %d: %v", st.Total, incrementalBudget, st.ByRoute)
	}
	pulls, err := w.svc.GH.OpenPulls(ctx, w.svc.Repo)
	check(t, err)
	text := w.draftFile(t, Draft{Number: 44, Path: "newsletter/2026-12-29.md", Pull: pulls[0]})
	for _, org := range []string{"Late Co", "Later Co"} {
		if !strings.Contains(text, org+" | Engineer") {
			t.Errorf("%s is not in the draft", org)
		}
	}
	w.fullRebuildChangesNothing(t, "the next update")
}

// TestSteadyPassCatchesUpWithLostEvents: a pass after a clean one brings
// the draft up to date with the submissions changed since, from the items
// on the branch, when every webhook about them was lost: an edit, a
// withdrawal, a new submission and a label taken off. The full rebuild
// then finds nothing to change. A pass where nothing changed does not read
// the branch at all.
func TestSteadyPassCatchesUpWithLostEvents(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	w.svc.Memo = &Memo{Now: w.clock.Now}
	ctx := context.Background()
	w.fill(t, 30)
	opened, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	d := opened.Draft
	began := w.clock.Now()
	_, err = w.svc.Resync(ctx, time.Time{}, time.Hour)
	check(t, err)
	pass := func() githubsim.Stats {
		t.Helper()
		w.clock.Advance(5 * time.Minute)
		last := began
		began = w.clock.Now()
		return w.measure(t, func() error { _, err := w.svc.Resync(ctx, last, time.Hour); return err })
	}
	pass() // the statuses the first pass wrote changed their issues

	if st := pass(); st.ByRoute["GET /repos/{owner}/{repo}/branches/{branch...}"] != 0 || st.Writes != 0 {
		t.Errorf("a pass where nothing changed read the branch %d times and wrote %d times; want neither: %v",
			st.ByRoute["GET /repos/{owner}/{repo}/branches/{branch...}"], st.Writes, st.ByRoute)
	}

	// Nobody tells the bot: every webhook below is lost.
	w.clock.Advance(time.Minute)
	k, a := simtest.Sample(0)
	a["title"] = "Principal Engineer"
	body := w.svc.Forms[k].RenderBody(a)
	_, err = w.sim.Actor("ana").EditIssue(repoFN, 1, githubsim.IssueEdit{Body: &body})
	check(t, err)
	_, err = w.sim.Actor("ana").CloseIssue(repoFN, 2)
	check(t, err)
	check(t, w.sim.Actor("maya").RemoveLabel(repoFN, 4, w.svc.Config.Labels.Accepted))
	n := job("Latecomer", "https://example.com/late")
	late, err := w.sim.Actor("ben").OpenIssueFromForm(repoFN, "suggestion", w.svc.Forms[drafts.KindJob].RenderBody(n),
		w.svc.Config.Labels.Job, w.svc.Config.Labels.Accepted)
	check(t, err)

	st := pass()
	text := w.draftFile(t, d)
	for what, ok := range map[string]bool{
		"the edit":                  strings.Contains(text, "Org 0 | Principal Engineer]"),
		"the withdrawal":            !strings.Contains(text, "(https://example.com/1)"),
		"the acceptance taken back": !strings.Contains(text, "(https://example.com/3)"),
		"the new submission (#" + fmt.Sprint(late.Number) + ")": strings.Contains(text, "(https://example.com/late)"),
	} {
		if !ok {
			t.Errorf("the pass did not bring %s into the draft", what)
		}
	}
	if st.Total > 10+incrementalBudget {
		t.Errorf("the pass that caught up took %d requests: %v", st.Total, st.ByRoute)
	}
	w.fullRebuildChangesNothing(t, "a pass that caught up with lost events")
}
