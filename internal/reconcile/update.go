package reconcile

import (
	"context"
	"errors"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// Updating the draft by the lines that changed. Every commit of the bot's
// on a draft branch carries, beside the render it was merged from, the
// items that render was made from (drafts.Items): for every submission,
// what selecting and rendering the edition needs of it. An event about one
// submission then reads that submission and the draft, puts the
// submission's item in place of its old one, renders the edition from the
// items and merges it as the full rebuild merges (refreshDraft), at the
// same cost whatever the number of submissions. The full rebuild, which
// lists them all, stays the source of truth: it runs on the resync, when a
// draft opens, on "/newsletter draft", and wherever the items are missing
// or do not fit (another configuration, an older version of the bot), and
// writes the items the next update starts from.
//
// A submission opened after the draft's last commit needs no commit of
// its own while it is not in the edition (it waits for review, or needs
// info): the items say up to which issue number they account for
// (Through), and each update reads the issues opened since then, in one
// request, before it uses them. Any other change of an item is committed,
// even when the edition's text stays as it is, so that the next update
// starts from it, except the line of one left out that only its own
// issue's event can bring in (see recordItems).

// recordAfter is how many issues may be opened after the draft's last
// commit before an update commits their items (else every update reads
// them all again).
const recordAfter = afterFirstPage - 5 // so that IssuesAfter's first page mostly reaches them

// updateDraft brings the open draft up to date with one submission that
// changed, and returns the draft as updated (nil when none is open) and
// the issue as it read it last (nil when it is gone). When the draft's
// last commit carries items that fit, only that issue and the ones opened
// since the commit are read: about ten requests, whatever the number of
// submissions. Otherwise, or while a conflict holds the bot's updates back
// (the held-back change is in no commit's items), it builds from every
// submission. A lost race on the branch is read again and redone.
func (s *Service) updateDraft(ctx context.Context, issue drafts.Issue) (*Draft, *drafts.Issue, error) {
	draft, err := s.openDraft(ctx)
	if err != nil || draft == nil {
		return draft, &issue, err
	}
	if s.unseen(draft, issue) {
		return draft, &issue, nil
	}
	unlock := s.Memo.Lock("draft " + s.Repo.FullName())
	defer unlock()
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if draft, err = s.openDraft(ctx); err != nil || draft == nil {
				return draft, &issue, err
			}
		}
		out, gone, err := s.patchDraft(ctx, *draft, &issue)
		if err == nil {
			if out.Draft.Pull.Number != 0 {
				draft = &out.Draft
			}
			if gone {
				return draft, nil, nil
			}
			return draft, &issue, nil
		}
		if !errors.Is(err, errConflict) || attempt >= maxRaceRetries {
			return draft, &issue, err
		}
		s.Logger().Info("lost a race on the draft branch; reading it again", "edition", draft.Number, "issue", issue.Number, "attempt", attempt+1)
		if err := backoff(ctx, attempt); err != nil {
			return draft, &issue, err
		}
	}
}

// unseen reports whether the draft's tip, as this replica has read it
// before (Memo), already holds the issue's item but for a line the edition
// does not show (drafts.Items.Unseen): an edit of a submission that waits
// for review, say. Then nothing in the draft can change, and the update
// neither waits for the draft's lock nor reads the branch. It writes
// nothing, so an issue read before the tip cannot put an older state back;
// a newer state has an event of its own.
func (s *Service) unseen(draft *Draft, issue drafts.Issue) bool {
	cached, ok := s.Memo.base(s.Repo.FullName() + " " + draft.Pull.HeadSHA)
	if !ok || !cached.hasItems || draft.Conflict(s.Config) || !drafts.Listed(s.Config, issue) {
		return false
	}
	ed, err := s.draftEdition(*draft)
	if err != nil || !cached.items.Fits(s.Config, s.Forms, ed) {
		return false
	}
	it, err := drafts.NewParser(s.Config, s.Forms).Item(issue, ed.Date)
	if err != nil || !cached.items.Unseen(s.Config, ed.Date, it) {
		return false
	}
	draft.items = &cached.items
	return true
}

// patchDraft is one try of updateDraft. The issue is read again after the
// branch, never before: an update that read the branch after another one
// committed this issue's newer state must not put back the older state it
// read first. gone says the issue no longer exists.
func (s *Service) patchDraft(ctx context.Context, draft Draft, issue *drafts.Issue) (out DraftOutcome, gone bool, err error) {
	out, err = s.fromItems(ctx, draft, func(its drafts.Items, opened map[int]drafts.Issue, ed drafts.Edition) (drafts.Items, bool, error) {
		if i, ok := opened[issue.Number]; ok {
			*issue = i // opened since the items: just read, after the branch
			return its, false, nil
		}
		if issue.Number > its.Through {
			// Newer than the items, yet not among the issues opened since
			// (the listing lags, or it was deleted): the listing of every
			// submission settles it.
			return its, true, nil
		}
		fresh, err := s.GH.Issue(ctx, s.Repo, issue.Number)
		switch {
		case errors.Is(err, ErrNotFound):
			gone = true
		case err != nil:
			return its, false, err
		default:
			*issue = fresh
		}
		if gone || !drafts.Listed(s.Config, *issue) {
			return its.Without(issue.Number), false, nil
		}
		it, err := drafts.NewParser(s.Config, s.Forms).Item(*issue, ed.Date)
		if err != nil {
			return its, true, nil // the full build reports the template's error as always
		}
		return its.With(it), false, nil
	})
	return out, gone, err
}

// remergeDraft merges the draft again after people pushed to it. Their
// push changed the branch, not the submissions: the render comes from the
// items the bot's last commit carries (and the issues opened since), not
// from a listing of every submission, unless there are none or a conflict
// held an update back (then it is built from every submission, and the
// held-back lines go in once the push resolved the conflict).
func (s *Service) remergeDraft(ctx context.Context, draft Draft) (DraftOutcome, error) {
	return s.fromItems(ctx, draft, nil)
}

// fromItems reads the draft's branch, takes the items its last commit
// carries with the issues opened since, lets swap change them (nil: none),
// renders the edition from them and merges it. It builds from every
// submission instead when the items are missing or do not fit, while a
// conflict holds an update back, or when swap or a line asks for it.
func (s *Service) fromItems(ctx context.Context, draft Draft,
	swap func(its drafts.Items, opened map[int]drafts.Issue, ed drafts.Edition) (_ drafts.Items, rebuild bool, _ error)) (DraftOutcome, error) {
	ed, err := s.draftEdition(draft)
	if err != nil {
		return DraftOutcome{Draft: draft}, err
	}
	b, err := s.readBranch(ctx, draft, ed)
	if err != nil {
		return DraftOutcome{Draft: draft}, err
	}
	if !b.fits || draft.Conflict(s.Config) {
		return s.rebuildDraft(ctx, draft, ed, b)
	}
	its, opened, err := s.newerItems(ctx, b.items, ed)
	switch {
	case errors.Is(err, errLine): // the full build reports the template's error as always
		return s.rebuildDraft(ctx, draft, ed, b)
	case errors.Is(err, errBehind):
		return s.rebuildDraftThrough(ctx, draft, ed, b, its.Through)
	case err != nil:
		return DraftOutcome{Draft: draft}, err
	}
	if swap != nil {
		var rebuild bool
		if its, rebuild, err = swap(its, opened, ed); err != nil {
			return DraftOutcome{Draft: draft}, err
		}
		if rebuild {
			return s.rebuildDraft(ctx, draft, ed, b)
		}
	}
	render, listing, err := drafts.RenderItems(s.Config, ed, its)
	if err != nil {
		return s.rebuildDraft(ctx, draft, ed, b)
	}
	return s.mergeUpdate(ctx, draft, ed, b, draftUpdate{render: render, items: its, listing: listing, opened: len(opened)})
}

// errLine is a line template that fails on a submission: the full build
// reports it as it always has.
var errLine = errors.New("a submission's line does not render")

// errBehind says more issues were opened since the draft's last commit
// than an update reads (maxOpened): it builds from every submission, and
// records the items.
var errBehind = errors.New("many issues were opened since the draft's last commit")

// maxOpened bounds how many issues opened since the draft's last commit
// an update reads (two pages).
const maxOpened = 200

// newerItems adds to its the issues opened since the listing they came
// from (numbered above its.Through), read after the branch, and returns
// them by number. On errBehind, its.Through is the newest issue's number.
func (s *Service) newerItems(ctx context.Context, its drafts.Items, ed drafts.Edition) (drafts.Items, map[int]drafts.Issue, error) {
	list, complete, err := s.GH.IssuesAfter(ctx, s.Repo, its.Through, maxOpened)
	if err != nil {
		return its, nil, err
	}
	for _, i := range list {
		its.Through = max(its.Through, i.Number)
	}
	if !complete {
		return its, nil, errBehind
	}
	p := drafts.NewParser(s.Config, s.Forms)
	opened := make(map[int]drafts.Issue, len(list))
	var items []drafts.Item
	for _, i := range list {
		opened[i.Number] = i
		if !drafts.Listed(s.Config, i) {
			continue // a pull request, or no submission (yet: labelling it is an event of its own)
		}
		it, err := p.Item(i, ed.Date)
		if err != nil {
			return its, nil, errLine
		}
		items = append(items, it)
	}
	return its.WithAll(items), opened, nil
}

// recordItems reports whether u's items must be committed even if the
// edition's text stays as it is: the branch's last commit carries none
// (or none that fit), an item it accounts for changed, or many issues
// were opened since it (read by this update, or found by the full build).
// Items of the issues opened since need no commit: the next update reads
// those issues again.
//
// Nor does a new line of an item the edition leaves out for a reason only
// its own issue can end (awaiting review, deferred, declined, closed,
// published, over): such an item goes in only through an event about its
// issue, which reads the issue afresh, or through the full build, which
// reads them all. An edit of a suggestion that waits for review thus
// costs its status, not a commit. Items left out for needing info are not
// of them: a duplicate goes in when the first issue with its link leaves,
// by another issue's event.
func recordItems(b draftBranch, u draftUpdate) (bool, error) {
	if !b.fits || u.opened > recordAfter || u.items.Through > b.items.Through+maxOpened {
		return true, nil
	}
	quiet := map[int]bool{}
	for _, e := range u.listing.Excluded {
		if e.Why != drafts.WhyNeedsInfo {
			quiet[e.Issue] = true
		}
	}
	was, now := b.items, u.items.UpTo(b.items.Through)
	if was.Version != now.Version || was.Config != now.Config || was.Pub != now.Pub || was.Through != now.Through ||
		len(was.List) != len(now.List) {
		return true, nil
	}
	for i := range was.List { // item by item: marshalling thousands for each event was most of its work
		a, b := was.List[i], now.List[i]
		if quiet[a.Issue] && a.Issue == b.Issue { // neither line nor title shows
			a.Line, a.NoLine, a.Title, b.Line, b.NoLine, b.Title = "", false, "", "", false, ""
		}
		if !drafts.SameItem(a, b) {
			return true, nil
		}
	}
	return false, nil
}
