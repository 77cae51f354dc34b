package reconcile

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/pace"
)

// Draft is the open draft pull request of an edition, as the bot opened it.
type Draft struct {
	Pull    Pull
	Number  int         // the edition
	Date    drafts.Date // its publication day
	Path    string      // its file
	Current bool        // false when it is an older edition still open
	// File is the edition file on the branch, when the caller has read
	// it ("" otherwise).
	File string
	// items are those of the branch's tip, when the caller has them (nil
	// otherwise): a submission's duplicates are found in them.
	items *drafts.Items
}

// Conflict reports whether the bot's updates of the draft are held back
// by a conflict with hand edits (the conflict label is on the pull request).
func (d *Draft) Conflict(cfg *drafts.Config) bool {
	for _, l := range d.Pull.Labels {
		if strings.EqualFold(l, cfg.Labels.Conflict) {
			return true
		}
	}
	return false
}

// markerRE finds the hidden marker a comment of the bot's starts with.
var markerRE = regexp.MustCompile(`<!-- newsletter-bot:[a-z-]+( [^>]*)? -->`)

var editionMarkerRE = regexp.MustCompile(`<!-- newsletter-bot:edition (\d+) (\d{4}-\d{2}-\d{2}) (\S+) -->`)

// draftOf reads the edition a pull request drafts. Only the bot's own pull
// request is a draft: opened by the bot's user, from the draft branch of
// the edition in this repository (not a fork: a fork's head.ref is a bare
// branch name too), carrying the bot's marker with a path the config's
// pattern produces. Anything else is ignored, and never edited.
func (s *Service) draftOf(p Pull) (Draft, bool) {
	if !strings.HasPrefix(p.Head, BranchPrefix) || !s.draftAuthor(p.User) || !strings.EqualFold(p.HeadRepo, s.Repo.FullName()) {
		return Draft{}, false
	}
	m := editionMarkerRE.FindStringSubmatch(p.Body)
	if m == nil {
		return Draft{}, false
	}
	n, _ := strconv.Atoi(m[1])
	d, err := drafts.ParseDate(m[2])
	if err != nil || BranchFor(n) != p.Head {
		return Draft{}, false
	}
	f, ok := drafts.ParseEditionPath(s.Config, m[3])
	if !ok || (f.Number != 0 && f.Number != n) || (!f.Date.IsZero() && !f.Date.Equal(d.Time)) || !safePath(m[3]) {
		return Draft{}, false
	}
	return Draft{Pull: p, Number: n, Date: d, Path: m[3]}, true
}

// safePath reports whether p names a file inside the repository.
func safePath(p string) bool {
	return p != "" && !strings.HasPrefix(p, "/") && path.Clean(p) == p && !strings.HasPrefix(p, "../") && p != ".."
}

// OpenDraft finds the open draft pull request with the lowest edition
// number: the one still to be published first. ok is false when none is open.
func (s *Service) OpenDraft(ctx context.Context) (Draft, bool, error) {
	pulls, err := s.GH.OpenPulls(ctx, s.Repo)
	if err != nil {
		return Draft{}, false, err
	}
	var best Draft
	found := false
	for _, p := range pulls {
		if d, ok := s.draftOf(p); ok && (!found || d.Number < best.Number) {
			best, found = d, true
		}
	}
	return best, found, nil
}

// openDraft is OpenDraft as a pointer, nil when no draft is open.
func (s *Service) openDraft(ctx context.Context) (*Draft, error) {
	d, ok, err := s.OpenDraft(ctx)
	if err != nil || !ok {
		return nil, err
	}
	return &d, nil
}

// currentEdition is the edition a submission accepted now is headed for:
// the open draft's, else the next one to be planned.
func (s *Service) currentEdition(ctx context.Context) (int, error) {
	d, err := s.openDraft(ctx)
	if err != nil {
		return 0, err
	}
	if d != nil {
		return d.Number, nil
	}
	ed, _, _, err := s.plan(ctx)
	return ed.Number, err
}

// editionAt is the edition that was being prepared at t: the open draft's
// (or the next planned), unless editions were merged since t; then the
// oldest of those, and merged reports that it is out.
func (s *Service) editionAt(ctx context.Context, t time.Time) (n int, merged bool, err error) {
	if n, err = s.currentEdition(ctx); err != nil {
		return 0, false, err
	}
	for back := n - 1; back > 0 && back >= n-maxRepairBack; back-- {
		pulls, err := s.GH.Pulls(ctx, s.Repo, BranchFor(back), "closed")
		if err != nil {
			return 0, false, err
		}
		later := false
		for _, p := range pulls {
			// GitHub's timestamps have whole seconds: a merge in the
			// same second as t counts as after it.
			if _, ok := s.draftOf(p); ok && p.Merged && !p.MergedAt.Before(t.Truncate(time.Second)) {
				later = true
			}
		}
		if !later {
			break
		}
		n, merged = back, true
	}
	return n, merged, nil
}

// ReconcileIssue brings one issue up to date as it is on GitHub now (not
// as a webhook described it: deliveries come late and out of order): the
// open draft first, then the issue's status comment and labels, which say
// whether its line made it into the draft. The draft changes by this
// issue's item alone when its last commit carries the items (updateDraft):
// an event costs the same whatever the number of submissions.
func (s *Service) ReconcileIssue(ctx context.Context, number int) error {
	issue, err := s.GH.Issue(ctx, s.Repo, number)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted, or transferred away
	}
	if err != nil {
		return err
	}
	if kindOf(s.Config, issue) == "" || issue.IsPullRequest() {
		return nil
	}
	draft, fresh, err := s.updateDraft(ctx, issue)
	if err != nil || fresh == nil {
		return err // fresh is nil: deleted since
	}
	moved, err := s.reconcileSubmission(ctx, *fresh, draft, nil)
	if err != nil || !moved || draft == nil {
		return err
	}
	// The needs-info label just went on (a link that went bad, a
	// duplicate) or off (fixed), which the draft reads: the item leaves
	// it (or comes in) now, not on the label's own event, which may be
	// lost; the status then names the draft as it is.
	relabelled := fresh.WithLabel(s.Config.Labels.NeedsInfo, !fresh.HasLabel(s.Config.Labels.NeedsInfo))
	if draft, fresh, err = s.updateDraft(ctx, relabelled); err != nil || fresh == nil {
		return err
	}
	_, err = s.reconcileSubmission(ctx, *fresh, draft, nil)
	return err
}

// ReconcileSubmission keeps one issue's newsletter state right: the
// needs-info label while the submission has problems, and ONE status comment
// with the line it will carry or what to fix, the edition it is headed for
// and the draft. draft is the open draft, if any (see OpenDraft).
func (s *Service) ReconcileSubmission(ctx context.Context, issue drafts.Issue, draft *Draft) error {
	_, err := s.reconcileSubmission(ctx, issue, draft, nil)
	return err
}

// reconcileSubmission is ReconcileSubmission with the issue's comments,
// when they were listed already (nil: read them). It reports whether it
// put the needs-info label on or took it off a submission whose fields
// are fine, which moves it out of the draft or into it: issue, as
// changed, is the one to update the draft with.
func (s *Service) reconcileSubmission(ctx context.Context, issue drafts.Issue, draft *Draft, comments []Comment) (moved bool, err error) {
	p := drafts.NewParser(s.Config, s.Forms)
	sub := p.Parse(issue)
	if sub.Kind == "" || sub.Status.PullRequest {
		return false, nil // not a submission: nothing to say
	}
	fit := sub.Valid()
	link := s.checkLink(ctx, &sub, issue)
	if link.problem != nil {
		sub.Problems = append(sub.Problems, *link.problem)
	}
	dups, err := s.duplicateProblems(ctx, &sub, draft)
	if err != nil {
		return false, err
	}
	sub.Problems = append(sub.Problems, dups...)
	labels := s.Config.Labels
	// needs-info says whether the submission has problems, whatever its
	// state: a closed one keeps it while it has them, and loses it once
	// an edit fixed them, however late the bot sees which came first.
	{
		want := len(sub.Problems) > 0
		has := issue.HasLabel(labels.NeedsInfo)
		switch {
		case want && !has:
			if err := s.write("label needs-info", issue.Number, func() error {
				return s.GH.AddLabels(ctx, s.Repo, issue.Number, labels.NeedsInfo)
			}); err != nil {
				return false, err
			}
			moved = fit
		case !want && has:
			if err := s.write("unlabel needs-info", issue.Number, func() error {
				return s.GH.RemoveLabel(ctx, s.Repo, issue.Number, labels.NeedsInfo)
			}); err != nil {
				return false, err
			}
			moved = fit
		}
	}
	if comments == nil {
		if comments, err = s.GH.Comments(ctx, s.Repo, issue.Number); err != nil {
			return false, err
		}
	}
	st := statusFacts{deferredPast: s.deferredPast(comments), declined: s.declineReason(comments), linkWarning: link.warning}
	if eds := s.publishedIn(comments); len(eds) > 0 {
		st.published = slices.Max(eds)
	}
	if draft != nil && sub.Valid() && draft.Conflict(s.Config) {
		// While a conflict holds the bot's updates back, a new item is
		// not in the draft yet: say so, not "in the draft".
		if draft.File == "" {
			if draft.File, err = s.GH.File(ctx, s.Repo, BranchFor(draft.Number), draft.Path); err != nil && !errors.Is(err, ErrNotFound) {
				return false, err
			}
		}
		st.heldByConflict = !strings.Contains(draft.File, "]("+sub.Link()+")")
	}
	body, err := s.statusComment(&sub, issue, draft, st)
	if err != nil {
		return false, err
	}
	return moved, s.upsertIn(ctx, issue.Number, comments, statusMarker, body)
}

// publishedIn reads the editions an item was published in from the bot's
// publication comments.
func (s *Service) publishedIn(comments []Comment) []int {
	var out []int
	for _, c := range comments {
		if !s.isBot(c.User) {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(c.Body, publishedMarker, &n); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// deferredPast reads the edition a deferred item skips from the bot's
// deferral comment; 0 when there is none (the label was put on by hand).
func (s *Service) deferredPast(comments []Comment) int {
	for i := len(comments) - 1; i >= 0; i-- {
		c := comments[i]
		if !s.isBot(c.User) {
			continue
		}
		if _, rest, ok := strings.Cut(c.Body, deferredPrefix); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.Fields(rest)[0], "-->"))
			return n
		}
	}
	return 0
}

// UpdateStatuses brings every open submission's status comment up to date
// with draft, the draft just opened (nil: none is open). The comments are
// read in one listing of the repository's (about one request per hundred
// comments), and a status is edited only where its text changed: opening a
// draft changes the statuses of the items it takes in, not the others.
func (s *Service) UpdateStatuses(ctx context.Context, draft *Draft) (int, error) {
	ctx = pace.WithPriority(ctx, pace.Bulk) // many writes: after answers and new submissions
	issues, err := s.submissions(ctx)
	if err != nil {
		return 0, err
	}
	byIssue, err := s.commentsOf(ctx, issues)
	if err != nil {
		return 0, err
	}
	if draft != nil && draft.Conflict(s.Config) && draft.File == "" {
		d := *draft // read the branch's file once for every status
		if d.File, err = s.GH.File(ctx, s.Repo, BranchFor(d.Number), d.Path); err != nil && !errors.Is(err, ErrNotFound) {
			return 0, err
		}
		draft = &d
	}
	s.prefetchLinks(ctx, issues)
	if passOf(ctx) == nil {
		ctx = withPass(ctx, &pass{}) // what every status needs is read once
	}
	if draft == nil {
		if _, err := s.linkIndex(ctx, issues); err != nil {
			return 0, err
		}
	}
	var errs []error
	for _, i := range issues { // one issue's failure does not hold the others back
		var comments []Comment
		if byIssue != nil {
			comments = byIssue[i.Number]
			if comments == nil {
				comments = []Comment{} // listed: it has none
			}
		}
		if _, err := s.reconcileSubmission(ctx, i, draft, comments); err != nil {
			errs = append(errs, fmt.Errorf("issue #%d: %w", i.Number, err))
		}
	}
	return len(issues), errors.Join(errs...)
}

// perIssueReads is how many submissions are cheaper to read one by one
// than with a listing of the repository's comments, which may hold many
// more than theirs.
const perIssueReads = 20

// commentsOf lists the comments of issues by issue, in one listing of the
// repository's comments since the oldest of them was created; nil when
// there are few enough issues to read theirs one by one.
func (s *Service) commentsOf(ctx context.Context, issues []drafts.Issue) (map[int][]Comment, error) {
	if len(issues) <= perIssueReads {
		return nil, nil
	}
	var since time.Time
	for _, i := range issues {
		if i.CreatedAt.IsZero() {
			since = time.Time{}
			break
		}
		if since.IsZero() || i.CreatedAt.Before(since) {
			since = i.CreatedAt
		}
	}
	// A comment's updated_at is never before its issue was created; the
	// listing filters on it. A minute of margin for clock skew.
	if !since.IsZero() {
		since = since.Add(-time.Minute)
	}
	all, err := s.GH.RepoComments(ctx, s.Repo, since)
	if err != nil {
		return nil, err
	}
	wanted := make(map[int]bool, len(issues))
	for _, i := range issues {
		wanted[i.Number] = true
	}
	out := make(map[int][]Comment, len(issues))
	for _, c := range all {
		if wanted[c.IssueNumber] {
			out[c.IssueNumber] = append(out[c.IssueNumber], c)
		}
	}
	return out, nil
}

// upsertComment keeps exactly one bot comment with marker on an issue:
// created when missing, edited when different, and any duplicate (two
// replicas racing) deleted, the oldest kept.
func (s *Service) upsertComment(ctx context.Context, number int, marker, body string) error {
	comments, err := s.GH.Comments(ctx, s.Repo, number)
	if err != nil {
		return err
	}
	return s.upsertIn(ctx, number, comments, marker, body)
}

// upsertIn is upsertComment over the issue's comments as just listed. It
// also deletes the later copies of any other comment of the bot's that
// exists twice (two replicas created it at once and the one that should
// have deleted its copy failed or died), so every marker ends up once on
// an issue whose status is reconciled.
func (s *Service) upsertIn(ctx context.Context, number int, comments []Comment, marker, body string) error {
	var mine []Comment
	seen := map[string]bool{}
	for _, c := range comments {
		if !s.isBot(c.User) {
			continue
		}
		if strings.Contains(c.Body, marker) {
			mine = append(mine, c)
			continue
		}
		m := markerRE.FindString(c.Body)
		if m == "" {
			continue
		}
		if seen[m] {
			if err := s.write("delete duplicate comment", number, func() error { return s.GH.DeleteComment(ctx, s.Repo, c.ID) }); err != nil {
				return err
			}
			continue
		}
		seen[m] = true
	}
	if len(mine) == 0 {
		created, err := s.GH.CreateComment(ctx, s.Repo, number, body)
		if errors.Is(err, ErrDryRun) {
			s.Logger().Info("dry run: would comment", "issue", number)
			return nil
		}
		if err != nil {
			return err
		}
		return s.keepOldest(ctx, number, marker, created.ID)
	}
	for _, dup := range mine[1:] {
		if err := s.write("delete duplicate comment", number, func() error { return s.GH.DeleteComment(ctx, s.Repo, dup.ID) }); err != nil {
			return err
		}
	}
	if mine[0].Body == body {
		return nil
	}
	return s.write("edit comment", number, func() error { return s.GH.EditComment(ctx, s.Repo, mine[0].ID, body) })
}

// keepOldest runs right after the bot created comment id: if another
// replica created one with the same marker at the same moment, the later
// of the two creators sees both here and deletes its own, so exactly one
// stays without waiting for the next pass. One read per created comment.
func (s *Service) keepOldest(ctx context.Context, number int, marker string, id int64) error {
	comments, err := s.GH.Comments(ctx, s.Repo, number)
	if err != nil {
		return err
	}
	for _, c := range comments {
		if s.isBot(c.User) && strings.Contains(c.Body, marker) {
			if c.ID < id {
				s.Logger().Info("another replica commented first; deleting the duplicate", "issue", number)
				return s.GH.DeleteComment(ctx, s.Repo, id)
			}
			return nil
		}
	}
	return nil
}

// statusFacts are what a status says besides the issue itself, read from
// GitHub by ReconcileSubmission.
type statusFacts struct {
	deferredPast   int  // the edition a deferred item skips (0: unknown)
	heldByConflict bool // accepted, but a conflict on the draft keeps its line out
	published      int  // the last edition it was published in (0: none known)
	declined       string
	linkWarning    string // what the link check found that blocks nothing
}

// declineReason is the reason of the newest decline notice among the
// bot's comments ("" when there is none): the notice quotes it already
// neutralised.
func (s *Service) declineReason(comments []Comment) string {
	reason := ""
	for _, c := range comments {
		if !s.isBot(c.User) || !strings.HasPrefix(c.Body, "<!-- newsletter-bot:declined ") {
			continue
		}
		_, rest, ok := strings.Cut(c.Body, " for the newsletter: ")
		if !ok {
			continue
		}
		if r, _, ok := strings.Cut(rest, "\n\nThank you"); ok {
			reason = r
		}
	}
	return reason
}

// statusComment is the text of a submission's status comment.
func (s *Service) statusComment(sub *drafts.Submission, issue drafts.Issue, draft *Draft, st statusFacts) (string, error) {
	var b strings.Builder
	b.WriteString(statusMarker + "\n")
	fmt.Fprintf(&b, "### 📰 Newsletter preview (%s)\n\n", sub.Kind)
	pub := s.now()
	if draft != nil {
		pub = draft.Date
	}
	if len(sub.Problems) > 0 {
		if issue.State == "closed" {
			b.WriteString("This suggestion had problems when it was closed:\n\n")
		} else {
			fmt.Fprintf(&b, "Thanks for the suggestion, @%s! Before it can go into the newsletter, please **edit the issue** to fix:\n\n", sub.Author)
		}
		for _, p := range sub.Problems {
			if p.Label != "" {
				fmt.Fprintf(&b, "- **%s**: %s\n", p.Label, p.Message)
			} else {
				fmt.Fprintf(&b, "- %s\n", p.Message)
			}
		}
		b.WriteString("\n**Status:** " + s.problemStatus(sub, issue, draft, st) + "\n")
		b.WriteString("\nThis comment updates when you save the issue.\n")
		return b.String(), nil
	}
	line, err := drafts.RenderLine(s.Config, sub, pub)
	if err != nil {
		return "", err
	}
	b.WriteString("This is how the suggestion will appear in the newsletter:\n\n")
	b.WriteString("> " + line + "\n\n")
	b.WriteString("<details><summary>Markdown</summary>\n\n" + drafts.CodeBlock("markdown", line) + "\n</details>\n\n")
	b.WriteString("**Status:** " + s.statusLine(sub, issue, draft, pub, st) + "\n")
	if st.linkWarning != "" {
		b.WriteString("\n⚠️ **Link:** " + st.linkWarning + "\n")
	}
	return b.String(), nil
}

func (s *Service) statusLine(sub *drafts.Submission, issue drafts.Issue, draft *Draft, pub drafts.Date, f statusFacts) string {
	st := sub.Status
	next := func() string {
		switch {
		case draft != nil && f.heldByConflict:
			return fmt.Sprintf("edition %d (%s); it joins draft pull request #%d once the conflict there is resolved "+
				"(the bot holds its updates back until then)", draft.Number, drafts.LongDate(draft.Date), draft.Pull.Number)
		case draft != nil:
			return fmt.Sprintf("edition %d (%s), in draft pull request #%d", draft.Number, drafts.LongDate(draft.Date), draft.Pull.Number)
		}
		return fmt.Sprintf("the next edition; its draft pull request opens on %s", s.Config.NextDraft(s.clock()).Format("January 2, 2006"))
	}
	publishedIn := "published"
	if f.published > 0 {
		publishedIn = fmt.Sprintf("published in edition %d", f.published)
	}
	switch {
	case st.Declined:
		return declined(f)
	case st.Published && sub.Kind != drafts.KindEvent:
		return publishedIn + ". Thank you!"
	case issue.State == "closed" && st.Published:
		return publishedIn + ". The event has taken place, so it has left the newsletter. Thank you!"
	case issue.State == "closed":
		return "withdrawn: the issue is closed."
	case sub.Kind == drafts.KindEvent && sub.Event.Last().Before(pub):
		return "the event is over before the next edition comes out, so it is not listed."
	case st.Deferred && f.deferredPast > 0:
		return fmt.Sprintf("accepted, and deferred by a maintainer: it skips edition %d and waits for edition %d, "+
			"which it joins by itself once edition %d is published. `%s accept` brings it back at once.",
			f.deferredPast, f.deferredPast+1, f.deferredPast, Prefix)
	case st.Deferred && draft != nil:
		return fmt.Sprintf("accepted, and deferred by a maintainer: it skips edition %d and waits for edition %d, "+
			"which it joins by itself once edition %d is published. `%s accept` brings it back at once.",
			draft.Number, draft.Number+1, draft.Number, Prefix)
	case st.Deferred:
		return fmt.Sprintf("accepted, and deferred by a maintainer: it skips the next edition to be published and joins the one after by itself. "+
			"`%s accept` brings it back at once.", Prefix)
	case s.Config.RequireApproval && !st.Accepted:
		return "waiting for a maintainer's review. Maintainers: comment `/newsletter accept`, or `/newsletter decline <reason>`; `/newsletter help` lists every command."
	case st.Published:
		return publishedIn + ". Events stay listed until they have taken place, so this one is also in " + next() + "."
	default:
		return "accepted for " + next() + "."
	}
}

// declined is the status of a declined submission, with the reason the
// maintainer gave.
func declined(f statusFacts) string {
	if f.declined == "" {
		return "declined by a maintainer."
	}
	return "declined by a maintainer: " + f.declined
}

// problemStatus is the status of a submission that has problems: what
// happens once they are fixed.
func (s *Service) problemStatus(sub *drafts.Submission, issue drafts.Issue, draft *Draft, f statusFacts) string {
	st := sub.Status
	switch {
	case st.Declined:
		return declined(f)
	case issue.State == "closed":
		return "closed."
	case st.Accepted && draft != nil:
		return fmt.Sprintf("accepted, pending a fix: once the issue is edited as above, it goes into edition %d, in draft pull request #%d.",
			draft.Number, draft.Pull.Number)
	case st.Accepted:
		return "accepted, pending a fix: once the issue is edited as above, it goes into the next edition."
	case s.Config.RequireApproval:
		return "needs a fix, then a maintainer's review."
	}
	return "needs a fix; then it goes into the next edition."
}
