package reconcile

import (
	"context"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// A resync pass after a clean one works on what changed since, and reads
// what several of its steps need once.
//
// pass is what one resync pass shares between its steps, carried in its
// context: the next edition as planned from the default branch (the
// publication repair, the draft and its overdue check each need it), and,
// on a pass after a clean one, since when changes count and the
// submissions changed since then, as the draft step read them (the status
// step uses the same listing).
type pass struct {
	planned bool
	ed      drafts.Edition
	readme  string
	files   []drafts.EditionFile

	// since is zero on a full pass: the draft is built from every
	// submission. Otherwise it is when the last clean pass began, less
	// the overlap: the draft is brought up to date with the submissions
	// updated since, from the items its last commit carries.
	since   time.Time
	updated []drafts.Issue // nil: not read yet
	read    bool

	// links are the open submissions' links and the history, for the
	// duplicates of statuses written while no draft is open (nil: not
	// read yet).
	links *drafts.Items
}

type passKey struct{}

func withPass(ctx context.Context, p *pass) context.Context {
	return context.WithValue(ctx, passKey{}, p)
}

func passOf(ctx context.Context) *pass {
	p, _ := ctx.Value(passKey{}).(*pass)
	return p
}

// changedSubmissions lists the submissions (open or closed) updated since
// the pass's since, in one listing (a label filter would take one per
// kind), and keeps it for the status step.
func (s *Service) changedSubmissions(ctx context.Context, p *pass) ([]drafts.Issue, error) {
	list, err := s.updatedIssues(ctx, p.since)
	if err != nil {
		return nil, err
	}
	p.updated, p.read = submissionsOf(s.Config, list), true
	return p.updated, nil
}

// submissionsOf keeps the issues that carry a kind's label.
func submissionsOf(cfg *drafts.Config, list []drafts.Issue) []drafts.Issue {
	out := []drafts.Issue{}
	for _, i := range list {
		if i.IsPullRequest() {
			continue
		}
		for _, k := range drafts.Kinds {
			if i.HasLabel(cfg.Labels.ForKind(k)) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// updatedIssues lists every issue and pull request updated since t.
func (s *Service) updatedIssues(ctx context.Context, t time.Time) ([]drafts.Issue, error) {
	return s.GH.Issues(ctx, s.Repo, IssueFilter{State: "all", Since: t})
}

// catchUpDraft brings the open draft up to date on a pass after a clean
// one. When this replica found the draft's tip current after since (the
// tip and the configuration unchanged), only a submission updated since
// can change it: one listing says there is none, and nothing else is read.
// Otherwise it reads the branch and then the submissions updated since,
// puts their items in place of the ones the last commit carries, and
// merges the render (fromItems), at a cost that grows with what changed,
// not with the number of submissions. The items on the branch are right
// up to since: every commit of the bot's reads the issues it changes, and
// every clean pass since the replica's full one covers what the webhooks
// missed.
func (s *Service) catchUpDraft(ctx context.Context, draft Draft, p *pass) (DraftOutcome, error) {
	key := s.currentKey(draft.Pull.HeadSHA)
	if s.Memo.isCurrent(key, p.since) {
		list, err := s.changedSubmissions(ctx, p)
		if err != nil {
			return DraftOutcome{Draft: draft}, err
		}
		if len(list) == 0 {
			return DraftOutcome{Draft: draft, Tip: draft.Pull.HeadSHA}, nil
		}
	}
	started := s.wallClock()
	out, err := s.fromItems(ctx, draft, func(its drafts.Items, opened map[int]drafts.Issue, ed drafts.Edition) (drafts.Items, bool, error) {
		// Read after the branch, as patchDraft reads its issue: never an
		// older state than the one the branch carries.
		list, err := s.changedSubmissions(ctx, p)
		if err != nil {
			return its, false, err
		}
		parser := drafts.NewParser(s.Config, s.Forms)
		for _, i := range list {
			if _, ok := opened[i.Number]; ok {
				continue // newerItems read it, after the branch too
			}
			if i.Number > its.Through {
				return its, true, nil // newer than the items, yet not among those opened since: the full build settles it
			}
			if !drafts.Listed(s.Config, i) {
				its = its.Without(i.Number)
				continue
			}
			it, err := parser.Item(i, ed.Date)
			if err != nil {
				return its, true, nil // the full build reports the template's error as always
			}
			its = its.With(it)
		}
		return its, false, nil
	})
	s.rememberCurrent(out, err, started)
	return out, err
}

// rememberCurrent notes that the draft's tip was current at started (when
// the update that left it so began reading), unless it failed or a
// conflict holds lines back.
func (s *Service) rememberCurrent(out DraftOutcome, err error, started time.Time) {
	if err != nil || out.Tip == "" || len(out.Conflicts) > 0 {
		return
	}
	s.Memo.setCurrent(s.currentKey(out.Tip), started)
}

// currentKey names a draft tip under this configuration.
func (s *Service) currentKey(tip string) string {
	return s.Repo.FullName() + " " + tip + " " + drafts.Fingerprint(s.Config, s.Forms)
}
