package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/handlers"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// Resyncer runs the resync (reconcile.Service.Resync) over every
// repository of every installation, at start-up and then periodically: it
// repairs what lost or failed webhooks left undone and runs the monthly
// schedule. What a pass looks at comes from GitHub; the only thing a
// replica remembers is when its own last clean pass over each repository
// began, which narrows what it checks to what changed since: the status
// comments and the draft's lines of the submissions updated since. A
// replica's first pass checks them all and builds the draft from every
// submission. (A periodic full pass on a replica that keeps its memory
// made the chaos test diverge on 3 of 200 seeds; it is left out until
// that is understood.)
type Resyncer struct {
	Clients  githubapp.ClientCreator
	Env      *handlers.Env
	Lookback time.Duration // how far back each pass looks for unanswered commands
	Now      func() time.Time
	Log      *slog.Logger

	mu   sync.Mutex
	last map[string]time.Time // "installation/owner/name" -> start of its last clean pass
	done time.Time            // end of the last pass without errors
}

// RepoReport says what a pass did for one repository.
type RepoReport struct {
	Repo string
	reconcile.ResyncReport
	Err error
}

// Pass runs one resync over every installation. It returns a report per
// repository; the error joins the repositories' errors.
func (r *Resyncer) Pass(ctx context.Context) ([]RepoReport, error) {
	app, err := r.Clients.NewAppClient()
	if err != nil {
		return nil, err
	}
	opts := &github.ListOptions{PerPage: 100}
	var installations []*github.Installation
	for {
		page, resp, err := app.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the app's installations: %w", err)
		}
		installations = append(installations, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	var reports []RepoReport
	var errs []error
	for _, inst := range installations {
		repos, err := r.repos(ctx, inst.GetID())
		if err != nil {
			errs = append(errs, fmt.Errorf("installation %d: %w", inst.GetID(), err))
			continue
		}
		for _, repo := range repos {
			rep := r.Repo(ctx, inst.GetID(), repo)
			if rep.Err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", rep.Repo, rep.Err))
			}
			reports = append(reports, rep)
		}
	}
	if len(errs) == 0 {
		r.mu.Lock()
		r.done = r.now()
		r.mu.Unlock()
	}
	return reports, errors.Join(errs...)
}

// LastClean is when the last pass without errors ended (zero: none yet).
func (r *Resyncer) LastClean() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

func (r *Resyncer) repos(ctx context.Context, installationID int64) ([]*github.Repository, error) {
	client, err := r.Clients.NewInstallationClient(installationID)
	if err != nil {
		return nil, err
	}
	opts := &github.ListOptions{PerPage: 100}
	var out []*github.Repository
	for {
		page, resp, err := client.Apps.ListRepos(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing its repositories: %w", err)
		}
		for _, repo := range page.Repositories {
			if !repo.GetArchived() {
				out = append(out, repo)
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Repo resyncs one repository.
func (r *Resyncer) Repo(ctx context.Context, installationID int64, repo *github.Repository) RepoReport {
	rep := RepoReport{Repo: repo.GetFullName()}
	start := r.now()
	key := fmt.Sprintf("%d/%s", installationID, strings.ToLower(repo.GetFullName()))
	r.mu.Lock()
	last := r.last[key]
	r.mu.Unlock()

	ctx = r.Env.Paced(ctx, installationID)
	svc, err := r.Env.Service(ctx, installationID, repo)
	if errors.Is(err, reconcile.ErrConfig) {
		return rep // reported on the repository; nothing runs until it is fixed
	}
	if err != nil {
		rep.Err = err
		return rep
	}
	svc.Log = svc.Log.With("resync", true)
	rep.ResyncReport, rep.Err = svc.Resync(ctx, last, r.Lookback)
	if rep.Err == nil {
		r.mu.Lock()
		if r.last == nil {
			r.last = map[string]time.Time{}
		}
		r.last[key] = start
		r.mu.Unlock()
	}
	svc.LogResync(ctx, rep.ResyncReport, rep.Err)
	return rep
}

func (r *Resyncer) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
