package reconcile

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// Draft is the open draft pull request of an edition, as the bot opened it.
type Draft struct {
	Pull    Pull
	Number  int         // the edition
	Date    drafts.Date // its publication day
	Path    string      // its file
	Current bool        // false when it is an older edition still open
}

var editionMarkerRE = regexp.MustCompile(`<!-- newsletter-bot:edition (\d+) (\d{4}-\d{2}-\d{2}) (\S+) -->`)

// draftOf reads the edition a pull request drafts, from the marker the bot
// writes in its body and its branch name.
func draftOf(p Pull) (Draft, bool) {
	if !strings.HasPrefix(p.Head, BranchPrefix) {
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
	return Draft{Pull: p, Number: n, Date: d, Path: m[3]}, true
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
		if d, ok := draftOf(p); ok && (!found || d.Number < best.Number) {
			best, found = d, true
		}
	}
	return best, found, nil
}

// ReconcileSubmission keeps one issue's newsletter state right: the
// needs-info label while the submission has problems, and ONE status comment
// with the line it will carry or what to fix, the edition it is headed for
// and the draft. draft is the open draft, if any (see OpenDraft).
func (s *Service) ReconcileSubmission(ctx context.Context, issue drafts.Issue, draft *Draft) error {
	p := drafts.NewParser(s.Config, s.Forms)
	sub := p.Parse(issue)
	if sub.Kind == "" || sub.Status.PullRequest {
		return nil // not a submission: nothing to say
	}
	labels := s.Config.Labels
	if issue.State == "open" {
		want := len(sub.Problems) > 0
		has := issue.HasLabel(labels.NeedsInfo)
		switch {
		case want && !has:
			if err := s.write("label needs-info", issue.Number, func() error {
				return s.GH.AddLabels(ctx, s.Repo, issue.Number, labels.NeedsInfo)
			}); err != nil {
				return err
			}
		case !want && has:
			if err := s.write("unlabel needs-info", issue.Number, func() error {
				return s.GH.RemoveLabel(ctx, s.Repo, issue.Number, labels.NeedsInfo)
			}); err != nil {
				return err
			}
		}
	}
	body, err := s.statusComment(&sub, issue, draft)
	if err != nil {
		return err
	}
	return s.upsertComment(ctx, issue.Number, statusMarker, body)
}

// UpdateStatuses brings every open submission's status comment up to date
// with draft, the draft just opened (nil: none is open). Each costs a read
// of its comments, and an edit where the text changed.
func (s *Service) UpdateStatuses(ctx context.Context, draft *Draft) (int, error) {
	issues, err := s.submissions(ctx)
	if err != nil {
		return 0, err
	}
	for _, i := range issues {
		if err := s.ReconcileSubmission(ctx, i, draft); err != nil {
			return 0, fmt.Errorf("issue #%d: %w", i.Number, err)
		}
	}
	return len(issues), nil
}

// upsertComment keeps exactly one bot comment with marker on an issue:
// created when missing, edited when different, and any duplicate (two
// replicas racing) deleted, the oldest kept.
func (s *Service) upsertComment(ctx context.Context, number int, marker, body string) error {
	comments, err := s.GH.Comments(ctx, s.Repo, number)
	if err != nil {
		return err
	}
	var mine []Comment
	for _, c := range comments {
		if s.isBot(c.User) && strings.Contains(c.Body, marker) {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		var created Comment
		if err := s.write("comment", number, func() error {
			created, err = s.GH.CreateComment(ctx, s.Repo, number, body)
			return err
		}); err != nil || s.DryRun {
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

// write runs one write to GitHub, or logs it in a dry run.
func (s *Service) write(what string, number int, do func() error) error {
	if s.DryRun {
		s.Logger().Info("dry run: would "+what, "issue", number)
		return nil
	}
	return do()
}

// statusComment is the text of a submission's status comment.
func (s *Service) statusComment(sub *drafts.Submission, issue drafts.Issue, draft *Draft) (string, error) {
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
		b.WriteString("\nThis comment updates when you save the issue.\n")
		return b.String(), nil
	}
	line, err := drafts.RenderLine(s.Config, sub, pub)
	if err != nil {
		return "", err
	}
	b.WriteString("This is how the suggestion will appear in the newsletter:\n\n")
	b.WriteString("> " + line + "\n\n")
	b.WriteString("<details><summary>Markdown</summary>\n\n```markdown\n" + line + "\n```\n\n</details>\n\n")
	b.WriteString("**Status:** " + s.statusLine(sub, issue, draft, pub) + "\n")
	return b.String(), nil
}

func (s *Service) statusLine(sub *drafts.Submission, issue drafts.Issue, draft *Draft, pub drafts.Date) string {
	st := sub.Status
	next := func() string {
		if draft != nil {
			return fmt.Sprintf("edition %d (%s), in draft pull request #%d", draft.Number, drafts.LongDate(draft.Date), draft.Pull.Number)
		}
		return fmt.Sprintf("the next edition; its draft pull request opens on %s", s.Config.NextDraft(s.clock()).Format("January 2, 2006"))
	}
	switch {
	case st.Declined:
		return "declined by a maintainer."
	case st.Published && sub.Kind != drafts.KindEvent:
		return "published. Thank you!"
	case issue.State == "closed":
		return "withdrawn: the issue is closed."
	case sub.Kind == drafts.KindEvent && sub.Event.Last().Before(pub):
		return "the event is over before the next edition comes out, so it is not listed."
	case st.Deferred:
		return "accepted, and deferred by a maintainer to a later edition."
	case s.Config.RequireApproval && !st.Accepted:
		return "waiting for a maintainer's review. Maintainers: comment `/newsletter accept`, or `/newsletter decline <reason>`; `/newsletter help` lists every command."
	case st.Published:
		return "published. Events stay listed until they have taken place, so this one is also in " + next() + "."
	default:
		return "accepted for " + next() + "."
	}
}
