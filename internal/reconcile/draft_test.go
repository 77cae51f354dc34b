package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// Eight updates of one draft at once, each with a new item of its own,
// from services that share nothing (eight replicas): every item is in the
// file exactly once, and the maintainer's hand edits (a feature, and a
// job line typed at the end of the list, where the new lines go too) are
// all still there. The branch moves only by compare-and-swap, and the base
// of each merge rides in the commit that moved it.
func TestConcurrentRefreshesKeepEachItemOnce(t *testing.T) {
	for try := range 3 {
		t.Run(fmt.Sprint("try ", try), func(t *testing.T) {
			w := newWorld(t, "2026-12-01")
			ctx := context.Background()
			_, d := w.draftWithAJob(t)
			text, err := w.sim.File(repoFN, BranchFor(44), d.Path)
			check(t, err)
			feature := "## Feature\n\nWritten by hand.\n"
			handJob := "- [🌐 Hand Co | Typed by a maintainer](https://example.com/hand)\n"
			last := "- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/jobs/1)\n"
			edited := strings.Replace(text, "# OSPO Newsletter 44\n", "# OSPO Newsletter 44\n\n"+feature, 1)
			edited = strings.Replace(edited, last, last+handJob, 1)
			if edited == text || !strings.Contains(edited, handJob) {
				t.Fatalf("test setup: could not edit\n%s", text)
			}
			_, err = w.sim.Actor("maya").EditFile(repoFN, BranchFor(44), d.Path, edited)
			check(t, err)

			var issues []int
			for i := range 8 {
				issues = append(issues, w.open(t, "ben", drafts.KindJob, job(fmt.Sprintf("Org %d", i+2), fmt.Sprintf("https://example.com/jobs/%d", i+2))).Number)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(issues))
			for i, n := range issues {
				svc := *w.svc // a replica of its own: no shared memory, no shared lock
				svc.Memo = &Memo{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					if errs[i] = svc.GH.AddLabels(ctx, svc.Repo, n, svc.Config.Labels.Accepted); errs[i] != nil {
						return
					}
					_, errs[i] = svc.RefreshDraft(ctx, d)
				}()
			}
			wg.Wait()
			check(t, errors.Join(errs...))

			text, err = w.sim.File(repoFN, BranchFor(44), d.Path)
			check(t, err)
			for i := 1; i <= 9; i++ {
				link := fmt.Sprintf("](https://example.com/jobs/%d)", i)
				if c := strings.Count(text, link); c != 1 {
					t.Errorf("job %d is in the draft %d times, want once", i, c)
				}
			}
			for _, hand := range []string{feature, handJob} {
				if strings.Count(text, hand) != 1 {
					t.Errorf("the hand edit %q is in the draft %d times, want once", hand, strings.Count(text, hand))
				}
			}
			if t.Failed() {
				t.Logf("the draft:\n%s", text)
			}
			// The branch's last commit carries the render it was merged
			// from: a refresh now has nothing to do.
			before := w.writes()
			out, err := w.svc.ReconcileDraft(ctx, false)
			check(t, err)
			if out.Committed || w.writes() != before {
				t.Errorf("a refresh after the eight committed %v with %d writes, want nothing", out.Committed, w.writes()-before)
			}
		})
	}
}

// An update that read the branch, then was slow to move it, must not undo
// a quicker one that moved it in between: the slow one's move is refused
// (it is not a fast-forward any more), and it reads everything again.
func TestASlowUpdateDoesNotUndoAFasterOne(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	_, d := w.draftWithAJob(t)
	one := w.open(t, "ben", drafts.KindJob, job("Org 2", "https://example.com/jobs/2")).Number
	two := w.open(t, "ben", drafts.KindJob, job("Org 3", "https://example.com/jobs/3")).Number

	hold, held := make(chan struct{}), make(chan struct{})
	w.sim.AddFault(githubsim.Fault{Route: "PATCH /repos/{owner}/{repo}/git/refs/{ref...}", Kind: githubsim.FaultLatency, Times: 1,
		Hold: hold, Held: func() { close(held) }})
	w.accept(t, one)
	slow := make(chan error, 1)
	go func() {
		svc := *w.svc
		svc.Memo = &Memo{}
		_, err := svc.RefreshDraft(ctx, d) // renders 1 and 2, then waits to move the branch
		slow <- err
	}()
	<-held
	w.accept(t, two)
	fast := *w.svc
	fast.Memo = &Memo{}
	_, err := fast.RefreshDraft(ctx, d) // renders 1, 2 and 3 and moves the branch
	check(t, err)
	close(hold)
	check(t, <-slow)

	text, err := w.sim.File(repoFN, BranchFor(44), d.Path)
	check(t, err)
	for i := 1; i <= 3; i++ {
		if c := strings.Count(text, fmt.Sprintf("](https://example.com/jobs/%d)", i)); c != 1 {
			t.Errorf("job %d is in the draft %d times, want once:\n%s", i, c, text)
		}
	}
}

// Only the bot's own pull request is a draft: one that people open from a
// branch named like the bot's, with the bot's marker copied into it, is
// neither refreshed nor published nor edited.
func TestOnlyTheBotsOwnPullIsADraft(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.accept(t, w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number)
	_, err := w.sim.Actor("maya").Push(repoFN, BranchFor(44), githubsim.Push{Files: map[string]string{"newsletter/2026-12-29.md": "# mine\n"}})
	check(t, err)
	body := fmt.Sprintf(editionMarker, 44, "2026-12-29", "newsletter/2026-12-29.md")
	pr, err := w.sim.Actor("maya").OpenPR(repoFN, githubsim.PullSpec{Head: BranchFor(44), Title: "Edition 44, by hand", Body: body})
	check(t, err)

	if _, found, err := w.svc.OpenDraft(ctx); err != nil || found {
		t.Fatalf("OpenDraft = found %v, %v; a pull request by maya is not the bot's draft", found, err)
	}
	before := w.writes()
	out, err := w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	if out.Draft.Pull.Number != 0 || w.writes() != before {
		t.Errorf("a refresh touched maya's pull request: %+v, %d writes", out.Draft, w.writes()-before)
	}
	got, err := w.sim.PullRequests(repoFN)
	check(t, err)
	if got[0].Body != body {
		t.Errorf("maya's pull request body was edited:\n%s", got[0].Body)
	}

	// The same pull request, as a fork's would look (head repository
	// elsewhere), or with a path the config does not make, is not a
	// draft either, even if the bot's user opened it.
	p := Pull{Number: pr.Number, Head: BranchFor(44), HeadRepo: simtest.Repo, User: simtest.BotLogin, Body: body}
	if _, ok := w.svc.draftOf(p); !ok {
		t.Fatalf("draftOf(%+v) = false, want the bot's own pull request recognised", p)
	}
	for name, q := range map[string]Pull{
		"from a fork":             {Number: pr.Number, Head: BranchFor(44), HeadRepo: "mallory/ospology", User: simtest.BotLogin, Body: body},
		"by someone else":         {Number: pr.Number, Head: BranchFor(44), HeadRepo: simtest.Repo, User: "mallory", Body: body},
		"with a path outside":     {Number: pr.Number, Head: BranchFor(44), HeadRepo: simtest.Repo, User: simtest.BotLogin, Body: fmt.Sprintf(editionMarker, 44, "2026-12-29", ".github/workflows/x.yml")},
		"for another edition":     {Number: pr.Number, Head: BranchFor(45), HeadRepo: simtest.Repo, User: simtest.BotLogin, Body: body},
		"with another day's file": {Number: pr.Number, Head: BranchFor(44), HeadRepo: simtest.Repo, User: simtest.BotLogin, Body: fmt.Sprintf(editionMarker, 44, "2026-12-29", "newsletter/2026-12-30.md")},
	} {
		if _, ok := w.svc.draftOf(q); ok {
			t.Errorf("a pull request %s counts as the draft", name)
		}
	}
}

// The conflict comment shows the clashing line only; putting the bot's
// line next to the maintainer's clears it on the next update; and an item
// accepted while the conflict lasts says it waits for it, not that it is
// in the draft.
func TestConflictIsResolvedTheObviousWay(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a, d := w.draftWithAJob(t)
	branch := BranchFor(44)
	text, err := w.sim.File(repoFN, branch, d.Path)
	check(t, err)
	line := "- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/jobs/1)\n"
	mine := "- [🇺🇸 Comcast | Senior Engineer](https://example.com/jobs/1)\n"
	hand := "- [🌐 Hand Co | Typed by a maintainer](https://example.com/hand)\n"
	_, err = w.sim.Actor("maya").EditFile(repoFN, branch, d.Path, strings.Replace(text, line, mine+hand, 1))
	check(t, err)
	body := w.svc.Forms[drafts.KindJob].RenderBody(map[string]string{"organization": "Comcast", "title": "Staff Engineer",
		"link": "https://example.com/jobs/1", "location": "United States"})
	_, err = w.sim.Actor("ana").EditIssue(repoFN, a.Number, githubsim.IssueEdit{Body: &body})
	check(t, err)
	check(t, w.svc.ReconcileIssue(ctx, a.Number))

	cs, err := w.svc.GH.Comments(ctx, w.svc.Repo, d.Pull.Number)
	check(t, err)
	if len(cs) != 1 || !strings.Contains(cs[0].Body, "- "+strings.TrimSuffix(mine, "\n")) || strings.Contains(cs[0].Body, "Hand Co") {
		t.Fatalf("the conflict comment:\n%s\nwant the clashing line only, not the hand-added one", cs[0].Body)
	}
	if strings.Contains(cs[0].Body, "delete") || strings.Contains(cs[0].Body, "remove") {
		t.Errorf("the advice tells people to delete something:\n%s", cs[0].Body)
	}

	// Accepted during the conflict: waits for it.
	b := w.open(t, "ben", drafts.KindJob, job("SAP", "https://example.com/jobs/2"))
	w.accept(t, b.Number)
	check(t, w.svc.ReconcileIssue(ctx, b.Number))
	if st := w.statusComments(t, b.Number); len(st) != 1 || !strings.Contains(st[0], "once the conflict there is resolved") {
		t.Fatalf("the status of an item accepted during the conflict:\n%s", st)
	}

	// The maintainer keeps their line and puts the bot's next to it.
	text, err = w.sim.File(repoFN, branch, d.Path)
	check(t, err)
	theirs := "- [🇺🇸 Comcast | Staff Engineer](https://example.com/jobs/1)\n"
	_, err = w.sim.Actor("maya").EditFile(repoFN, branch, d.Path, strings.Replace(text, mine, mine+theirs, 1))
	check(t, err)
	out, err := w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	if len(out.Conflicts) != 0 || !out.Committed {
		t.Fatalf("after keeping both lines: conflicts %v, committed %v; want it merged", out.Conflicts, out.Committed)
	}
	text, err = w.sim.File(repoFN, branch, d.Path)
	check(t, err)
	for _, want := range []string{mine, theirs, hand, "](https://example.com/jobs/2)"} {
		if strings.Count(text, want) != 1 {
			t.Errorf("after the conflict the draft has %q %d times, want once:\n%s", want, strings.Count(text, want), text)
		}
	}
	pr := w.issue(t, d.Pull.Number)
	if pr.HasLabel(w.svc.Config.Labels.Conflict) {
		t.Errorf("the conflict label is still on the draft")
	}
	if st := w.statusComments(t, b.Number); len(st) != 1 || !strings.Contains(st[0], fmt.Sprintf("in draft pull request #%d", d.Pull.Number)) {
		t.Errorf("once the conflict is resolved, the waiting item's status:\n%s", st)
	}
	// The base moved on: deleting their own line now is just an edit.
	text, err = w.sim.File(repoFN, branch, d.Path)
	check(t, err)
	_, err = w.sim.Actor("maya").EditFile(repoFN, branch, d.Path, strings.Replace(text, theirs, "", 1))
	check(t, err)
	out, err = w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	if len(out.Conflicts) != 0 {
		t.Errorf("taking the bot's line out again after the merge is a conflict: %v", out.Conflicts)
	}
}

// A draft closed unmerged: its items' statuses say they wait for the next
// draft; the schedule leaves it closed for that publication day and opens
// a fresh draft with the same number for the next one.
func TestClosedDraftComesBackForTheNextPublicationDay(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	w.svc.Now = func() time.Time { return now }
	ctx := context.Background()
	a := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1"))
	w.accept(t, a.Number)
	out, err := w.svc.ScheduledDraft(ctx)
	check(t, err)
	if !out.Opened {
		t.Fatalf("the draft did not open: %q", out.Held)
	}
	closed, err := w.sim.Actor("maya").CloseIssue(repoFN, out.Draft.Pull.Number)
	check(t, err)
	pulls, err := w.svc.GH.Pulls(ctx, w.svc.Repo, BranchFor(44), "closed")
	check(t, err)
	check(t, w.svc.PullEvent(ctx, "closed", pulls[0]))
	if st := w.statusComments(t, a.Number); len(st) != 1 || strings.Contains(st[0], fmt.Sprintf("#%d", closed.Number)) ||
		!strings.Contains(st[0], "the next edition; its draft pull request opens on") {
		t.Errorf("after the draft was closed, the status:\n%s", st)
	}
	out, err = w.svc.ScheduledDraft(ctx)
	check(t, err)
	if out.Opened || !strings.Contains(out.Held, "closed without merging") {
		t.Fatalf("right after the close: opened %v, held %q; want it left closed", out.Opened, out.Held)
	}
	now = time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC) // past December 29: January's tick
	out, err = w.svc.ScheduledDraft(ctx)
	check(t, err)
	if !out.Opened || out.Draft.Number != 44 || out.Draft.Path != "newsletter/2027-01-26.md" {
		t.Fatalf("at January's tick: opened %v, edition %d at %s, held %q; want a fresh edition 44 for January 26",
			out.Opened, out.Draft.Number, out.Draft.Path, out.Held)
	}
}

// The GitHub adapter keeps go-github's error types reachable.
func TestErrorsKeepTheirTypes(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	_, err := w.svc.GH.Issue(context.Background(), w.svc.Repo, 999)
	var ge *github.ErrorResponse
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &ge) || ge.Response.StatusCode != 404 {
		t.Errorf("Issue(999) = %v; want ErrNotFound with the *github.ErrorResponse inside", err)
	}
	w.sim.AddFault(githubsim.Fault{Route: "GET /repos/{owner}/{repo}/issues/{issue_number}", Kind: githubsim.FaultSecondaryRateLimit, Times: 1})
	_, err = w.svc.GH.Issue(context.Background(), w.svc.Repo, 1)
	var ae *github.AbuseRateLimitError
	if !errors.As(err, &ae) {
		t.Errorf("a secondary rate limit came back as %T %v; want *github.AbuseRateLimitError", err, err)
	}
}

// TestDraftListsTitlesAndKinds: the draft's description lists each item it
// takes in by number, kind and title, the title neutralised (it is typed by
// anyone who files an issue).
func TestDraftListsTitlesAndKinds(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a := job("Acme", "https://example.com/acme")
	is, err := w.sim.Actor("ana").OpenIssueFromForm(repoFN, "[Job]: Acme hires @octocat <b>now</b> [here](https://evil.example)",
		w.svc.Forms[drafts.KindJob].RenderBody(a), w.svc.Config.Labels.Job, w.svc.Config.Labels.Accepted)
	check(t, err)
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	body := out.Draft.Pull.Body
	want := fmt.Sprintf("- #%d job: %s\n", is.Number, drafts.Plain("[Job]: Acme hires @octocat <b>now</b> [here](https://evil.example)"))
	if !strings.Contains(body, want) {
		t.Errorf("the description does not list %q:\n%s", want, body)
	}
	for _, raw := range []string{"@octocat", "<b>", "](https://evil.example)"} {
		if strings.Contains(body, raw) {
			t.Errorf("the description carries %q as typed", raw)
		}
	}
}
