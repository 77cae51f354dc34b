package reconcile

import (
	"context"
	"sync"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
)

// Links that no longer work. A submission heading for an edition (open,
// not declined or published, its fields fine) has its link checked when
// its status is brought up to date: when it is filed or edited, and when
// every status is (the draft opens, or a replica starts; the checker
// remembers an answer a day). A link that answers 404
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
		return linkVerdict{warning: drafts.Plain(r.Message) + " This blocks nothing; the bot checks it again tomorrow."}
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
	work := make(chan drafts.Issue)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				sub := p.Parse(i)
				s.checkLink(ctx, &sub, i)
			}
		}()
	}
	for _, i := range issues {
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
}
