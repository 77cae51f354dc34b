package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

const repoFN = simtest.Repo

type world struct {
	sim   *githubsim.Sim
	svc   *Service
	clock *simtest.Clock // GitHub's time, and the service's: tests move it
}

// newWorld starts a simulator with a repository shaped like
// todogroup/ospology (see simtest) and a service whose day is today.
func newWorld(t testing.TB, today string) *world {
	t.Helper()
	return newWorldWith(t, today, githubsim.Options{})
}

// newWorldWith is newWorld with the simulator's options (its seed and
// clock are the world's).
func newWorldWith(t testing.TB, today string, opts githubsim.Options) *world {
	t.Helper()
	clock := &simtest.Clock{}
	opts.Seed, opts.Now = 1, clock.Now
	sim := githubsim.New(opts)
	t.Cleanup(sim.Close)
	check(t, simtest.Setup(sim, ""))
	client, err := simtest.InstallationClient(sim)
	check(t, err)
	now, err := time.Parse(time.DateOnly, today)
	check(t, err)
	gh := NewGitHub(client)
	repo, err := gh.Repository(context.Background(), simtest.Owner, simtest.Name)
	check(t, err)
	return &world{sim: sim, clock: clock, svc: &Service{GH: gh, Repo: repo, Config: drafts.DefaultConfig(), Forms: drafts.DefaultForms(),
		BotLogin: simtest.BotLogin, Now: func() time.Time { return now }, Clock: clock.Now, Memo: &Memo{Now: clock.Now}}}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// open files a suggestion from the kind's form as who.
func (w *world) open(t testing.TB, who string, k drafts.Kind, answers map[string]string) drafts.Issue {
	t.Helper()
	is, err := simtest.OpenSubmission(w.sim, who, k, answers)
	check(t, err)
	return w.issue(t, is.Number)
}

func (w *world) issue(t testing.TB, n int) drafts.Issue {
	t.Helper()
	i, err := w.svc.GH.Issue(context.Background(), w.svc.Repo, n)
	check(t, err)
	return i
}

func job(org, link string) map[string]string {
	return map[string]string{"organization": org, "title": "Engineer, Open Source", "link": link, "location": "United States"}
}

// reconciledStatus reconciles issue n and returns its one status comment.
func (w *world) reconciledStatus(t testing.TB, n int) string {
	t.Helper()
	check(t, w.svc.ReconcileIssue(context.Background(), n))
	st := w.statusComments(t, n)
	if len(st) != 1 {
		t.Fatalf("#%d has %d status comments", n, len(st))
	}
	return st[0]
}

func (w *world) statusComments(t testing.TB, n int) []string {
	t.Helper()
	cs, err := w.svc.GH.Comments(context.Background(), w.svc.Repo, n)
	check(t, err)
	var out []string
	for _, c := range cs {
		if strings.Contains(c.Body, statusMarker) {
			out = append(out, c.Body)
		}
	}
	return out
}

func (w *world) writes() int { return w.sim.Stats().Writes }

func TestSubmissionStatusComment(t *testing.T) {
	w := newWorld(t, "2026-11-25")
	ctx := context.Background()
	is := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1"))
	check(t, w.svc.ReconcileSubmission(ctx, is, nil))
	got := w.statusComments(t, is.Number)
	if len(got) != 1 {
		t.Fatalf("%d status comments, want 1", len(got))
	}
	for _, want := range []string{"> - [🇺🇸 Comcast | Engineer, Open Source](https://example.com/jobs/1)", "waiting for a maintainer's review"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("status comment lacks %q:\n%s", want, got[0])
		}
	}
	before := w.writes()
	check(t, w.svc.ReconcileSubmission(ctx, w.issue(t, is.Number), nil))
	if n := w.writes() - before; n != 0 {
		t.Errorf("a second reconcile with nothing changed made %d writes, want 0", n)
	}
	if got := w.statusComments(t, is.Number); len(got) != 1 {
		t.Errorf("%d status comments after a second reconcile, want still 1", len(got))
	}
}

func TestInvalidSubmissionNeedsInfoUntilFixed(t *testing.T) {
	w := newWorld(t, "2026-11-25")
	ctx := context.Background()
	is := w.open(t, "ana", drafts.KindJob, job("Comcast", "example.com/jobs/1"))
	check(t, w.svc.ReconcileSubmission(ctx, is, nil))
	is = w.issue(t, is.Number)
	if !is.HasLabel(w.svc.Config.Labels.NeedsInfo) {
		t.Errorf("labels %v, want needs-info", is.Labels)
	}
	got := w.statusComments(t, is.Number)
	if len(got) != 1 || !strings.Contains(got[0], "please **edit the issue** to fix") || !strings.Contains(got[0], "has no https:// in front") {
		t.Fatalf("status comments %q, want one saying what to fix", got)
	}
	body := w.svc.Forms[drafts.KindJob].RenderBody(job("Comcast", "https://example.com/jobs/1"))
	_, err := w.sim.Actor("ana").EditIssue(repoFN, is.Number, githubsim.IssueEdit{Body: &body})
	check(t, err)
	check(t, w.svc.ReconcileSubmission(ctx, w.issue(t, is.Number), nil))
	is = w.issue(t, is.Number)
	if is.HasLabel(w.svc.Config.Labels.NeedsInfo) {
		t.Errorf("labels %v after the fix, want needs-info gone", is.Labels)
	}
	got = w.statusComments(t, is.Number)
	if len(got) != 1 || !strings.Contains(got[0], "](https://example.com/jobs/1)") {
		t.Errorf("status comments %q after the fix, want the one comment edited into a preview", got)
	}
}

// draftWithAJob files a job (Comcast, jobs/1), accepts it and opens the
// draft of edition 44 with it.
func (w *world) draftWithAJob(t testing.TB) (drafts.Issue, Draft) {
	t.Helper()
	a := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1"))
	w.accept(t, a.Number)
	out, err := w.svc.ReconcileDraft(context.Background(), true)
	check(t, err)
	return a, out.Draft
}

func (w *world) accept(t testing.TB, n int) {
	t.Helper()
	check(t, w.sim.Actor("maya").AddLabels(repoFN, n, w.svc.Config.Labels.Accepted))
}

func TestDraftOpensMergesAndPublishes(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1"))
	b := w.open(t, "ben", drafts.KindJob, job("SAP", "https://example.com/jobs/2"))
	w.accept(t, a.Number)

	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	if !out.Opened || out.Draft.Number != 44 || out.Draft.Path != "newsletter/2026-12-29.md" {
		t.Fatalf("ReconcileDraft = %+v, want edition 44 opened at newsletter/2026-12-29.md", out.Draft)
	}
	branch := BranchFor(44)
	text, err := w.sim.File(repoFN, branch, "newsletter/2026-12-29.md")
	check(t, err)
	if !strings.Contains(text, "# OSPO Newsletter 44\n") || !strings.Contains(text, "- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/jobs/1)\n") ||
		strings.Contains(text, "SAP") {
		t.Errorf("edition file:\n%s\nwant edition 44 with the accepted job only", text)
	}
	readme, err := w.sim.File(repoFN, branch, "newsletter/README.md")
	check(t, err)
	if !strings.Contains(readme, "Issue 44") {
		t.Errorf("README index:\n%s\nwant edition 44 added", readme)
	}

	// Nothing changed: nothing written.
	before := w.writes()
	out, err = w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	if out.Opened || out.Committed || w.writes() != before {
		t.Errorf("second ReconcileDraft opened=%v committed=%v writes=%d, want nothing written", out.Opened, out.Committed, w.writes()-before)
	}

	// A maintainer edits the feature text; a second job is accepted.
	edited := strings.Replace(text, "# OSPO Newsletter 44\n", "# OSPO Newsletter 44\n\nHappy holidays from the TODO Group!\n", 1)
	_, err = w.sim.Actor("maya").EditFile(repoFN, branch, "newsletter/2026-12-29.md", edited)
	check(t, err)
	w.accept(t, b.Number)
	out, err = w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	if !out.Committed || len(out.Conflicts) > 0 {
		t.Fatalf("refresh committed=%v conflicts=%v, want a clean commit", out.Committed, out.Conflicts)
	}
	text, err = w.sim.File(repoFN, branch, "newsletter/2026-12-29.md")
	check(t, err)
	if !strings.Contains(text, "Happy holidays from the TODO Group!") || !strings.Contains(text, "SAP") {
		t.Errorf("after the refresh:\n%s\nwant the hand edit and the new job", text)
	}

	// Merge: both submitters are told, labelled and closed.
	_, err = w.sim.Actor("maya").MarkReady(repoFN, out.Draft.Pull.Number)
	check(t, err)
	pr, err := w.sim.Actor("maya").MergePR(repoFN, out.Draft.Pull.Number)
	check(t, err)
	pull := out.Draft.Pull
	pull.Merged, pull.MergeCommitSHA = true, pr.MergeCommitSHA
	pub, err := w.svc.Publish(ctx, pull)
	check(t, err)
	if fmt.Sprint(pub.Published) != fmt.Sprint([]int{a.Number, b.Number}) {
		t.Errorf("published %v, want %v", pub.Published, []int{a.Number, b.Number})
	}
	for _, n := range []int{a.Number, b.Number} {
		is := w.issue(t, n)
		if is.State != "closed" || !is.HasLabel(w.svc.Config.Labels.Published) {
			t.Errorf("#%d: state %s labels %v, want closed and published", n, is.State, is.Labels)
		}
		cs, err := w.svc.GH.Comments(ctx, w.svc.Repo, n)
		check(t, err)
		if last := cs[len(cs)-1].Body; !strings.Contains(last, "Published in [edition 44](") || !strings.Contains(last, pr.MergeCommitSHA) {
			t.Errorf("#%d last comment %q, want the published link at the merge commit", n, last)
		}
	}
}

func TestDraftConflictIsReportedNotCommitted(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1"))
	w.accept(t, a.Number)
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	branch := BranchFor(44)
	text, err := w.sim.File(repoFN, branch, out.Draft.Path)
	check(t, err)
	line := "- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/jobs/1)"
	_, err = w.sim.Actor("maya").EditFile(repoFN, branch, out.Draft.Path, strings.Replace(text, line, "- [🇺🇸 Comcast | Senior Engineer](https://example.com/jobs/1)", 1))
	check(t, err)
	// The submitter edits the same job's title.
	body := w.svc.Forms[drafts.KindJob].RenderBody(map[string]string{"organization": "Comcast", "title": "Staff Engineer",
		"link": "https://example.com/jobs/1", "location": "United States"})
	_, err = w.sim.Actor("ana").EditIssue(repoFN, a.Number, githubsim.IssueEdit{Body: &body})
	check(t, err)
	tip, err := w.sim.BranchSHA(repoFN, branch)
	check(t, err)
	out, err = w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	if len(out.Conflicts) != 1 || out.Committed {
		t.Fatalf("conflicts %v committed %v, want one conflict and no commit", out.Conflicts, out.Committed)
	}
	if now, _ := w.sim.BranchSHA(repoFN, branch); now != tip {
		t.Errorf("the branch moved from %s to %s; a conflict must not be committed", tip, now)
	}
	pr := w.issue(t, out.Draft.Pull.Number)
	if !pr.HasLabel(w.svc.Config.Labels.Conflict) {
		t.Errorf("draft labels %v, want the conflict label", pr.Labels)
	}
	cs, err := w.svc.GH.Comments(ctx, w.svc.Repo, out.Draft.Pull.Number)
	check(t, err)
	if len(cs) != 1 || !strings.Contains(cs[0].Body, "Senior Engineer") || !strings.Contains(cs[0].Body, "Staff Engineer") {
		t.Errorf("draft comments %v, want one naming both clashing lines", cs)
	}
}

// TestDraftBudget300 checks the API budget of opening a draft with 300
// accepted submissions (target: at most 12 requests, and the history: its
// two listings and the edition files the replica reads for the first
// time), and that a refresh with nothing changed writes nothing.
func TestDraftBudget300(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.fill(t, 300)
	w.sim.ResetStats()
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	st := w.sim.Stats()
	t.Logf("opening a draft with %d submissions: %d requests (%d writes): %v", len(out.Result.Included), st.Total, st.Writes, st.ByRoute)
	if len(out.Result.Included) != 300 {
		t.Fatalf("included %d, want 300: %v", len(out.Result.Included), out.Result.Excluded)
	}
	entries, err := w.svc.GH.DirEntries(ctx, w.svc.Repo, "", drafts.EditionDir(w.svc.Config))
	check(t, err)
	editions := 0
	for _, e := range entries {
		if _, ok := drafts.ParseEditionPath(w.svc.Config, e.Path); ok {
			editions++
		}
	}
	if want := 12 + 2 + min(editions, drafts.HistoryEditions); st.Total > want {
		t.Errorf("opening the draft took %d requests, want at most %d", st.Total, want)
	}
	w.sim.ResetStats()
	_, err = w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	st = w.sim.Stats()
	t.Logf("refresh with nothing changed: %d requests, %d writes", st.Total, st.Writes)
	if st.Writes != 0 {
		t.Errorf("a refresh with nothing changed wrote %d times: %v", st.Writes, st.ByRoute)
	}
}

func TestScheduledDraftOpensWhenDueAndRespectsAClosedDraft(t *testing.T) {
	w := newWorld(t, "2026-11-25") // edition 43 came out on 2026-11-24; 44 is due on the 1st
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	w.svc.Now = func() time.Time { return now }
	ctx := context.Background()
	w.accept(t, w.open(t, simtest.Member, drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number)

	out, err := w.svc.ScheduledDraft(ctx)
	check(t, err)
	if out.Opened || out.Held == "" || out.Due.Format(time.RFC3339) != "2026-12-01T09:00:00Z" {
		t.Fatalf("on the 25th: opened %v, held %q, due %s; want held until 2026-12-01T09:00:00Z", out.Opened, out.Held, out.Due)
	}
	if pulls, _ := w.sim.PullRequests(repoFN); len(pulls) != 0 {
		t.Fatalf("a pull request was opened before the draft was due: %+v", pulls)
	}

	now = time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC) // the tick on the 1st was missed: catch up
	out, err = w.svc.ScheduledDraft(ctx)
	check(t, err)
	if !out.Opened || out.Draft.Number != 44 {
		t.Fatalf("after the due time: opened %v, edition %d, held %q; want edition 44 opened", out.Opened, out.Draft.Number, out.Held)
	}
	writes := w.writes()
	if out, err = w.svc.ScheduledDraft(ctx); err != nil || out.Opened || w.writes() != writes {
		t.Fatalf("a second run: opened %v, %d writes, err %v; want nothing written", out.Opened, w.writes()-writes, err)
	}

	// People close the draft unmerged: the schedule leaves it closed...
	_, err = w.sim.Actor(simtest.Maintainer).CloseIssue(repoFN, out.Draft.Pull.Number)
	check(t, err)
	out, err = w.svc.ScheduledDraft(ctx)
	check(t, err)
	if out.Opened || !strings.Contains(out.Held, "closed without merging") {
		t.Fatalf("after people closed the draft: opened %v, held %q", out.Opened, out.Held)
	}
	// ...and /newsletter draft opens it again.
	out, err = w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	if !out.Opened || out.Draft.Number != 44 {
		t.Fatalf("/newsletter draft after a closed draft: opened %v, edition %d", out.Opened, out.Draft.Number)
	}
	pulls, err := w.sim.PullRequests(repoFN)
	check(t, err)
	if len(pulls) != 2 || pulls[1].State != "open" {
		t.Fatalf("pull requests: %+v; want the closed one and one open", pulls)
	}
}

// TestHandEditSurvivesManyMerges: after a person edits the draft, every
// later merge must keep the edit, not only the first one. (The merge base
// is the bot's last render, not its last commit, which holds the edit.)
func TestHandEditSurvivesManyMerges(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.accept(t, w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number)
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	branch := BranchFor(44)
	text, err := w.sim.File(repoFN, branch, out.Draft.Path)
	check(t, err)
	feature := "## Feature\n\nWritten by hand.\n"
	edited := strings.Replace(text, "# OSPO Newsletter 44\n", "# OSPO Newsletter 44\n\n"+feature, 1)
	_, err = w.sim.Actor("maya").EditFile(repoFN, branch, out.Draft.Path, edited)
	check(t, err)
	for i, org := range []string{"SAP", "Bosch", "Zalando"} {
		w.accept(t, w.open(t, "ben", drafts.KindJob, job(org, fmt.Sprintf("https://example.com/jobs/%d", i+2))).Number)
		out, err := w.svc.ReconcileDraft(ctx, false)
		check(t, err)
		if !out.Committed || len(out.Conflicts) > 0 {
			t.Fatalf("merge %d (%s): committed %v, conflicts %v", i+1, org, out.Committed, out.Conflicts)
		}
		text, err := w.sim.File(repoFN, branch, out.Draft.Path)
		check(t, err)
		if !strings.Contains(text, feature) || !strings.Contains(text, org+" | Engineer") {
			t.Fatalf("after merge %d the draft lost the hand edit or misses %s:\n%s", i+1, org, text)
		}
	}
	// A description someone rewrote by hand changes nothing (the base
	// rides in the bot's commits), and neither does a commit of theirs on
	// top of the bot's last.
	pulls, err := w.sim.PullRequests(repoFN)
	check(t, err)
	check(t, w.svc.GH.EditPull(ctx, w.svc.Repo, pulls[0].Number, pulls[0].Title, "Our notes for this edition. "+fmt.Sprintf(editionMarker, 44, "2026-12-29", out.Draft.Path)))
	_, err = w.sim.Actor("maya").EditFile(repoFN, branch, "newsletter/NOTES.md", "notes\n")
	check(t, err)
	w.accept(t, w.open(t, "ben", drafts.KindJob, job("Spotify", "https://example.com/jobs/9")).Number)
	out, err = w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	text, err = w.sim.File(repoFN, branch, out.Draft.Path)
	check(t, err)
	if !strings.Contains(text, feature) || !strings.Contains(text, "Spotify | Engineer") {
		t.Fatalf("with the render lost from the description, the merge lost the edit or the new job:\n%s", text)
	}
}

func TestBaseRoundTripsThroughTheCommit(t *testing.T) {
	text := strings.Repeat("- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/jobs/1) – **“quotes”**\n", 300)
	ed := drafts.Edition{Number: 44, Title: "OSPO Newsletter 44"}
	msg := commitMessage(ed, "merge new submissions", mergeTrailer, text)
	got, ok := decodeBase(msg)
	if !ok || got != text {
		t.Fatalf("decodeBase(commitMessage(text)) = %v, %v", ok, got == text)
	}
	if len(msg) > 20000 {
		t.Errorf("300 lines take %d characters of the commit message", len(msg))
	}
	if !strings.HasPrefix(msg, "OSPO Newsletter 44: merge new submissions\n\nNewsletter-Bot-Merge: edition-44\nNewsletter-Bot-Base: ") {
		t.Errorf("commit message starts %q", msg[:min(len(msg), 120)])
	}
	// Older versions kept the render in the description; it is still read.
	legacy, ok := decodeRender("Edition 44.\n\n" + renderPrefix + encodeBase(text) + " -->\n")
	if !ok || legacy != text {
		t.Errorf("decodeRender of an older description = %v, %v", ok, legacy == text)
	}
	for _, broken := range []string{"", "x\n" + baseTrailer + "not base64", "x\n" + baseTrailer + "H4sI", "x\n" + baseTrailer + "aGVsbG8="} {
		if _, ok := decodeBase(broken); ok {
			t.Errorf("decodeBase(%q) succeeded", broken)
		}
	}
}

// TestScheduledDraftKeepsAnOverdueDraft: last month's draft still open when
// the next is due: no second draft, one comment saying so.
func TestScheduledDraftKeepsAnOverdueDraft(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	w.svc.Now = func() time.Time { return now }
	ctx := context.Background()
	out, err := w.svc.ScheduledDraft(ctx)
	check(t, err)
	if !out.Opened {
		t.Fatalf("the draft of edition 44 did not open: %q", out.Held)
	}
	now = time.Date(2027, 1, 2, 10, 0, 0, 0, time.UTC) // edition 44 (Dec 29) was never merged
	for range 2 {
		out, err = w.svc.ScheduledDraft(ctx)
		check(t, err)
		if out.Opened || out.Overdue != 45 || out.Draft.Number != 44 {
			t.Fatalf("opened %v, overdue %d, draft %d; want the edition 44 draft kept and 45 overdue", out.Opened, out.Overdue, out.Draft.Number)
		}
	}
	pulls, err := w.sim.PullRequests(repoFN)
	check(t, err)
	if len(pulls) != 1 {
		t.Fatalf("%d pull requests, want 1", len(pulls))
	}
	cs, err := w.sim.Comments(repoFN, pulls[0].Number)
	check(t, err)
	if len(cs) != 1 || !strings.Contains(cs[0].Body, "The draft of edition 45 is due, but this one (edition 44) is still open") {
		t.Errorf("comments on the draft: %+v; want one saying edition 45 is due", cs)
	}
}

// A repository without the newsletter's labels gets them, coloured and
// explained; labels people made stay as they are, and a second run writes
// nothing.
func TestEnsureLabelsCreatesWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, "2026-11-25")
	check(t, w.sim.CreateRepo(githubsim.RepoSpec{Owner: simtest.Owner, Name: "bare", Labels: []string{"Newsletter: JOB"}}))
	check(t, w.sim.AddInstallationRepos(simtest.InstallationID, simtest.Owner+"/bare"))
	repo, err := w.svc.GH.Repository(ctx, simtest.Owner, "bare")
	check(t, err)
	svc := *w.svc
	svc.Repo = repo

	created, err := svc.EnsureLabels(ctx)
	check(t, err)
	l := svc.Config.Labels
	want := []string{l.News, l.Event, l.Accepted, l.Declined, l.NeedsInfo, l.Deferred, l.Published, l.Repeat, l.Conflict}
	if strings.Join(created, "|") != strings.Join(want, "|") {
		t.Errorf("created %q, want %q", created, want)
	}
	label, _, err := w.svc.GH.Client().Issues.GetLabel(ctx, simtest.Owner, "bare", l.NeedsInfo)
	check(t, err)
	if label.GetColor() != "FBCA04" || !strings.Contains(label.GetDescription(), "what to fix") {
		t.Errorf("%s: colour %q, description %q", l.NeedsInfo, label.GetColor(), label.GetDescription())
	}
	names, err := svc.GH.LabelNames(ctx, repo)
	check(t, err)
	if len(names) != 10 || !slices.Contains(names, "Newsletter: JOB") {
		t.Errorf("labels now %q: want the 10, with the existing one as people wrote it", names)
	}

	w.sim.ResetStats()
	created, err = svc.EnsureLabels(ctx)
	check(t, err)
	if len(created) != 0 || w.writes() != 0 {
		t.Errorf("a second run created %q with %d writes", created, w.writes())
	}
	// Another replica creating the same label a moment before is no error.
	check(t, svc.GH.CreateLabel(ctx, repo, l.Accepted, "0E8A16", "again"))
}
