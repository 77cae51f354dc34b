package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/pace"
)

// PullEvent handles what happened to a pull request on a draft branch:
// people pushed (merge the render again, which also clears a conflict), it
// opened (every submission's status names it), it was merged (publish) or
// closed unmerged (its items wait for the next draft, and their statuses
// say so). Pull requests that are not the bot's own drafts are ignored.
func (s *Service) PullEvent(ctx context.Context, action string, p Pull) error {
	d, ok := s.draftOf(p)
	if !ok {
		s.Logger().Debug("not the bot's draft; ignored", "pull", p.Number, "edition", 0, "user", p.User, "head_repo", p.HeadRepo)
		return nil
	}
	switch action {
	case "synchronize":
		_, err := s.retryDraft(ctx, remerge)
		return err
	case "closed":
		if p.Merged {
			_, err := s.Publish(ctx, p)
			return err
		}
		s.Logger().Info("the draft was closed without merging; its submissions wait for the next draft", "edition", d.Number, "pull", p.Number)
	}
	// Opened, reopened or closed: the statuses name the draft that is open now.
	draft, err := s.openDraft(ctx)
	if err != nil {
		return err
	}
	if action != "closed" && (draft == nil || draft.Pull.Number != p.Number) {
		return nil // an older event: the draft it opened is not the open one
	}
	n, err := s.UpdateStatuses(ctx, draft)
	s.Logger().Info("status comments name the open draft", "edition", d.Number, "pull", p.Number, "submissions", n)
	return err
}

// PullChanged brings the bot's side of pull request number up to date, as
// the pull request is now: what the deliveries said happened (opened, pushed
// by people, closed) only says what to look at, since several may have been
// merged into one call and the last may be old.
func (s *Service) PullChanged(ctx context.Context, number int, opened, pushed, closed bool) error {
	p, err := s.GH.Pull(ctx, s.Repo, number)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if pushed && p.State == "open" {
		if err := s.PullEvent(ctx, "synchronize", p); err != nil {
			return err
		}
	}
	switch {
	case p.State == "closed":
		return s.PullEvent(ctx, "closed", p)
	case opened || closed: // reopened since it was closed
		return s.PullEvent(ctx, "opened", p)
	}
	return nil
}

// PublishOutcome says what Publish did.
type PublishOutcome struct {
	Edition    int
	URL        string // the edition file at the merge commit
	Published  []int  // issues told where they were published
	Undeferred []int  // deferred issues that come back for the next edition
}

// Publish handles a merged draft pull request: every submission whose link
// is in the merged file gets "published in <link>" (once per edition), the
// published label, and jobs and news are closed as completed; events stay
// open to be listed again until they have taken place. Items deferred past
// this edition come back, and every open submission's status moves on.
// Last, the pull request itself gets the published label: until it has
// it, the publication is not done, and RepairPublications does it again
// (every step is idempotent), however long after the merge that is.
func (s *Service) Publish(ctx context.Context, pull Pull) (PublishOutcome, error) {
	ctx = pace.WithPriority(ctx, pace.Bulk) // a notice per item: after answers and new submissions
	d, ok := s.draftOf(pull)
	if !ok || !pull.Merged {
		return PublishOutcome{}, nil
	}
	out := PublishOutcome{Edition: d.Number,
		URL: fmt.Sprintf("%s/blob/%s/%s", s.htmlURL(), pull.MergeCommitSHA, d.Path)}
	// The edition's links are history now: read it afresh next time (a
	// replica that did not see the merge reads it within historyTTL).
	s.Memo.setHistory(s.Repo.FullName(), "", nil)
	if contains(pull.Labels, s.Config.Labels.Published) {
		return out, nil // done already
	}
	text, err := s.GH.File(ctx, s.Repo, pull.MergeCommitSHA, d.Path)
	if err != nil {
		return out, err
	}
	issues, err := s.submissions(ctx)
	if err != nil {
		return out, err
	}
	if !pull.MergedAt.IsZero() {
		// Published as the edition went out: also the items closed since
		// (declined, withdrawn while this publication waited for a lost
		// webhook to be repaired).
		updated, err := s.updatedIssues(ctx, pull.MergedAt)
		if err != nil {
			return out, err
		}
		for _, i := range submissionsOf(s.Config, updated) {
			if i.State == "closed" {
				issues = append(issues, i)
			}
		}
	}
	p := drafts.NewParser(s.Config, s.Forms)
	marker := fmt.Sprintf(publishedMarker, d.Number)
	for _, issue := range issues {
		if sub, ok := s.inEdition(p, issue, text); ok {
			if err := s.publishOne(ctx, issue, &sub, d, out.URL, marker); err != nil {
				return out, err
			}
			out.Published = append(out.Published, issue.Number)
			continue
		}
		if issue.State == "open" && issue.HasLabel(s.Config.Labels.Deferred) {
			back, err := s.undefer(ctx, issue, d.Number)
			if err != nil {
				return out, err
			}
			if back {
				out.Undeferred = append(out.Undeferred, issue.Number)
			}
		}
	}
	// The statuses that named this draft name the next one now.
	next, err := s.openDraft(ctx)
	if err != nil {
		return out, err
	}
	if _, err := s.UpdateStatuses(ctx, next); err != nil {
		return out, err
	}
	if err := s.write("label the draft published", pull.Number, func() error {
		return s.GH.AddLabels(ctx, s.Repo, pull.Number, s.Config.Labels.Published)
	}); err != nil {
		return out, err
	}
	s.Memo.setPublished(s.publishedKey(d.Number))
	s.Logger().Info("published the edition", "edition", d.Number, "pull", pull.Number, "issues", len(out.Published),
		"undeferred", len(out.Undeferred))
	return out, nil
}

// inEdition reports whether an issue's line is in an edition's text: its
// link is. The issue is read as its kind label says and, failing that, as
// each kind on its own: a publication runs once, and must not miss an item
// whose kind a command is changing at that moment ("kind event" adds the
// new label before it takes the old one off, and an issue with two kind
// labels does not parse as valid).
func (s *Service) inEdition(p *drafts.Parser, issue drafts.Issue, text string) (drafts.Submission, bool) {
	sub := p.Parse(issue)
	if sub.Valid() && strings.Contains(text, "]("+sub.Link()+")") {
		return sub, true
	}
	var others []drafts.Label // the labels that name no kind
	for _, l := range issue.Labels {
		if kindOf(s.Config, drafts.Issue{Labels: []drafts.Label{l}}) == "" {
			others = append(others, l)
		}
	}
	for _, k := range drafts.Kinds {
		as := issue
		as.Labels = append([]drafts.Label{{Name: s.Config.Labels.ForKind(k)}}, others...)
		if sub := p.Parse(as); sub.Valid() && strings.Contains(text, "]("+sub.Link()+")") {
			return sub, true
		}
	}
	return drafts.Submission{}, false
}

// undefer brings a deferred item back once the edition it skipped is
// published: the deferred label goes, accepted stays. It reports whether
// it did; an item deferred past a later edition waits on.
func (s *Service) undefer(ctx context.Context, issue drafts.Issue, published int) (bool, error) {
	comments, err := s.GH.Comments(ctx, s.Repo, issue.Number)
	if err != nil {
		return false, err
	}
	if skip := s.deferredPast(comments); skip > published {
		return false, nil
	}
	return true, s.write("unlabel deferred", issue.Number, func() error {
		return s.GH.RemoveLabel(ctx, s.Repo, issue.Number, s.Config.Labels.Deferred)
	})
}

func (s *Service) publishOne(ctx context.Context, issue drafts.Issue, sub *drafts.Submission, d Draft, url, marker string) error {
	msg := fmt.Sprintf("%s\n🎉 Published in [edition %d](%s) of the newsletter. Thank you, @%s!", marker, d.Number, url, sub.Author)
	if sub.Kind == drafts.KindEvent {
		msg += "\n\nEvents stay listed in the following editions until they have taken place; this issue closes by itself then."
	}
	// One comment per edition (the marker names it), even when two
	// replicas, or a redelivered webhook and the resync, publish at once.
	comments, err := s.GH.Comments(ctx, s.Repo, issue.Number)
	if err != nil {
		return err
	}
	if err := s.upsertIn(ctx, issue.Number, comments, marker, msg); err != nil {
		return err
	}
	published := []string{s.Config.Labels.Published}
	// An item in the edition is out, deferred or not: a deferral that
	// came too late for this edition (the draft was merged holding the
	// item before the bot took it out, or before a later accept took the
	// deferral back) ends here, as one in time would have. Only an event
	// deferred past a later edition (it stays open and listed) keeps it.
	var undeferred []string
	if sub.Kind != drafts.KindEvent || s.deferredPast(comments) <= d.Number {
		undeferred = []string{s.Config.Labels.Deferred}
	}
	if sub.Kind != drafts.KindEvent && issue.State == "open" {
		// Label and close in one write.
		return s.write("label and close published", issue.Number, func() error {
			return s.closeRelabelled(ctx, &issue, published, undeferred, "completed")
		})
	}
	return s.write("label published", issue.Number, func() error {
		return s.relabel(ctx, &issue, published, undeferred)
	})
}

func (s *Service) publishedKey(edition int) string {
	return fmt.Sprintf("%s edition %d", strings.ToLower(s.Repo.FullName()), edition)
}

// maxRepairBack bounds how many editions RepairPublications looks back.
const maxRepairBack = 12

// RepairPublications publishes every merged draft whose publication was
// never finished (its pull request lacks the published label): a lost
// pull_request.closed webhook, or a replica that died in the middle. It
// reads only GitHub, newest edition first, back to the first one that is
// done (or was not the bot's): one request when all is well, whatever the
// replica remembers and however long it was down.
func (s *Service) RepairPublications(ctx context.Context) ([]PublishOutcome, error) {
	ed, _, _, err := s.plan(ctx)
	if err != nil {
		return nil, err
	}
	return s.repairPublications(ctx, ed)
}

// repairPublications is RepairPublications with the next edition planned.
func (s *Service) repairPublications(ctx context.Context, ed drafts.Edition) ([]PublishOutcome, error) {
	var unfinished []Pull // newest first
	for n := ed.Number - 1; n > 0 && n >= ed.Number-maxRepairBack; n-- {
		if s.Memo.isPublished(s.publishedKey(n)) {
			break
		}
		pulls, err := s.GH.Pulls(ctx, s.Repo, BranchFor(n), "closed")
		if err != nil {
			return nil, err
		}
		var merged *Pull
		for i := range pulls {
			if _, ok := s.draftOf(pulls[i]); ok && pulls[i].Merged {
				merged = &pulls[i]
			}
		}
		if merged == nil || contains(merged.Labels, s.Config.Labels.Published) {
			s.Memo.setPublished(s.publishedKey(n))
			break
		}
		unfinished = append(unfinished, *merged)
	}
	var out []PublishOutcome
	for _, p := range slices.Backward(unfinished) { // oldest first, as they were merged
		d, _ := s.draftOf(p)
		s.Logger().Info("an edition was merged but its publication never finished; publishing it now", "edition", d.Number, "pull", p.Number)
		o, err := s.Publish(ctx, p)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

// CloseFinishedEvents closes published events whose last day has passed,
// with a comment saying why.
func (s *Service) CloseFinishedEvents(ctx context.Context) ([]int, error) {
	issues, err := s.GH.Issues(ctx, s.Repo, IssueFilter{Label: s.Config.Labels.Event})
	if err != nil {
		return nil, err
	}
	p := drafts.NewParser(s.Config, s.Forms)
	now := s.clock()
	var closed []int
	for _, issue := range issues {
		done, err := s.closeIfOver(ctx, p, &issue, now)
		if err != nil {
			return closed, err
		}
		if done {
			closed = append(closed, issue.Number)
		}
	}
	return closed, nil
}

// overAt is the instant an event is over: its last day has ended.
func (s *Service) overAt(ev *drafts.Event) time.Time {
	last := ev.Last().Time
	return time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, s.clock().Location())
}

// closeIfOver closes issue, with a comment saying why, if it is an open,
// published event that was over at the instant at, and reports whether it
// did. The bot closes an event on the first pass after it is over, which
// may be late (passes fail, replicas die); a command written after that
// instant calls this first, so that it acts on the event as the bot would
// have left it had it closed the event in time.
func (s *Service) closeIfOver(ctx context.Context, p *drafts.Parser, issue *drafts.Issue, at time.Time) (bool, error) {
	if issue.State != "open" || !issue.HasLabel(s.Config.Labels.Event) || !issue.HasLabel(s.Config.Labels.Published) {
		return false, nil
	}
	sub := p.Parse(*issue)
	if !sub.Valid() || sub.Kind != drafts.KindEvent {
		return false, nil
	}
	over := s.overAt(sub.Event)
	if at.Before(over) {
		return false, nil
	}
	comments, err := s.GH.Comments(ctx, s.Repo, issue.Number)
	if err != nil {
		return false, err
	}
	// Commands written before the event was over go first (a withdrawal,
	// say, that waits for a replica's stale claim): the event closes
	// after them. One written since comes after the closing, however
	// late the bot runs either.
	if pending, err := s.pendingCommands(ctx, comments, over); err != nil || pending {
		if err == nil {
			s.Logger().Info("an event is over but commands written before that wait to be answered; closing it after them", "issue", issue.Number)
		}
		return false, err
	}
	msg := eventOverMarker + "\n" + fmt.Sprintf("This event took place (its last day was %s), so it leaves the newsletter. "+
		"Closing; thank you for sharing it!", drafts.LongDate(sub.Event.Last()))
	// upsertIn, not a plain comment: two replicas closing the same event
	// leave one comment.
	if err := s.upsertIn(ctx, issue.Number, comments, eventOverMarker, msg); err != nil {
		return false, err
	}
	// A deferral ends with the event: it waits for no edition now.
	if err := s.write("unlabel deferred", issue.Number, func() error {
		return s.relabel(ctx, issue, nil, []string{s.Config.Labels.Deferred})
	}); err != nil {
		return false, err
	}
	if err := s.write("close finished event", issue.Number, func() error {
		return s.GH.CloseIssue(ctx, s.Repo, issue.Number, "completed")
	}); err != nil {
		return false, err
	}
	issue.State = "closed"
	return true, nil
}
