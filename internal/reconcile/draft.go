package reconcile

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// DraftOutcome says what ReconcileDraft found and did.
type DraftOutcome struct {
	Draft     Draft
	Opened    bool // a new draft pull request was opened
	Committed bool // the branch got a new commit
	Conflicts []drafts.Conflict
	// Overdue is the edition that is due while Draft, an older one, is still open.
	Overdue int
	// Due is when the schedule makes the next draft due, and Held why it
	// was not opened (ScheduledDraft only).
	Due  time.Time
	Held string
	// Result is the build from every submission; nil when the update
	// started from the items the draft's last commit carries.
	Result *drafts.Result
	// Text is the edition file as the bot wrote it (or, in a dry run,
	// would have), and Body the pull request's description.
	Text, Body string
	// Tip is the branch's commit once the draft is as the update left it
	// (empty when it did not get that far, or in a dry run).
	Tip string
}

// maxRaceRetries bounds how often a lost race on the draft branch is
// re-read and tried again. Each round has a winner, so eight replicas or
// workers updating one draft at once all get through.
const maxRaceRetries = 10

// ReconcileDraft keeps the next edition's draft pull request right. With
// open set ("/newsletter draft"), it opens the draft when none is open;
// without, it only refreshes an open one. The refresh merges the fresh
// render into the branch around people's edits; a true conflict is
// reported on the pull request instead of committed.
func (s *Service) ReconcileDraft(ctx context.Context, open bool) (DraftOutcome, error) {
	mode := refreshOnly
	if open {
		mode = openNow
	}
	return s.retryDraft(ctx, mode)
}

// ScheduledDraft is the monthly job: it refreshes the open draft and, when
// none is open, opens the next edition's once draft.schedule says it is due
// (Config.DraftDue). It is level-triggered: run it at any time, as often as
// you like; a run after a missed tick catches up. A draft of that edition
// that people closed unmerged is opened again, with the same number, for
// the next publication day (or at once by "/newsletter draft").
func (s *Service) ScheduledDraft(ctx context.Context) (DraftOutcome, error) {
	return s.retryDraft(ctx, openWhenDue)
}

// draftMode says whether reconcileDraft may open a draft, and how it
// refreshes an open one.
type draftMode int

const (
	refreshOnly draftMode = iota
	openNow
	openWhenDue
	// remerge refreshes an open draft after people pushed to it: from
	// the items its last commit carries, when it does (remergeDraft).
	remerge
)

func (s *Service) retryDraft(ctx context.Context, mode draftMode) (DraftOutcome, error) {
	unlock := s.Memo.Lock("draft " + s.Repo.FullName())
	defer unlock()
	for attempt := 0; ; attempt++ {
		out, err := s.reconcileDraft(ctx, mode)
		if !errors.Is(err, errConflict) || attempt >= maxRaceRetries {
			return out, err
		}
		s.Logger().Info("lost a race on the draft branch; reading it again", "edition", out.Draft.Number, "attempt", attempt+1)
		if err := backoff(ctx, attempt); err != nil {
			return out, err
		}
	}
}

// backoff waits a little, more on each attempt and never the same for two
// racers (jitter), before a lost race is tried again.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(10*time.Millisecond) << min(attempt, 6)))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// RefreshDraft refreshes a draft the caller has just found with OpenDraft,
// without listing the pull requests again; a lost race falls back to
// ReconcileDraft, which reads everything afresh.
func (s *Service) RefreshDraft(ctx context.Context, d Draft) (DraftOutcome, error) {
	unlock := s.Memo.Lock("draft " + s.Repo.FullName())
	out, err := s.refreshDraft(ctx, d)
	unlock()
	if errors.Is(err, errConflict) {
		return s.ReconcileDraft(ctx, false)
	}
	return out, err
}

func (s *Service) reconcileDraft(ctx context.Context, mode draftMode) (DraftOutcome, error) {
	draft, found, err := s.OpenDraft(ctx)
	if err != nil {
		return DraftOutcome{}, err
	}
	if mode == remerge {
		if !found {
			return DraftOutcome{}, nil
		}
		return s.remergeDraft(ctx, draft)
	}
	if !found {
		if mode == refreshOnly {
			return DraftOutcome{}, nil
		}
		// The pass may have planned before the last draft was merged:
		// such a plan names the merged edition. The command plans
		// afresh; the schedule finds out from the merged draft among
		// the edition's closed ones (holdDraft reads them anyway), and
		// plans again.
		plan := s.plan
		if mode == openNow {
			plan = s.replan
		}
		for range 2 {
			ed, readme, _, err := plan(ctx)
			if err != nil {
				return DraftOutcome{}, err
			}
			// An edition merged but not yet published still has its items
			// open: publish it first, or they would go into this one again.
			if _, err := s.repairPublications(ctx, ed); err != nil {
				return DraftOutcome{}, fmt.Errorf("publishing the last edition before opening the next: %w", err)
			}
			if mode == openWhenDue {
				held, out, err := s.holdDraft(ctx, ed)
				if errors.Is(err, errStalePlan) {
					plan = s.replan
					continue
				}
				if held || err != nil {
					return out, err
				}
			}
			return s.openEdition(ctx, ed, readme)
		}
		return DraftOutcome{}, errStalePlan
	}
	var out DraftOutcome
	if p := passOf(ctx); p != nil && !p.since.IsZero() {
		out, err = s.catchUpDraft(ctx, draft, p)
	} else {
		out, err = s.refreshDraft(ctx, draft)
	}
	if err != nil || mode == refreshOnly {
		return out, err
	}
	// The edition after this draft is due but this one is still open:
	// keep it, say so. The next edition is planned as if this draft were
	// out; it is due when the schedule says, and never before this
	// draft's own publication day has passed.
	_, _, files, err := s.plan(ctx)
	if err != nil {
		return out, err
	}
	files = append(files, drafts.EditionFile{Number: draft.Number, Date: draft.Date, Path: draft.Path})
	next, err := drafts.PlanNext(s.Config, files, s.now())
	if err != nil {
		return out, err
	}
	due, ok := s.Config.DraftDue(next)
	if next.Number > draft.Number && ok && !s.clock().Before(due) && !s.now().Before(s.dueDay(draft)) {
		out.Overdue = next.Number
		msg := fmt.Sprintf("The draft of edition %d is due, but this one (edition %d) is still open. "+
			"The bot keeps a single draft: merge or close this pull request, and the next draft opens on the following run. "+
			"Until then, new submissions keep landing here.", next.Number, draft.Number)
		marker := fmt.Sprintf("<!-- newsletter-bot:overdue %d -->", next.Number)
		if err := s.upsertComment(ctx, draft.Pull.Number, marker, marker+"\n"+msg); err != nil {
			return out, err
		}
	}
	return out, nil
}

// holdDraft reports whether the schedule holds ed's draft back: not due
// yet, or its draft for this publication day was closed unmerged by people.
func (s *Service) holdDraft(ctx context.Context, ed drafts.Edition) (bool, DraftOutcome, error) {
	out := DraftOutcome{Draft: Draft{Number: ed.Number, Date: ed.Date, Path: ed.Path}}
	due, ok := s.Config.DraftDue(ed)
	out.Due = due
	switch {
	case !ok:
		out.Held = "draft.schedule does not fire in the year before the edition; only /newsletter draft opens it"
		return true, out, nil
	case s.clock().Before(due):
		out.Held = "not due before " + due.Format(time.RFC3339)
		return true, out, nil
	}
	closed, err := s.GH.Pulls(ctx, s.Repo, BranchFor(ed.Number), "closed")
	if err != nil {
		return false, out, err
	}
	for _, p := range closed {
		if d, ok := s.draftOf(p); ok && p.Merged && d.Number == ed.Number {
			return false, out, errStalePlan
		}
		// People closed this edition's draft for this publication day:
		// the schedule leaves it closed until the edition moves to the
		// next publication day (then a fresh draft with the same number
		// opens at that day's tick); /newsletter draft opens it at once.
		if d, ok := s.draftOf(p); ok && !p.Merged && d.Number == ed.Number && d.Date.Equal(ed.Date.Time) {
			out.Held = fmt.Sprintf("#%d, the draft of this edition for %s, was closed without merging; the schedule opens a fresh one "+
				"for the next publication day, /newsletter draft at once", p.Number, drafts.LongDate(ed.Date))
			return true, out, nil
		}
	}
	return false, out, nil
}

// dueDay is the day after the draft's publication day: only then is the
// next edition's draft overdue.
func (s *Service) dueDay(d Draft) drafts.Date { return drafts.Date{Time: d.Date.AddDate(0, 0, 1)} }

// plan works out the next edition from the default branch: the README
// index gives the highest number (else the newest file's title), the edition
// files give the newest date.
func (s *Service) plan(ctx context.Context) (drafts.Edition, string, []drafts.EditionFile, error) {
	p := passOf(ctx)
	if p != nil && p.planned {
		return p.ed, p.readme, slices.Clone(p.files), nil
	}
	ed, readme, files, err := s.readPlan(ctx)
	if p != nil && err == nil {
		p.planned, p.ed, p.readme, p.files = true, ed, readme, slices.Clone(files)
	}
	return ed, readme, files, err
}

// errStalePlan is a plan that names an edition already merged: it was
// read before the merge.
var errStalePlan = errors.New("the next edition was planned before the last one was merged")

// replan is plan read afresh from the default branch, which the rest of
// the pass then uses.
func (s *Service) replan(ctx context.Context) (drafts.Edition, string, []drafts.EditionFile, error) {
	if p := passOf(ctx); p != nil {
		p.planned = false
	}
	return s.plan(ctx)
}

// readPlan is plan, read from the default branch.
func (s *Service) readPlan(ctx context.Context) (drafts.Edition, string, []drafts.EditionFile, error) {
	cfg := s.Config
	readme := ""
	var numbers []int
	if cfg.Index.Path != "" {
		text, err := s.GH.File(ctx, s.Repo, "", cfg.Index.Path)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return drafts.Edition{}, "", nil, err
		default:
			readme = text
			numbers, _ = drafts.IndexNumbers(text) // a README without the table falls back to titles
		}
	}
	names, err := s.GH.Dir(ctx, s.Repo, "", drafts.EditionDir(cfg))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return drafts.Edition{}, "", nil, err
	}
	var files []drafts.EditionFile
	newest := -1
	for _, n := range names {
		if f, ok := drafts.ParseEditionPath(cfg, n); ok {
			files = append(files, f)
			if newest < 0 || f.Date.After(files[newest].Date.Time) {
				newest = len(files) - 1
			}
		}
	}
	highest := 0
	for _, n := range numbers {
		highest = max(highest, n)
	}
	if highest == 0 && newest >= 0 {
		text, err := s.GH.File(ctx, s.Repo, "", files[newest].Path)
		if err != nil {
			return drafts.Edition{}, "", nil, err
		}
		highest, _ = drafts.TitleNumber(text)
	}
	if newest >= 0 {
		files[newest].Number = max(files[newest].Number, highest)
	} else if highest > 0 {
		files = append(files, drafts.EditionFile{Number: highest})
	}
	ed, err := drafts.PlanNext(cfg, files, s.now())
	return ed, readme, files, err
}

// build renders an edition from the open submissions.
func (s *Service) build(ctx context.Context, ed drafts.Edition) (*drafts.Result, error) {
	issues, err := s.submissions(ctx)
	if err != nil {
		return nil, err
	}
	// The listing has every submission there is: the items account for
	// every issue up to the newest of them (drafts.Items.Through).
	h, err := s.history(ctx, true)
	if err != nil {
		return nil, err
	}
	return drafts.BuildAfter(s.Config, s.Forms, ed, issues, h)
}

func (s *Service) indexEntry(ed drafts.Edition) drafts.IndexEntry {
	return drafts.IndexEntry{Number: ed.Number, Date: ed.Date.Format(time.DateOnly),
		URL: fmt.Sprintf("%s/blob/%s/%s", s.htmlURL(), s.Repo.DefaultBranch, ed.Path)}
}

func (s *Service) htmlURL() string {
	if s.Repo.HTMLURL != "" {
		return s.Repo.HTMLURL
	}
	return "https://github.com/" + s.Repo.FullName()
}

// commitMessage is the message of a commit of the bot's on a draft
// branch. Its trailers say which edition it is for (Newsletter-Bot-Render
// on the commit that opens the draft, Newsletter-Bot-Merge on the merges)
// and carry the bot's render it was made from (Newsletter-Bot-Base: gzip,
// then base64), the base of the next three-way merge. The base travels in
// the same write that moves the branch, so no update can see a branch and
// a base that do not belong together.
func commitMessage(ed drafts.Edition, what, trailer, render string) string {
	return fmt.Sprintf("%s: %s\n\n%s%d\n%s%s\n", ed.Title, what, trailer, ed.Number, baseTrailer, encodeBase(render))
}

const baseTrailer = "Newsletter-Bot-Base: "

// draftCommitMessage is commitMessage with one more trailer,
// Newsletter-Bot-Items: the items (JSON, then gzip and base64) the render
// was made from, which the next update of one submission starts from.
// They ride in the same write as the render, so the two always belong
// together.
func draftCommitMessage(ed drafts.Edition, what, trailer, render string, items []byte) string {
	return commitMessage(ed, what, trailer, render) + itemsTrailer + encodeBase(string(items)) + "\n"
}

const itemsTrailer = "Newsletter-Bot-Items: "

// openEdition opens the draft of ed: one commit with the edition and the
// README index, the branch, the pull request.
func (s *Service) openEdition(ctx context.Context, ed drafts.Edition, readme string) (DraftOutcome, error) {
	res, err := s.build(ctx, ed)
	if err != nil {
		return DraftOutcome{}, err
	}
	files := map[string]string{ed.Path: res.Markdown}
	if s.Config.Index.Path != "" && readme != "" {
		if idx, err := drafts.AddToIndex(readme, s.indexEntry(ed), drafts.IndexLayoutOf(s.Config)); err == nil {
			files[s.Config.Index.Path] = idx
		} else {
			s.Logger().Warn("the README index could not be updated; the draft goes without it", "edition", ed.Number, "error", err)
		}
	}
	title, err := s.Config.DraftTitle(ed)
	if err != nil {
		return DraftOutcome{}, err
	}
	draft := Draft{Number: ed.Number, Date: ed.Date, Path: ed.Path, Current: true}
	body := s.pullBody(draft, res.Listing(), nil)
	branch := BranchFor(ed.Number)
	out := DraftOutcome{Draft: draft, Result: res, Text: res.Markdown, Body: body}
	head, tree, err := s.GH.Branch(ctx, s.Repo, s.Repo.DefaultBranch)
	if err != nil {
		return out, err
	}
	items, err := json.Marshal(res.Items)
	if err != nil {
		return out, err
	}
	sha, err := s.GH.CommitFiles(ctx, s.Repo, head, tree, files, draftCommitMessage(ed, "open the draft", renderTrailer, res.Markdown, items))
	if errors.Is(err, ErrDryRun) {
		s.Logger().Info("dry run: would open a draft pull request", "edition", ed.Number,
			"branch", branch, "title", title, "included", len(res.Included))
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if err := s.GH.CreateBranch(ctx, s.Repo, branch, sha); errors.Is(err, errConflict) {
		// The branch exists. Its draft may be open after all (another
		// replica opened it since OpenDraft looked; people may have
		// pushed to it already): never touch it then, refresh it.
		open, err := s.GH.Pulls(ctx, s.Repo, branch, "open")
		if err != nil {
			return out, err
		}
		for _, p := range open {
			if d, ok := s.draftOf(p); ok {
				return s.refreshDraft(ctx, d)
			}
		}
		// Another replica's render, its pull request not open yet: reuse
		// it. Else the branch is left from a draft people closed: start
		// it over.
		tip, _, err := s.GH.Branch(ctx, s.Repo, branch)
		if err != nil {
			return out, err
		}
		c, err := s.GH.Commit(ctx, s.Repo, tip)
		if err != nil {
			return out, err
		}
		if len(c.Parents) == 1 && c.Parents[0] == head && strings.Contains(c.Message, fmt.Sprintf("%s%d\n", renderTrailer, ed.Number)) {
			sha = tip
		} else {
			s.Logger().Info("the draft's branch is left from a closed draft; starting it over", "edition", ed.Number, "branch", branch, "tip", tip)
			if err := s.GH.MoveBranch(ctx, s.Repo, branch, sha, true); err != nil {
				return out, err
			}
		}
	} else if err != nil {
		return out, err
	}
	pull, err := s.GH.CreatePull(ctx, s.Repo, branch, s.Repo.DefaultBranch, title, body)
	if err != nil {
		return out, err
	}
	out.Draft.Pull, out.Draft.File, out.Opened, out.Committed = pull, res.Markdown, true, true
	s.Logger().Info("opened the draft", "edition", ed.Number, "pull", pull.Number, "included", len(res.Included))
	return out, nil
}

// maxBaseWalk bounds how many commits people may push on top of the
// bot's last one before the bot stops looking for its base.
const maxBaseWalk = 100

// mergeBase finds the render the branch at tip was last merged from: the
// Newsletter-Bot-Base of the newest commit of the bot's, walking first
// parents down from tip (people's commits sit on top of it), and the items
// that commit says the render was made from (Newsletter-Bot-Items; nil
// when it carries none). Commits of older versions carry no base: an
// opening commit's file is its render; a merge's render was kept in the
// pull request's description; failing both, the opening commit's file is
// the base of last resort (against it, lines the bot merged since look
// like changes on both sides, which at worst shows as a conflict, never as
// a lost edit).
func (s *Service) mergeBase(ctx context.Context, tip string, d Draft) (base string, items []byte, err error) {
	merge := fmt.Sprintf("%s%d\n", mergeTrailer, d.Number)
	opening := fmt.Sprintf("%s%d\n", renderTrailer, d.Number)
	legacy := false
	sha := tip
	for range maxBaseWalk {
		c, err := s.GH.Commit(ctx, s.Repo, sha)
		if err != nil {
			return "", nil, err
		}
		mine := strings.Contains(c.Message, merge) || strings.Contains(c.Message, opening)
		if base, ok := decodeBase(c.Message); mine && ok && !legacy {
			if items, ok := decodeTrailer(c.Message, itemsTrailer, maxItems); ok {
				return base, []byte(items), nil
			}
			return base, nil, nil
		}
		if mine && strings.Contains(c.Message, opening) {
			base, err := s.GH.File(ctx, s.Repo, sha, d.Path)
			return base, nil, err
		}
		if mine && !legacy {
			if base, ok := decodeRender(d.Pull.Body); ok {
				return base, nil, nil
			}
			legacy = true // look further down, for the opening commit
			s.Logger().Warn("the draft's last merge carries no base; merging against its opening commit",
				"edition", d.Number, "pull", d.Pull.Number)
		}
		if len(c.Parents) == 0 {
			break
		}
		sha = c.Parents[0]
	}
	return "", nil, fmt.Errorf("the branch %s has no commit of the bot's in its last %d", BranchFor(d.Number), maxBaseWalk)
}

// draftBranch is a draft's branch as an update reads it, before it
// computes anything: its tip, the bot's last render on it (the base of the
// next three-way merge) with the items that render was made from, and the
// edition file now.
type draftBranch struct {
	tip, tree string
	base      string
	// items are the base's items; fits says they are there and fit the
	// configuration and edition as they are now (drafts.Items.Fits): only
	// then can an update start from them.
	items drafts.Items
	fits  bool
	ours  string
}

// readBranch reads the draft's branch: three requests, and one more for
// each commit people pushed on top of the bot's last.
func (s *Service) readBranch(ctx context.Context, d Draft, ed drafts.Edition) (draftBranch, error) {
	var b draftBranch
	var err error
	if b.tip, b.tree, err = s.GH.Branch(ctx, s.Repo, BranchFor(d.Number)); err != nil {
		return b, err
	}
	key := s.Repo.FullName() + " " + b.tip
	cached, ok := s.Memo.base(key)
	if !ok {
		var items []byte
		if cached.base, items, err = s.mergeBase(ctx, b.tip, d); err != nil {
			return b, err
		}
		cached.hasItems = items != nil && json.Unmarshal(items, &cached.items) == nil
		if cached.hasItems { // else the base may come from the pull request's description, which changes
			s.Memo.setBase(key, cached)
		}
	}
	b.base, b.items = cached.base, cached.items
	b.fits = cached.hasItems && b.items.Fits(s.Config, s.Forms, ed)
	if cached.hasFile {
		b.ours = cached.file
		return b, nil
	}
	b.ours, err = s.GH.File(ctx, s.Repo, b.tip, d.Path)
	if errors.Is(err, ErrNotFound) {
		b.ours, err = "", nil // someone deleted the file: the merge reports it as a conflict
	}
	return b, err
}

// draftUpdate is what an update merges into the draft: the new render,
// the items it was made from, and what it takes in and leaves out.
type draftUpdate struct {
	render  string
	items   drafts.Items
	listing drafts.Listing
	result  *drafts.Result // when it was built from every submission
	// opened counts the issues opened since the draft's last commit that
	// the update read (see newerItems).
	opened int
}

// draftEdition is the edition a draft is of.
func (s *Service) draftEdition(d Draft) (drafts.Edition, error) {
	ed, err := drafts.NewEdition(s.Config, d.Number, d.Date)
	ed.Path = d.Path
	return ed, err
}

// refreshDraft merges the fresh render into the draft branch, or says on
// the pull request why it cannot. It reads the branch (tip, base, file)
// before it lists the submissions, so its render is never older than the
// base it merges against, and it moves the branch only from the tip it read
// (a non-forced update to a commit whose parent is that tip: GitHub's
// compare-and-swap); errConflict means another update won, and the caller
// reads everything again.
func (s *Service) refreshDraft(ctx context.Context, draft Draft) (DraftOutcome, error) {
	ed, err := s.draftEdition(draft)
	if err != nil {
		return DraftOutcome{Draft: draft}, err
	}
	started := s.wallClock()
	b, err := s.readBranch(ctx, draft, ed)
	if err != nil {
		return DraftOutcome{Draft: draft}, err
	}
	out, err := s.rebuildDraft(ctx, draft, ed, b)
	s.rememberCurrent(out, err, started)
	return out, err
}

// rebuildDraft is refreshDraft after the branch was read: it lists every
// submission, builds the edition from them and merges it. It is the source
// of truth the incremental updates agree with, and it writes the items
// they start from.
func (s *Service) rebuildDraft(ctx context.Context, draft Draft, ed drafts.Edition, b draftBranch) (DraftOutcome, error) {
	return s.rebuildDraftThrough(ctx, draft, ed, b, 0)
}

// rebuildDraftThrough is rebuildDraft knowing that every issue up to
// through was opened before it lists the submissions.
func (s *Service) rebuildDraftThrough(ctx context.Context, draft Draft, ed drafts.Edition, b draftBranch, through int) (DraftOutcome, error) {
	res, err := s.build(ctx, ed)
	if err != nil {
		return DraftOutcome{Draft: draft}, err
	}
	// The draft's pull request, and every issue numbered below it, was
	// opened before the listing too: the items account for them, and the
	// next update reads only the issues opened after.
	res.Items.Through = max(res.Items.Through, through, draft.Pull.Number)
	return s.mergeUpdate(ctx, draft, ed, b, draftUpdate{render: res.Markdown, items: res.Items, listing: res.Listing(), result: res})
}

// mergeUpdate merges u into the branch as read in b (the three-way merge
// of the base, the file and the new render), commits the result with the
// render and its items as the next base, moves the branch by
// compare-and-swap from the tip it read, reports or clears conflicts, and
// keeps the description in step. It commits when the file or the render
// changed, or an item the stored ones account for (see recordItems), and
// writes nothing else.
func (s *Service) mergeUpdate(ctx context.Context, draft Draft, ed drafts.Edition, b draftBranch, u draftUpdate) (DraftOutcome, error) {
	out := DraftOutcome{Draft: draft, Result: u.result}
	record, err := recordItems(b, u)
	if err != nil {
		return out, err
	}
	tip := b.tip
	merged := drafts.Merge3(b.base, b.ours, u.render)
	out.Conflicts, out.Text, out.Draft.File = merged.Conflicts, merged.Text, b.ours
	if len(merged.Conflicts) > 0 {
		out.Text = b.ours
		s.Logger().Warn("the new render conflicts with hand edits; said so on the draft and committed nothing",
			"edition", draft.Number, "pull", draft.Pull.Number, "conflicts", len(merged.Conflicts))
	} else if merged.Text != b.ours || u.render != b.base || record {
		// A commit also when the file stays as it is but the render moved
		// on (people made the bot's change themselves, or resolved a
		// conflict): the next merge starts from this render; and when
		// only the items changed (a submission that waits for review was
		// edited): the next update starts from them.
		items, err := json.Marshal(u.items)
		if err != nil {
			return out, err
		}
		what := "merge new submissions"
		switch {
		case merged.Text == b.ours && u.render == b.base:
			what = "record the submissions (the edition's text stays as it is)"
		case merged.Text == b.ours:
			what = "record the new render (the branch already has its lines)"
		}
		sha, err := s.GH.CommitFiles(ctx, s.Repo, b.tip, b.tree, map[string]string{draft.Path: merged.Text},
			draftCommitMessage(ed, what, mergeTrailer, u.render, items))
		tip = ""
		switch {
		case errors.Is(err, ErrDryRun):
			s.Logger().Info("dry run: would commit to the draft", "edition", draft.Number)
		case err != nil:
			return out, err
		default:
			if err := s.GH.MoveBranch(ctx, s.Repo, BranchFor(draft.Number), sha, false); err != nil {
				return out, err // errConflict: the branch moved since it was read; the caller reads it again
			}
			out.Committed, out.Draft.File, tip = true, merged.Text, sha
			// What the next update would read back from the commit.
			s.Memo.setBase(s.Repo.FullName()+" "+sha, branchBase{base: u.render, items: u.items, hasItems: true,
				file: merged.Text, hasFile: true})
			s.Logger().Info("merged the new render into the draft", "edition", draft.Number, "pull", draft.Pull.Number,
				"commit", sha, "included", len(u.listing.Included))
		}
	}
	if err := s.reportConflicts(ctx, &out.Draft, merged.Conflicts); err != nil {
		return out, err
	}
	body := s.pullBody(draft, u.listing, merged.Conflicts)
	out.Body = body
	if body != draft.Pull.Body {
		if err := s.write("edit the draft's description", draft.Pull.Number, func() error {
			return s.GH.EditPull(ctx, s.Repo, draft.Pull.Number, draft.Pull.Title, body)
		}); err != nil {
			return out, err
		}
		out.Draft.Pull.Body = body
	}
	out.Tip = tip
	if len(merged.Conflicts) == 0 {
		out.Draft.items = &u.items
	}
	return out, nil
}

// reportConflicts keeps the conflict label and comment on the draft in step
// with the merge: present while lines clash, resolved once they do not.
// When a conflict clears, the items it held back are in the draft now, and
// their statuses say so.
func (s *Service) reportConflicts(ctx context.Context, draft *Draft, conflicts []drafts.Conflict) error {
	label := s.Config.Labels.Conflict
	has := draft.Conflict(s.Config)
	if len(conflicts) == 0 {
		if !has {
			return nil
		}
		if err := s.write("unlabel conflict", draft.Pull.Number, func() error {
			return s.GH.RemoveLabel(ctx, s.Repo, draft.Pull.Number, label)
		}); err != nil {
			return err
		}
		draft.Pull.Labels = slices.DeleteFunc(slices.Clone(draft.Pull.Labels), func(l string) bool { return strings.EqualFold(l, label) })
		if err := s.upsertComment(ctx, draft.Pull.Number, conflictMarker,
			conflictMarker+"\n✅ The conflict is resolved: the bot merges new submissions into this draft again."); err != nil {
			return err
		}
		_, err := s.UpdateStatuses(ctx, draft)
		return err
	}
	var b strings.Builder
	b.WriteString(conflictMarker + "\n")
	fmt.Fprintf(&b, "⚠️ The bot could not merge its update into %s: the lines below were changed on this branch, "+
		"and the submissions changed them too. Nothing was committed; new submissions wait until this is resolved.\n", drafts.CodeSpan(draft.Path))
	for _, c := range conflicts {
		// The lines are the file's, hand edits included: in a code block
		// whose fence none of them can close.
		var diff strings.Builder
		for _, l := range c.Ours {
			diff.WriteString("- " + strings.TrimSuffix(l, "\n") + "\n")
		}
		for _, l := range c.Theirs {
			diff.WriteString("+ " + strings.TrimSuffix(l, "\n") + "\n")
		}
		fmt.Fprintf(&b, "\nAt line %d of %s:\n\n%s", c.Line, drafts.CodeSpan(path.Base(draft.Path)), drafts.CodeBlock("diff", diff.String()))
	}
	b.WriteString("\n`-` is the branch now, `+` is what the bot would write. To resolve it, put the `+` lines into the file, " +
		"next to yours or in their place: the next update then goes through, and after it you may edit those lines as you like. " +
		"Lines you wrote elsewhere stay as they are.\n")
	if !has {
		if err := s.write("label conflict", draft.Pull.Number, func() error {
			return s.GH.AddLabels(ctx, s.Repo, draft.Pull.Number, label)
		}); err != nil {
			return err
		}
		draft.Pull.Labels = append(slices.Clone(draft.Pull.Labels), label)
	}
	return s.upsertComment(ctx, draft.Pull.Number, conflictMarker, b.String())
}

// pullBody is the draft pull request's description: what is in, what waits.
func (s *Service) pullBody(d Draft, listing drafts.Listing, conflicts []drafts.Conflict) string {
	var b strings.Builder
	fmt.Fprintf(&b, editionMarker+"\n", d.Number, d.Date.Format(time.DateOnly), d.Path)
	if s.Config.Draft.Note != "" {
		b.WriteString(strings.TrimSpace(s.Config.Draft.Note) + "\n\n")
	}
	fmt.Fprintf(&b, "Edition **%d**, to be published on **%s** as `%s`.\n", d.Number, drafts.LongDate(d.Date), d.Path)
	if len(conflicts) > 0 {
		fmt.Fprintf(&b, "\n⚠️ %d conflict(s) with edits on this branch hold back the bot's updates; see the comment below.\n", len(conflicts))
	}
	var waiting, needsInfo, other []drafts.Exclusion
	for _, e := range listing.Excluded {
		switch e.Why {
		case drafts.WhyAwaitingReview:
			waiting = append(waiting, e)
		case drafts.WhyNeedsInfo:
			needsInfo = append(needsInfo, e)
		default:
			other = append(other, e)
		}
	}
	fmt.Fprintf(&b, "\n#### In this edition (%d)\n\n", len(listing.Included))
	for _, sub := range listing.Included {
		fmt.Fprintf(&b, "- #%d %s: %s\n", sub.Issue, sub.Kind, drafts.Plain(sub.Title))
	}
	if len(listing.Included) == 0 {
		b.WriteString("Nothing yet: accepted submissions appear here as they come in.\n")
	}
	if len(waiting) > 0 {
		fmt.Fprintf(&b, "\n#### Waiting for review (%d)\n\nComment `/newsletter accept` on an issue to take it in.\n\n", len(waiting))
		for _, e := range waiting {
			fmt.Fprintf(&b, "- #%d\n", e.Issue)
		}
	}
	if len(needsInfo) > 0 {
		fmt.Fprintf(&b, "\n#### Needs info (%d)\n\n", len(needsInfo))
		for _, e := range needsInfo {
			fmt.Fprintf(&b, "- #%d: %s\n", e.Issue, strings.TrimPrefix(e.Reason, "needs info: "))
		}
	}
	if len(other) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Left out (%d)</summary>\n\n", len(other))
		for _, e := range other {
			fmt.Fprintf(&b, "- #%d: %s\n", e.Issue, e.Reason)
		}
		b.WriteString("\n</details>\n")
	}
	b.WriteString("\nSubmissions are triaged with slash commands on their issues; `/newsletter help` lists them.\n")
	return b.String()
}

// encodeBase packs a render for a commit trailer: gzip, then base64, on
// one line. A 300-item edition takes about 15 KB.
func encodeBase(text string) string {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // the level is valid; the best compression took a fifth of an update's CPU for 15% less
	zw.Write([]byte(text))
	zw.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// maxRender bounds what a base may unpack to, and maxItems what its items
// may: an edition file is far smaller, and a commit message is text anyone
// with push access writes. Items of 10,000 submissions take about 1.7 MB.
const (
	maxRender = 4 << 20
	maxItems  = 32 << 20
)

func decodeBase(message string) (string, bool) {
	return decodeTrailer(message, baseTrailer, maxRender)
}

// decodeTrailer unpacks the last trailer of a commit message that starts
// with trailer, if it unpacks to at most limit bytes.
func decodeTrailer(message, trailer string, limit int64) (string, bool) {
	i := strings.LastIndex(message, "\n"+trailer)
	if i < 0 {
		return "", false
	}
	enc, _, _ := strings.Cut(message[i+1+len(trailer):], "\n")
	return unpack(strings.TrimSpace(enc), limit)
}

func unpack(enc string, limit int64) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", false
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return "", false
	}
	text, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil || int64(len(text)) > limit {
		return "", false
	}
	return string(text), true
}

// Versions before the base rode in commits kept the last render in the
// draft's description, hidden in an HTML comment. mergeBase still reads
// it; nothing writes it any more.
const renderPrefix = "<!-- newsletter-bot:render "

func decodeRender(body string) (string, bool) {
	i := strings.LastIndex(body, renderPrefix)
	if i < 0 {
		return "", false
	}
	enc, _, ok := strings.Cut(body[i+len(renderPrefix):], " -->")
	if !ok {
		return "", false
	}
	return unpack(enc, maxRender)
}
