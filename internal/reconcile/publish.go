package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// PublishOutcome says what Publish did.
type PublishOutcome struct {
	Edition   int
	URL       string // the edition file at the merge commit
	Published []int  // issues told where they were published
}

// Publish handles a merged draft pull request: every submission whose link
// is in the merged file gets "published in <link>" (once per edition), the
// published label, and jobs and news are closed as completed; events stay
// open to be listed again until they have taken place.
func (s *Service) Publish(ctx context.Context, pull Pull) (PublishOutcome, error) {
	d, ok := draftOf(pull)
	if !ok || !pull.Merged {
		return PublishOutcome{}, nil
	}
	out := PublishOutcome{Edition: d.Number,
		URL: fmt.Sprintf("%s/blob/%s/%s", s.htmlURL(), pull.MergeCommitSHA, d.Path)}
	text, err := s.GH.File(ctx, s.Repo, pull.MergeCommitSHA, d.Path)
	if err != nil {
		return out, err
	}
	issues, err := s.submissions(ctx)
	if err != nil {
		return out, err
	}
	p := drafts.NewParser(s.Config, s.Forms)
	marker := fmt.Sprintf(publishedMarker, d.Number)
	for _, issue := range issues {
		sub := p.Parse(issue)
		if !sub.Valid() || !strings.Contains(text, "]("+sub.Link()+")") {
			continue
		}
		if err := s.publishOne(ctx, issue, &sub, d, out.URL, marker); err != nil {
			return out, err
		}
		out.Published = append(out.Published, issue.Number)
	}
	s.Logger().Info("published the edition", "edition", d.Number, "issues", len(out.Published))
	return out, nil
}

func (s *Service) publishOne(ctx context.Context, issue drafts.Issue, sub *drafts.Submission, d Draft, url, marker string) error {
	msg := fmt.Sprintf("%s\n🎉 Published in [edition %d](%s) of the newsletter. Thank you, @%s!", marker, d.Number, url, sub.Author)
	if sub.Kind == drafts.KindEvent {
		msg += "\n\nEvents stay listed in the following editions until they have taken place; this issue closes by itself then."
	}
	// One comment per edition (the marker names it), even when two
	// replicas, or a redelivered webhook and the resync, publish at once.
	if err := s.upsertComment(ctx, issue.Number, marker, msg); err != nil {
		return err
	}
	if !issue.HasLabel(s.Config.Labels.Published) {
		if err := s.write("label published", issue.Number, func() error {
			return s.GH.AddLabels(ctx, s.Repo, issue.Number, s.Config.Labels.Published)
		}); err != nil {
			return err
		}
	}
	if sub.Kind != drafts.KindEvent {
		return s.write("close published", issue.Number, func() error {
			return s.GH.CloseIssue(ctx, s.Repo, issue.Number, "completed")
		})
	}
	return nil
}

// PublishMerged publishes every draft merged since t: the repair for a
// pull_request.closed webhook that never arrived. Publishing again is
// harmless, so the window may overlap the last one.
func (s *Service) PublishMerged(ctx context.Context, since time.Time) ([]PublishOutcome, error) {
	pulls, err := s.GH.RecentlyClosedPulls(ctx, s.Repo, since)
	if err != nil {
		return nil, err
	}
	var out []PublishOutcome
	for _, p := range pulls {
		if _, ok := draftOf(p); !ok || !p.Merged {
			continue
		}
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
	today := s.now()
	var closed []int
	for _, issue := range issues {
		sub := p.Parse(issue)
		if !sub.Valid() || sub.Kind != drafts.KindEvent || !issue.HasLabel(s.Config.Labels.Published) || !sub.Event.Last().Before(today) {
			continue
		}
		msg := eventOverMarker + "\n" + fmt.Sprintf("This event took place (its last day was %s), so it leaves the newsletter. "+
			"Closing; thank you for sharing it!", drafts.LongDate(sub.Event.Last()))
		// upsertComment, not a plain comment: two replicas closing the same
		// event leave one comment.
		if err := s.upsertComment(ctx, issue.Number, eventOverMarker, msg); err != nil {
			return closed, err
		}
		if err := s.write("close finished event", issue.Number, func() error {
			return s.GH.CloseIssue(ctx, s.Repo, issue.Number, "completed")
		}); err != nil {
			return closed, err
		}
		closed = append(closed, issue.Number)
	}
	return closed, nil
}
