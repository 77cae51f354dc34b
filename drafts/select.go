package drafts

import "fmt"

// Exclusion is an issue left out of an edition, and why, in words for the
// maintainers ("#12: awaiting review").
type Exclusion struct {
	Issue  int    `json:"issue"`
	Why    Why    `json:"why"`
	Reason string `json:"reason"`
}

// Why classifies an exclusion, for code that sorts them (the draft's
// description lists the ones awaiting review and needing info apart).
type Why string

// The reasons an issue is left out of an edition.
const (
	WhyPullRequest    Why = "pull-request"
	WhyNotSubmission  Why = "not-a-submission"
	WhyDeclined       Why = "declined"
	WhyPublished      Why = "published"
	WhyClosed         Why = "closed"
	WhyNeedsInfo      Why = "needs-info"
	WhyEventOver      Why = "event-over"
	WhyDeferred       Why = "deferred"
	WhyAwaitingReview Why = "awaiting-review"
)

func (e Exclusion) String() string { return fmt.Sprintf("#%d: %s", e.Issue, e.Reason) }

// Select decides which submissions go into the edition published on pub. Call
// MarkDuplicates first. It returns the included ones and, for every other
// issue, why it is left out.
func Select(cfg *Config, subs []Submission, pub Date) (in []Submission, out []Exclusion) {
	in = make([]Submission, 0, len(subs))
	for i := range subs {
		if why, reason := leaveOut(cfg, &subs[i], pub); why != "" {
			out = append(out, Exclusion{Issue: subs[i].Issue, Why: why, Reason: reason})
			continue
		}
		in = append(in, subs[i])
	}
	return in, out
}

func leaveOut(cfg *Config, s *Submission, pub Date) (Why, string) {
	st := s.Status
	switch {
	case st.PullRequest:
		return WhyPullRequest, "a pull request, not a submission"
	case s.Kind == "":
		return WhyNotSubmission, fmt.Sprintf("not a newsletter submission (no %q, %q or %q label and no issue form in the body)",
			cfg.Labels.Job, cfg.Labels.News, cfg.Labels.Event)
	case st.Declined:
		return WhyDeclined, "declined by a maintainer"
	case st.Published && s.Kind != KindEvent:
		return WhyPublished, "already published in an earlier edition"
	case st.Closed:
		return WhyClosed, "the issue is closed"
	case len(s.Problems) > 0:
		reason := "needs info: " + s.Problems[0].Message
		if s.Problems[0].Label != "" {
			reason = "needs info: " + s.Problems[0].Label + " " + s.Problems[0].Message
		}
		if n := len(s.Problems) - 1; n > 0 {
			reason += fmt.Sprintf(" (and %d more)", n)
		}
		return WhyNeedsInfo, reason
	case st.NeedsInfo && !st.Closed:
		return WhyNeedsInfo, "needs info: its status comment names a problem to fix (its link did not work when last checked)"
	case s.Kind == KindEvent && s.Event.Last().Before(pub):
		return WhyEventOver, fmt.Sprintf("the event is over (its last day, %s, is before the publication day, %s)", LongDate(s.Event.Last()), LongDate(pub))
	case st.Deferred:
		return WhyDeferred, "deferred by a maintainer to a later edition"
	case cfg.RequireApproval && !st.Accepted:
		return WhyAwaitingReview, fmt.Sprintf("awaiting a maintainer's review (label %q)", cfg.Labels.Accepted)
	}
	return "", ""
}
