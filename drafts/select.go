package drafts

import "fmt"

// Exclusion is an issue left out of an edition, and why, in words for the
// maintainers ("#12: awaiting review").
type Exclusion struct {
	Issue  int    `json:"issue"`
	Reason string `json:"reason"`
}

func (e Exclusion) String() string { return fmt.Sprintf("#%d: %s", e.Issue, e.Reason) }

// Select decides which submissions go into the edition published on pub. Call
// MarkDuplicates first. It returns the included ones and, for every other
// issue, why it is left out.
func Select(cfg *Config, subs []Submission, pub Date) (in []Submission, out []Exclusion) {
	in = make([]Submission, 0, len(subs))
	for i := range subs {
		if reason := leaveOut(cfg, &subs[i], pub); reason != "" {
			out = append(out, Exclusion{Issue: subs[i].Issue, Reason: reason})
			continue
		}
		in = append(in, subs[i])
	}
	return in, out
}

func leaveOut(cfg *Config, s *Submission, pub Date) string {
	st := s.Status
	switch {
	case st.PullRequest:
		return "a pull request, not a submission"
	case s.Kind == "":
		return fmt.Sprintf("not a newsletter submission (no %q, %q or %q label and no issue form in the body)",
			cfg.Labels.Job, cfg.Labels.News, cfg.Labels.Event)
	case st.Declined:
		return "declined by a maintainer"
	case st.Published && s.Kind != KindEvent:
		return "already published in an earlier edition"
	case st.Closed:
		return "the issue is closed"
	case len(s.Problems) > 0:
		reason := "needs info: " + s.Problems[0].Message
		if s.Problems[0].Label != "" {
			reason = "needs info: " + s.Problems[0].Label + " " + s.Problems[0].Message
		}
		if n := len(s.Problems) - 1; n > 0 {
			reason += fmt.Sprintf(" (and %d more)", n)
		}
		return reason
	case s.Kind == KindEvent && s.Event.Last().Before(pub):
		return fmt.Sprintf("the event is over (its last day, %s, is before the publication day, %s)", LongDate(s.Event.Last()), LongDate(pub))
	case st.Deferred:
		return "deferred by a maintainer to a later edition"
	case cfg.RequireApproval && !st.Accepted:
		return fmt.Sprintf("awaiting a maintainer's review (label %q)", cfg.Labels.Accepted)
	}
	return ""
}
