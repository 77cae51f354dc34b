package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// historyWindow is how far back the issues labelled published are read
// for the history: a year of editions, and a month to spare.
const historyWindow = 400 * 24 * time.Hour

// history reads what the newsletter published before (drafts.History):
// the links in the last drafts.HistoryEditions edition files on the
// default branch, and those of the issues labelled published in the last
// historyWindow. It costs the directory listing and that listing; an
// edition file is read once per replica (by its blob id: a published
// edition rarely changes).
//
// Unless fresh, a history this replica read within historyTTL is used
// again while the edition files are the same (their blob ids): a
// publication, on any replica, adds a file, so no replica goes on with the
// history from before it.
func (s *Service) history(ctx context.Context, fresh bool) (drafts.History, error) {
	h := drafts.History{}
	entries, err := s.GH.DirEntries(ctx, s.Repo, "", drafts.EditionDir(s.Config))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	version := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(version, "%s %s\n", e.Path, e.SHA)
	}
	key := hex.EncodeToString(version.Sum(nil))
	if cached, ok := s.Memo.history(s.Repo.FullName(), key); ok && !fresh {
		return cached, nil
	}
	type file struct {
		drafts.EditionFile
		sha string
	}
	var files []file
	for _, e := range entries {
		if f, ok := drafts.ParseEditionPath(s.Config, e.Path); ok {
			files = append(files, file{f, e.SHA})
		}
	}
	sort.Slice(files, func(a, b int) bool { return files[a].Date.After(files[b].Date.Time) })
	for _, f := range files[:min(len(files), drafts.HistoryEditions)] {
		ed, ok := s.Memo.edition(f.sha)
		if !ok {
			text, err := s.GH.File(ctx, s.Repo, "", f.Path)
			if err != nil {
				return nil, err
			}
			ed.number, _ = drafts.TitleNumber(text)
			ed.links = drafts.EditionLinks(text)
			s.Memo.setEdition(f.sha, ed)
		}
		h.AddEdition(ed.number, ed.links)
	}
	published, err := s.GH.Issues(ctx, s.Repo, IssueFilter{Label: s.Config.Labels.Published, State: "all",
		Since: s.wallClock().Add(-historyWindow)})
	if err != nil {
		return nil, err
	}
	p := drafts.NewParser(s.Config, s.Forms)
	for _, i := range published {
		if i.IsPullRequest() {
			continue
		}
		sub := p.Parse(i)
		h.AddIssue(i.Number, sub.Link())
	}
	s.Memo.setHistory(s.Repo.FullName(), key, h)
	return h, nil
}

// duplicateProblems says whether the submission repeats the link of an
// earlier one, at once, as its status comment says it. While a draft is
// open, from the items of its tip (kept by the update that just ran, or
// read once for all the statuses a draft sets off): every open
// submission's link and the history. Otherwise from the history
// (remembered for historyTTL) and, within a resync pass or a refresh of
// every status, the listing of every open submission, read once for all:
// an event while no draft is open does not list them all (its cost would
// grow with their number), so a repeat of an open submission filed then
// is named by the next pass, and when the draft opens.
func (s *Service) duplicateProblems(ctx context.Context, sub *drafts.Submission, draft *Draft) ([]drafts.Problem, error) {
	if draft != nil && draft.items == nil && !draft.Conflict(s.Config) {
		if ed, err := s.draftEdition(*draft); err == nil {
			b, err := s.readBranch(ctx, *draft, ed)
			if err != nil {
				return nil, err
			}
			if b.fits {
				draft.items = &b.items
			}
		}
	}
	if draft != nil && draft.items != nil {
		return draft.items.DuplicateProblems(sub), nil
	}
	idx, err := s.linkIndex(ctx, nil)
	if err != nil {
		return nil, err
	}
	return idx.DuplicateProblems(sub), nil
}

// linkIndex is the open submissions' links and the history, from the
// pass when it has them; issues, when not nil, is the listing of every
// open submission the caller has read already. Outside a pass, and
// without issues, it holds the history alone.
func (s *Service) linkIndex(ctx context.Context, issues []drafts.Issue) (*drafts.Items, error) {
	p := passOf(ctx)
	if p != nil && p.links != nil {
		return p.links, nil
	}
	h, err := s.history(ctx, false)
	if err != nil {
		return nil, err
	}
	if issues == nil && p != nil {
		var err error
		if issues, err = s.submissions(ctx); err != nil {
			return nil, err
		}
	}
	idx := drafts.LinkIndex(s.Config, s.Forms, issues, h)
	if p != nil {
		p.links = &idx
	}
	return &idx, nil
}
