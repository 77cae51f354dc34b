package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// ResyncReport says what one resync pass did for a repository.
type ResyncReport struct {
	Issues    int // submissions reconciled
	Commands  int // comments whose commands were answered
	Published []PublishOutcome
	Draft     DraftOutcome
	Closed    []int // events closed as over
	Relinked  []int // submissions whose link went bad, or works again, since last checked
}

// overlap re-reads a little before the last pass, for clock skew between
// the replica and GitHub.
const overlap = 2 * time.Minute

// Resync repairs what lost or failed webhooks left undone in the
// repository, and runs the monthly schedule. What it looks at comes from
// GitHub: unanswered commands in the comments of the last lookback (claims
// gone stale are taken over), merged drafts whose publication never
// finished, the draft, and the events that are over. since is when the
// replica's last clean pass over the repository began (zero on its first):
// it narrows only the submissions whose status comments are checked, to
// those updated since; the first pass checks every open one. Everything
// it calls is idempotent, so a pass where nothing changed writes nothing,
// and replicas resyncing side by side do each thing once.
func (s *Service) Resync(ctx context.Context, since time.Time, lookback time.Duration) (ResyncReport, error) {
	var rep ResyncReport
	first := since.IsZero()
	p := &pass{}
	if !first {
		p.since = since.Add(-overlap)
	}
	ctx = withPass(ctx, p)
	// Each step goes on when an earlier one failed: a command that keeps
	// failing must not hold publication or the draft back. The pass is
	// clean only when every step was.
	var errs []error
	fail := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	// Last: a config issue left open from an earlier break closes once the
	// config loads and its templates render within their limits; a template
	// past them opens it, like any broken config.
	finish := func() error {
		var cfgErr error
		for _, e := range errs {
			if drafts.IsLimitError(e) {
				cfgErr = fmt.Errorf("%w: %s: %w", ErrConfig, s.Repo.FullName(), e)
				break
			}
		}
		fail("the configuration issue", s.ReportConfig(ctx, cfgErr))
		return errors.Join(errs...)
	}
	// The labels, on a repository's first pass (start-up, or a new
	// installation): the issue forms apply only labels that exist.
	if first {
		_, err := s.EnsureLabels(ctx)
		fail("labels", err)
	}

	// 1. Commands nobody answered, issue by issue, each issue's in order:
	// they change labels the next steps read.
	var err error
	from := s.wallClock().Add(-lookback).Truncate(time.Hour)
	if !first && since.Add(-overlap).After(from) {
		// After a clean pass, only the comments written or edited since
		// can hold a command it did not see: one page, not the lookback's.
		from = since.Add(-overlap)
	}
	rep.Commands, err = s.resyncCommands(ctx, from)
	fail("commands", err)

	// 2. Editions merged whose publication never finished.
	rep.Published, err = s.RepairPublications(ctx)
	fail("publishing", err)

	// 3. The draft: kept current, opened when the schedule says so.
	rep.Draft, err = s.ScheduledDraft(ctx)
	fail("draft", err)
	var draft *Draft
	if d := rep.Draft.Draft; d.Pull.Number != 0 {
		draft = &d
	} else if err != nil {
		if draft, err = s.openDraft(ctx); err != nil {
			fail("the open draft", err)
			return rep, finish()
		}
	}

	// 4. Status comments. A draft opened, or closed unmerged, since the
	// last pass (its webhook lost) changes every one of them; otherwise
	// those of the submissions updated since (closed ones too: a
	// withdrawal, a decline), or all open ones on the first pass.
	all := first || (draft != nil && draft.Pull.CreatedAt.After(since.Add(-overlap)))
	if !all {
		closed, err := s.GH.RecentlyClosedPulls(ctx, s.Repo, since.Add(-overlap))
		fail("closed drafts", err)
		for _, p := range closed {
			if _, ok := s.draftOf(p); ok && !p.Merged {
				all = true
			}
		}
	}
	if all {
		rep.Issues, err = s.UpdateStatuses(ctx, draft)
		fail("statuses", err)
		if err == nil { // every link was checked with the statuses
			s.Memo.setLinksChecked(s.Repo.FullName(), s.wallClock())
		}
	} else {
		issues, err := p.updated, error(nil)
		if !p.read { // the draft step did not list them
			issues, err = s.changedSubmissions(ctx, p)
		}
		fail("updated submissions", err)
		byIssue, err := s.commentsOf(ctx, issues) // one listing when many changed
		fail("comments", err)
		for _, i := range issues {
			var comments []Comment
			if byIssue != nil {
				if comments = byIssue[i.Number]; comments == nil {
					comments = []Comment{}
				}
			}
			if _, err := s.reconcileSubmission(ctx, i, draft, comments); err != nil {
				fail(fmt.Sprintf("issue #%d", i.Number), err)
				continue
			}
			rep.Issues++
		}
	}

	// 4b. Links that went bad since they were checked (or work again),
	// once a day while a draft is open.
	rep.Relinked, err = s.recheckLinks(ctx, draft)
	fail("links", err)

	// 5. Events that are over leave the newsletter.
	rep.Closed, err = s.CloseFinishedEvents(ctx)
	fail("events", err)
	return rep, finish()
}

// resyncCommands answers the command comments updated since from that
// have no answer yet. On a replica's first pass from is the lookback's
// start, at the hour, so the listing's URL stays the same for an hour and
// mostly answers 304; later passes look only at what changed since the
// last clean one.
func (s *Service) resyncCommands(ctx context.Context, from time.Time) (int, error) {
	comments, err := s.GH.RepoComments(ctx, s.Repo, from)
	if err != nil {
		return 0, err
	}
	pending := map[int]bool{}
	for _, c := range comments {
		if c.CreatedAt.Before(from) || isBotUser(c.User, c.UserType) || !hasCommands(c.Body) ||
			pending[c.IssueNumber] || s.Memo.isAnswered(s.answeredKey(c.ID)) {
			continue
		}
		st, _, err := s.commandState(ctx, c)
		if err != nil {
			pending[c.IssueNumber] = true // RunCommands reads it again
			continue
		}
		if st == stateAnswered {
			s.Memo.setAnswered(s.answeredKey(c.ID))
			continue
		}
		pending[c.IssueNumber] = true
	}
	numbers := make([]int, 0, len(pending))
	for n := range pending {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	answered := 0
	var errs []error
	for _, n := range numbers { // one issue's failure does not hold the others back
		outs, err := s.RunCommands(ctx, n, 0)
		for _, o := range outs {
			if o.Skipped == "" {
				answered++
				s.Logger().Info("answered a command the webhooks left unanswered", "issue", n, "comment", o.Comment,
					"ran", o.Ran, "refused", len(o.Refused))
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("issue #%d: %w", n, err))
		}
	}
	return answered, errors.Join(errs...)
}

// LogResync writes one line for a pass: info when it did something.
func (s *Service) LogResync(ctx context.Context, rep ResyncReport, err error) {
	level := slog.LevelDebug
	if rep.Issues > 0 || rep.Commands > 0 || len(rep.Published) > 0 || rep.Draft.Opened || rep.Draft.Committed ||
		len(rep.Closed) > 0 || len(rep.Relinked) > 0 || err != nil {
		level = slog.LevelInfo
	}
	s.Logger().Log(ctx, level, "resync pass", "issues", rep.Issues, "commands", rep.Commands, "published", len(rep.Published),
		"draft_opened", rep.Draft.Opened, "draft_committed", rep.Draft.Committed, "events_closed", len(rep.Closed), "links_changed", len(rep.Relinked), "error", err)
}
