package demo

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// Story is what Play leaves behind, for tests to look at further.
type Story struct {
	Job, News, Event, LateJob int // issue numbers
	Gone                      int // a job whose link answers 404
	// Repeat is the job filed again after publication: a duplicate of
	// the published one, taken again on purpose with /newsletter repeat.
	Repeat int
	// Next is the number the next issue filed gets.
	Next        int
	Draft       int // the draft pull request
	EditionPath string
	Edition     string // the merged edition file, from the default branch
	MergeSHA    string
	Failures    []string // what did not hold; empty when the story held
}

// Held reports whether every expectation of the story was met.
func (s *Story) Held() bool { return len(s.Failures) == 0 }

// The people of the story (see simtest): maya maintains the repository,
// ana and ben are community members.
const (
	maya = simtest.Maintainer
	ana  = simtest.Member
	ben  = simtest.Member2
)

// Play runs one month of the newsletter on w, printing a transcript of
// what people do and what the bot answers to out. It returns an error only
// when it could not go on; expectations that fail are listed in
// Story.Failures, and the story goes on as far as it can.
func Play(ctx context.Context, w *World, out io.Writer) (*Story, error) {
	p := &player{w: w, out: out, st: &Story{}, seen: snapshot{}, pushed: map[string]bool{}}
	if err := p.play(ctx); err != nil {
		return p.st, err
	}
	return p.st, nil
}

type player struct {
	w      *World
	out    io.Writer
	st     *Story
	seen   snapshot
	pushed map[string]bool // commits people pushed; other branch moves are the bot's
}

func (p *player) play(ctx context.Context) error {
	sim, cal := p.w.Sim, p.w.Calendar
	var err error
	if p.seen, err = take(sim); err != nil {
		return err
	}
	p.day("a month of the OSPO Newsletter in "+simtest.Repo, cal.Now())
	p.say("The repository holds editions 42 and 43 and the README index; the app is installed.")

	// Submissions, one of each kind; one invalid, then fixed by an edit.
	job, err := p.open(ctx, ana, drafts.KindJob, map[string]string{"organization": "Comcast", "title": "Engineer, Open Source",
		"link": "https://jobs.example.com/comcast/engineer-open-source", "location": "United States"})
	if err != nil {
		return err
	}
	p.st.Job = job
	p.expectStatus(job, "- [🇺🇸 Comcast | Engineer, Open Source](https://jobs.example.com/comcast/engineer-open-source)")

	news, err := p.open(ctx, ben, drafts.KindNews, map[string]string{"category": "Blog", "title": "TODO Group 2026 mid-year review",
		"summary": "what the community shipped this year", "link": "todogroup blog, mid-year post"})
	if err != nil {
		return err
	}
	p.st.News = news
	p.expectLabel(news, drafts.DefaultConfig().Labels.NeedsInfo, true)
	p.expectStatus(news, "**Link**")

	p.act(fmt.Sprintf("%s edits #%d and puts in a real link", ben, news))
	fixed := drafts.DefaultForms()[drafts.KindNews].RenderBody(map[string]string{"category": "Blog", "title": "TODO Group 2026 mid-year review",
		"summary": "what the community shipped this year", "link": "https://todogroup.example.org/blog/mid-year-2026/"})
	if _, err := sim.Actor(ben).EditIssue(simtest.Repo, news, githubsim.IssueEdit{Body: &fixed}); err != nil {
		return err
	}
	if err := p.settle(ctx); err != nil {
		return err
	}
	p.expectLabel(news, drafts.DefaultConfig().Labels.NeedsInfo, false)
	p.expectStatus(news, "- [Blog] TODO Group 2026 mid-year review — what the community shipped this year. [here](https://todogroup.example.org/blog/mid-year-2026/)")

	event, err := p.open(ctx, ana, drafts.KindEvent, map[string]string{"name": "OSPOCon Europe 2027", "start_date": "2027-03-16",
		"end_date": "2027-03-17", "city": "Amsterdam", "country": "Netherlands", "link": "https://events.example.org/ospocon-europe-2027/",
		"cfp_deadline": "2027-01-10"})
	if err != nil {
		return err
	}
	p.st.Event = event
	p.expectStatus(event, "OSPOCon Europe 2027 (March 16–17, 2027, Amsterdam, Netherlands)")

	// Triage: a member may not accept; the maintainer may.
	refused, err := p.comment(ctx, ana, job, "/newsletter accept")
	if err != nil {
		return err
	}
	p.expectReaction(refused, "confused")
	p.expectReply(job, "@"+ana+": `/newsletter accept`: only maintainers")
	p.expectLabel(job, drafts.DefaultConfig().Labels.Accepted, false)
	for _, n := range []int{job, news, event} {
		c, err := p.comment(ctx, maya, n, "/newsletter accept")
		if err != nil {
			return err
		}
		p.expectReaction(c, "+1")
		p.expectLabel(n, drafts.DefaultConfig().Labels.Accepted, true)
	}

	// The schedule: the draft of edition 44 falls due on the 1st.
	cal.Set(time.Date(2026, time.December, 1, 9, 5, 0, 0, time.UTC))
	p.day("the draft falls due (draft.schedule \"0 9 1 * *\")", cal.Now())
	p.act("the bot's periodic resync runs")
	if err := p.w.Resync(ctx); err != nil {
		return err
	}
	if err := p.report(); err != nil {
		return err
	}
	pr, ok := p.draftPR()
	if !ok {
		p.fail("no draft pull request was opened when the draft fell due")
		return nil
	}
	p.st.Draft, p.st.EditionPath = pr.Number, "newsletter/2026-12-29.md"
	p.expect(pr.Draft && pr.Head == reconcile.BranchFor(44), "the draft is a draft PR from %s, got draft=%v head=%s", reconcile.BranchFor(44), pr.Draft, pr.Head)
	for _, n := range []int{job, news, event} {
		p.expect(strings.Contains(pr.Body, fmt.Sprintf("- #%d ", n)), "the PR body lists #%d as in the edition", n)
		p.expectStatus(n, fmt.Sprintf("in draft pull request #%d", pr.Number))
	}
	file := p.file(pr.Head, p.st.EditionPath)
	for _, want := range []string{"# OSPO Newsletter 44\n", "Comcast | Engineer, Open Source", "TODO Group 2026 mid-year review", "OSPOCon Europe 2027"} {
		p.expect(strings.Contains(file, want), "the draft edition holds %q", want)
	}
	p.expect(strings.Contains(p.file(pr.Head, "newsletter/README.md"), "Issue 44"), "the draft's README index lists edition 44")

	// A maintainer writes the feature on the branch.
	cal.Set(time.Date(2026, time.December, 8, 10, 0, 0, 0, time.UTC))
	p.day("a maintainer writes the feature", cal.Now())
	feature := "## 🎄 The year in review\n\nTwelve editions, forty jobs and a new home for the newsletter: thank you, all.\n"
	edited := placeholder.ReplaceAllString(file, feature)
	p.expect(edited != file, "the draft edition has the maintainers' placeholder")
	p.act(fmt.Sprintf("%s edits %s on %s (a push to the draft PR)", maya, p.st.EditionPath, pr.Head))
	handSHA, err := sim.Actor(maya).EditFile(simtest.Repo, pr.Head, p.st.EditionPath, edited)
	if err != nil {
		return err
	}
	p.pushed[handSHA] = true
	if err := p.settle(ctx); err != nil {
		return err
	}
	tip, _ := sim.BranchSHA(simtest.Repo, pr.Head)
	p.expect(tip == handSHA, "the bot leaves a hand edit alone when nothing else changed (branch tip %s, the edit %s)", short(tip), short(handSHA))

	// A late submission is merged in around the hand edit.
	cal.Set(time.Date(2026, time.December, 10, 15, 0, 0, 0, time.UTC))
	p.day("a late submission", cal.Now())
	late, err := p.open(ctx, ben, drafts.KindJob, map[string]string{"organization": "Sovereign Tech Agency", "title": "Technical Program Manager",
		"link": "https://jobs.example.org/sta/tpm", "location": "Remote"})
	if err != nil {
		return err
	}
	p.st.LateJob = late
	c, err := p.comment(ctx, maya, late, "/newsletter accept")
	if err != nil {
		return err
	}
	p.expectReaction(c, "+1")
	file = p.file(pr.Head, p.st.EditionPath)
	p.expect(strings.Contains(file, feature), "the hand-written feature survives the bot's update")
	p.expect(strings.Contains(file, "- [🌐 Sovereign Tech Agency | Technical Program Manager](https://jobs.example.org/sta/tpm)"),
		"the late job is merged into the draft")
	p.expectStatus(late, fmt.Sprintf("in draft pull request #%d", pr.Number))

	// A job whose posting is already gone: its link answers 404 (the
	// world's own job site, on loopback), which its status says at once;
	// the needs-info label keeps it out of the draft.
	gone, err := p.open(ctx, ben, drafts.KindJob, map[string]string{"organization": "Initech", "title": "OSPO Lead",
		"link": p.w.Site + "/jobs/gone", "location": "Germany"})
	if err != nil {
		return err
	}
	p.st.Gone = gone
	p.expectStatus(gone, "The page was not found (HTTP 404)")
	p.expectLabel(gone, drafts.DefaultConfig().Labels.NeedsInfo, true)
	c, err = p.comment(ctx, maya, gone, "/newsletter accept")
	if err != nil {
		return err
	}
	p.expectReaction(c, "+1")
	p.expectStatus(gone, "accepted, pending a fix")
	p.expect(!strings.Contains(p.file(pr.Head, p.st.EditionPath), "Initech"), "the job whose posting is gone stays out of the draft")

	// Publication.
	cal.Set(time.Date(2026, time.December, 29, 16, 0, 0, 0, time.UTC))
	p.day("publication day", cal.Now())
	p.act(fmt.Sprintf("%s marks #%d ready for review and merges it", maya, pr.Number))
	if _, err := sim.Actor(maya).MarkReady(simtest.Repo, pr.Number); err != nil {
		return err
	}
	merged, err := sim.Actor(maya).MergePR(simtest.Repo, pr.Number)
	if err != nil {
		return err
	}
	if err := p.settle(ctx); err != nil {
		return err
	}
	p.st.MergeSHA = merged.MergeCommitSHA
	link := fmt.Sprintf("https://github.com/%s/blob/%s/%s", simtest.Repo, merged.MergeCommitSHA, p.st.EditionPath)
	for _, n := range []int{job, news, event, late} {
		p.expect(p.hasBotComment(n, link), "#%d gets a comment linking to the edition at the merge commit (%s)", n, link)
		p.expectLabel(n, drafts.DefaultConfig().Labels.Published, true)
	}
	for _, n := range []int{job, news, late} {
		p.expectState(n, "closed", "completed")
	}
	p.expectState(event, "open", "")

	// The published job is suggested again, with tracking parameters: a
	// duplicate of edition 44, said at once; posted again on purpose, a
	// maintainer takes it for the next edition.
	cal.Set(time.Date(2026, time.December, 30, 10, 0, 0, 0, time.UTC))
	p.day("the same job, suggested again", cal.Now())
	again, err := p.open(ctx, ben, drafts.KindJob, map[string]string{"organization": "Comcast", "title": "Engineer, Open Source",
		"link": "https://www.jobs.example.com/comcast/engineer-open-source/?utm_source=linkedin&utm_medium=social", "location": "United States"})
	if err != nil {
		return err
	}
	p.st.Repeat, p.st.Next = again, again+1
	p.expectStatus(again, fmt.Sprintf("was already published in edition 44 (#%d)", job))
	p.expectLabel(again, drafts.DefaultConfig().Labels.NeedsInfo, true)
	c, err = p.comment(ctx, maya, again, "/newsletter repeat")
	if err != nil {
		return err
	}
	p.expectReaction(c, "+1")
	p.expectLabel(again, drafts.DefaultConfig().Labels.Repeat, true)
	p.expectLabel(again, drafts.DefaultConfig().Labels.NeedsInfo, false)
	p.expectStatus(again, "- [🇺🇸 Comcast | Engineer, Open Source](https://www.jobs.example.com/comcast/engineer-open-source/)")

	p.st.Edition = p.file("main", p.st.EditionPath)
	p.day("the published edition", cal.Now())
	fmt.Fprintf(p.out, "%s on main:\n\n%s\n", p.st.EditionPath, p.st.Edition)
	p.expect(strings.Contains(p.st.Edition, feature) && strings.Contains(p.st.Edition, "Sovereign Tech Agency"),
		"the published edition holds the feature and every accepted item")
	return nil
}

// placeholder is the comment the default template leaves for the feature.
var placeholder = regexp.MustCompile(`(?m)^<!-- ✍️ Maintainers:.*-->\n`)

// ---- acting ----

func (p *player) open(ctx context.Context, who string, k drafts.Kind, answers map[string]string) (int, error) {
	forms := drafts.DefaultForms()
	title := forms[k].Title + answers[forms[k].Fields()[0].ID]
	p.act(fmt.Sprintf("%s opens %q from the %s form", who, title, k))
	is, err := simtest.OpenSubmission(p.w.Sim, who, k, answers)
	if err != nil {
		return 0, err
	}
	return is.Number, p.settle(ctx)
}

func (p *player) comment(ctx context.Context, who string, n int, body string) (int64, error) {
	p.act(fmt.Sprintf("%s comments on #%d: %s", who, n, body))
	c, err := p.w.Sim.Actor(who).Comment(simtest.Repo, n, body)
	if err != nil {
		return 0, err
	}
	if err := p.settle(ctx); err != nil {
		return 0, err
	}
	rs, err := p.w.Sim.CommentReactions(simtest.Repo, c.ID)
	if err != nil {
		return 0, err
	}
	var mine []string
	for _, r := range rs {
		if r.User == simtest.BotLogin {
			mine = append(mine, emoji(r.Content))
		}
	}
	if len(mine) > 0 {
		p.bot("reacts " + strings.Join(mine, " ") + " to the comment")
	}
	return c.ID, nil
}

// settle waits for the bot, then prints what it did.
func (p *player) settle(ctx context.Context) error {
	if err := p.w.Settle(ctx); err != nil {
		return err
	}
	return p.report()
}

// ---- the transcript ----

func (p *player) day(what string, t time.Time) {
	fmt.Fprintf(p.out, "\n━━ %s · %s\n\n", t.Format("Mon 2 Jan 2006"), what)
}

func (p *player) say(s string) { fmt.Fprintf(p.out, "%s\n", s) }
func (p *player) act(s string) { fmt.Fprintf(p.out, "▶ %s\n", s) }
func (p *player) bot(s string) { fmt.Fprintf(p.out, "  🤖 %s\n", s) }

// report prints what changed on GitHub since the last look: the bot's
// comments, labels, states, pull requests and branch moves.
func (p *player) report() error {
	now, err := take(p.w.Sim)
	if err != nil {
		return err
	}
	for _, n := range now.numbers() { // new pull requests first: comments name them
		if is := now.issues[n]; p.seen.issues[n].Number == 0 && is.IsPullRequest && is.User == simtest.BotLogin {
			pr := now.pulls[n]
			p.bot(fmt.Sprintf("opens draft pull request #%d %q from %s", n, pr.Title, pr.Head))
			p.quote(pr.Body)
		}
	}
	for _, n := range now.numbers() {
		was, is := p.seen.issues[n], now.issues[n]
		what := "#" + fmt.Sprint(n)
		if is.IsPullRequest {
			what = "PR #" + fmt.Sprint(n)
		}
		for _, c := range now.comments[n] {
			old, had := p.seen.commentBody(n, c.ID)
			switch {
			case c.User != simtest.BotLogin:
			case !had:
				p.bot("comments on " + what + ":")
				p.quote(c.Body)
			case old != c.Body:
				p.bot("updates its comment on " + what + ":")
				p.quote(c.Body)
			}
		}
		if was.Number != 0 {
			for _, l := range is.Labels {
				if !slices.Contains(was.Labels, l) {
					p.bot(fmt.Sprintf("labels %s %q", what, l))
				}
			}
			for _, l := range was.Labels {
				if !slices.Contains(is.Labels, l) {
					p.bot(fmt.Sprintf("removes %q from %s", l, what))
				}
			}
			if was.State != is.State && !is.IsPullRequest {
				p.bot(fmt.Sprintf("%s %s (%s)", map[string]string{"closed": "closes", "open": "reopens"}[is.State], what, is.StateReason))
			}
		} else if len(is.Labels) > 0 && !is.IsPullRequest {
			p.say(fmt.Sprintf("  #%d carries %s", n, strings.Join(quoteAll(is.Labels), ", ")))
		}
		if pr, ok := now.pulls[n]; ok && was.Number != 0 {
			if old := p.seen.pulls[n]; old.HeadSHA != pr.HeadSHA && !p.pushed[pr.HeadSHA] {
				p.bot(fmt.Sprintf("commits to %s (%s)", pr.Head, short(pr.HeadSHA)))
			}
		}
	}
	p.seen = now
	return nil
}

// quote prints a comment as a reader sees it: hidden markers and the
// folded markdown source left out.
func (p *player) quote(body string) {
	body = hidden.ReplaceAllString(body, "")
	body = folded.ReplaceAllString(body, "")
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		fmt.Fprintf(p.out, "     │ %s\n", line)
	}
}

var (
	hidden = regexp.MustCompile(`(?m)^<!-- newsletter-bot:[^>]*-->\n?`)
	folded = regexp.MustCompile(`(?s)<details><summary>Markdown</summary>.*?</details>\n*`)
)

func emoji(content string) string {
	switch content {
	case "+1":
		return "👍"
	case "confused":
		return "😕"
	case "eyes":
		return "👀"
	}
	return content
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// ---- expectations ----

func (p *player) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.st.Failures = append(p.st.Failures, msg)
	fmt.Fprintf(p.out, "  ✗ DID NOT HOLD: %s\n", msg)
}

func (p *player) expect(ok bool, format string, args ...any) {
	if !ok {
		p.fail(format, args...)
	}
}

func (p *player) expectStatus(n int, want string) {
	var status []string
	for _, c := range p.seen.comments[n] {
		if c.User == simtest.BotLogin && strings.Contains(c.Body, "<!-- newsletter-bot:status -->") {
			status = append(status, c.Body)
		}
	}
	switch {
	case len(status) != 1:
		p.fail("#%d has %d status comments, want exactly one", n, len(status))
	case !strings.Contains(status[0], want):
		p.fail("#%d's status comment does not show %q", n, want)
	}
}

func (p *player) expectReply(n int, want string) {
	p.expect(p.hasBotComment(n, want), "#%d has a reply from the bot saying %q", n, want)
}

func (p *player) hasBotComment(n int, want string) bool {
	count := 0
	for _, c := range p.seen.comments[n] {
		if c.User == simtest.BotLogin && strings.Contains(c.Body, want) {
			count++
		}
	}
	return count == 1
}

func (p *player) expectLabel(n int, label string, want bool) {
	has := slices.Contains(p.seen.issues[n].Labels, label)
	p.expect(has == want, "#%d has label %q: %v, want %v", n, label, has, want)
}

func (p *player) expectState(n int, state, reason string) {
	is := p.seen.issues[n]
	p.expect(is.State == state && is.StateReason == reason, "#%d is %s (%s), want %s (%s)", n, is.State, is.StateReason, state, reason)
}

func (p *player) expectReaction(commentID int64, content string) {
	rs, err := p.w.Sim.CommentReactions(simtest.Repo, commentID)
	if err != nil {
		p.fail("reactions of comment %d: %v", commentID, err)
		return
	}
	var mine []string
	for _, r := range rs {
		if r.User == simtest.BotLogin && r.Content != "eyes" {
			mine = append(mine, r.Content)
		}
	}
	p.expect(len(mine) == 1 && mine[0] == content, "the bot reacts %s to comment %d, got %v", content, commentID, mine)
}

func (p *player) draftPR() (githubsim.PullRequest, bool) {
	for _, n := range p.seen.numbers() {
		if pr, ok := p.seen.pulls[n]; ok && pr.State == "open" && strings.HasPrefix(pr.Head, reconcile.BranchPrefix) {
			return pr, true
		}
	}
	return githubsim.PullRequest{}, false
}

func (p *player) file(ref, path string) string {
	text, err := p.w.Sim.File(simtest.Repo, ref, path)
	if err != nil {
		p.fail("read %s at %s: %v", path, ref, err)
	}
	return text
}

// ---- snapshots of the repository ----

type snapshot struct {
	issues   map[int]githubsim.Issue
	comments map[int][]githubsim.Comment
	pulls    map[int]githubsim.PullRequest
}

func take(sim *githubsim.Sim) (snapshot, error) {
	s := snapshot{issues: map[int]githubsim.Issue{}, comments: map[int][]githubsim.Comment{}, pulls: map[int]githubsim.PullRequest{}}
	issues, err := sim.Issues(simtest.Repo)
	if err != nil {
		return s, err
	}
	for _, i := range issues {
		s.issues[i.Number] = i
		if s.comments[i.Number], err = sim.Comments(simtest.Repo, i.Number); err != nil {
			return s, err
		}
	}
	pulls, err := sim.PullRequests(simtest.Repo)
	if err != nil {
		return s, err
	}
	for _, pr := range pulls {
		s.pulls[pr.Number] = pr
	}
	return s, nil
}

func (s snapshot) numbers() []int {
	ns := make([]int, 0, len(s.issues))
	for n := range s.issues {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	return ns
}

func (s snapshot) commentBody(n int, id int64) (string, bool) {
	for _, c := range s.comments[n] {
		if c.ID == id {
			return c.Body, true
		}
	}
	return "", false
}
