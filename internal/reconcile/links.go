package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
)

// Links that no longer work. A submission heading for an edition (open,
// not declined or published, its fields fine) has its link checked when
// its status is brought up to date: when it is filed or edited, and when
// every status is (the draft opens, or a replica starts; the checker
// remembers an answer a day). While a draft is open, the links of the
// submissions it is made from are checked again once a day
// (recheckLinks), so one that goes bad after acceptance leaves the
// edition before it goes out. A link that answers 404
// or 410, or whose host does not exist, or that points to a private
// address, is a problem of the submission: its status says what to fix
// and the needs-info label goes on, which keeps it out of the edition
// (drafts.Status.NeedsInfo) and lists it under "Needs info" in the
// draft's description. A time-out, 429 or 5xx is a warning that blocks
// nothing; so is a job posting that now leads to a careers or search
// page ("the posting may be closed").

// linkVerdict is what a check says of a submission's link.
type linkVerdict struct {
	problem *drafts.Problem
	warning string
}

// checkLink checks the submission's link, when there is one to check.
func (s *Service) checkLink(ctx context.Context, sub *drafts.Submission, issue drafts.Issue) linkVerdict {
	if !s.checksLinks() || !sub.Valid() || issue.State == "closed" || sub.Status.Declined || sub.Status.Published || sub.Link() == "" {
		return linkVerdict{}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(s.Config.Links.Timeout)+time.Second)
	defer cancel()
	r := s.Links.Check(ctx, sub.Link(), sub.Kind == drafts.KindJob)
	switch r.Verdict {
	case linkcheck.Problem:
		return linkVerdict{problem: &drafts.Problem{Field: "link", Label: "Link",
			Message: drafts.CodeSpan(sub.Link()) + ": " + drafts.Plain(r.Message) + " Check it, and edit the issue with one that works."}}
	case linkcheck.Warning:
		return linkVerdict{warning: drafts.Plain(r.Message) + " This blocks nothing; the bot checks the link again each day while the draft is open."}
	case linkcheck.MayBeClosed:
		return linkVerdict{warning: "the posting may be closed: " + drafts.Plain(r.Message)}
	}
	return linkVerdict{}
}

func (s *Service) checksLinks() bool { return s.Links != nil && s.Config.Links.Check }

// prefetchLinks checks the links of many submissions side by side before
// their statuses are brought up to date one by one (the checker bounds
// how many requests it makes at once, and to each host).
func (s *Service) prefetchLinks(ctx context.Context, issues []drafts.Issue) {
	if !s.checksLinks() {
		return
	}
	p := drafts.NewParser(s.Config, s.Forms)
	sideBySide(ctx, len(issues), func(i int) {
		sub := p.Parse(issues[i])
		s.checkLink(ctx, &sub, issues[i])
	})
}

// sideBySide runs do(0) to do(n-1), eight at a time (the link checker
// bounds its requests at once and to each host), until ctx is done.
func sideBySide(ctx context.Context, n int, do func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
}

// linkRecheckEvery is how often a replica checks again the links of the
// submissions the open draft is made from. The checker remembers an
// answer for a day, so each answer used is at most a day old.
const linkRecheckEvery = 24 * time.Hour

// recheckLinks checks again, once a day, the links of the submissions the
// open draft is made from (its tip's items: no listing, whatever their
// number), and brings up to date those whose link went bad (or works
// again): the needs-info label goes on (or off), the status says why, and
// the draft takes the item out (or back in). It reports the issues it
// reconciled. The day is counted from the replica's last recheck that
// succeeded.
func (s *Service) recheckLinks(ctx context.Context, draft *Draft) ([]int, error) {
	now := s.wallClock()
	if !s.checksLinks() || draft == nil || !s.Memo.linksDue(s.Repo.FullName(), now, linkRecheckEvery) {
		return nil, nil
	}
	its, err := s.tipItems(ctx, *draft)
	if err != nil {
		return nil, err
	}
	type work struct {
		item      drafts.Item
		link      string
		job, info bool
	}
	var todo []work
	for _, it := range its.List {
		if link, job, info, ok := it.LinkToCheck(); ok {
			todo = append(todo, work{it, link, job, info})
		}
	}
	changed := make([]bool, len(todo))
	sideBySide(ctx, len(todo), func(i int) {
		cctx, cancel := context.WithTimeout(ctx, time.Duration(s.Config.Links.Timeout)+time.Second)
		defer cancel()
		bad := s.Links.Check(cctx, todo[i].link, todo[i].job).Verdict == linkcheck.Problem
		changed[i] = bad != todo[i].info
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var done []int
	var errs []error
	for i, w := range todo {
		// A link that works on a duplicate changes nothing: being one
		// keeps the needs-info label on.
		if !changed[i] || (w.info && its.Duplicate(w.item)) {
			continue
		}
		n := w.item.Issue
		s.Logger().Info("a link's check changed since the submission's status was written; bringing it up to date", "issue", n)
		if err := s.ReconcileIssue(ctx, n); err != nil {
			errs = append(errs, fmt.Errorf("issue #%d: %w", n, err))
			continue
		}
		done = append(done, n)
	}
	if len(errs) == 0 {
		s.Memo.setLinksChecked(s.Repo.FullName(), now)
	}
	return done, errors.Join(errs...)
}

// tipItems returns the items the draft's tip commit carries: remembered
// when this replica made or read that commit, read otherwise.
func (s *Service) tipItems(ctx context.Context, draft Draft) (drafts.Items, error) {
	if b, ok := s.Memo.base(s.Repo.FullName() + " " + draft.Pull.HeadSHA); ok && b.hasItems {
		return b.items, nil
	}
	ed, err := s.draftEdition(draft)
	if err != nil {
		return drafts.Items{}, err
	}
	b, err := s.readBranch(ctx, draft, ed)
	return b.items, err
}
