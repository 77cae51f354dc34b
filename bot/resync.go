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

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/handlers"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// Resyncer repairs what lost or failed webhooks left undone and runs the
// monthly schedule. A pass goes over every repository of every
// installation and, for each: answers commands in comments created since
// the last pass that carry no reaction of the bot's yet (in order),
// reconciles the submissions updated since the last pass, keeps the draft
// current (opening it when draft.schedule says it is due), and closes
// events that are over. Everything it calls is idempotent, so a pass where
// nothing changed writes nothing, and two replicas resyncing side by side
// do each thing once.
type Resyncer struct {
	Clients  githubapp.ClientCreator
	Env      *handlers.Env
	Lookback time.Duration // how far back the first pass looks for commands
	Now      func() time.Time
	Log      *slog.Logger

	mu   sync.Mutex
	last map[string]time.Time // "installation/owner/name" -> start of its last clean pass
	done time.Time            // end of the last pass without errors
}

// overlap re-reads a little before the last pass, for clock skew between
// this replica and GitHub.
const overlap = 2 * time.Minute

// RepoReport says what a pass did for one repository.
type RepoReport struct {
	Repo     string
	Issues   int // submissions reconciled
	Commands int // comments whose commands were run
	Draft    reconcile.DraftOutcome
	Closed   []int // events closed as over
	Err      error
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
	last, seen := r.last[key]
	r.mu.Unlock()

	svc, err := r.Env.Service(ctx, installationID, repo)
	if errors.Is(err, reconcile.ErrConfig) {
		return rep // reported on the repository; nothing runs until it is fixed
	}
	if err != nil {
		rep.Err = err
		return rep
	}
	svc.Log = svc.Log.With("resync", true)
	rep.Err = r.repo(ctx, svc, last, seen, &rep)
	if rep.Err == nil {
		r.mu.Lock()
		if r.last == nil {
			r.last = map[string]time.Time{}
		}
		r.last[key] = start
		r.mu.Unlock()
	}
	level := slog.LevelDebug
	if rep.Issues > 0 || rep.Commands > 0 || rep.Draft.Opened || rep.Draft.Committed || len(rep.Closed) > 0 || rep.Err != nil {
		level = slog.LevelInfo
	}
	svc.Logger().Log(ctx, level, "resync pass", "issues", rep.Issues, "commands", rep.Commands, "draft_opened", rep.Draft.Opened,
		"draft_committed", rep.Draft.Committed, "events_closed", len(rep.Closed), "error", rep.Err)
	return rep
}

func (r *Resyncer) repo(ctx context.Context, svc *reconcile.Service, last time.Time, seen bool, rep *RepoReport) error {
	// A config issue left open from an earlier break closes once it loads.
	if err := svc.ReportConfig(ctx, nil); err != nil {
		return err
	}
	// The labels, on a repository's first pass (start-up, or a new
	// installation): the issue forms apply only labels that exist.
	if !seen {
		if _, err := svc.EnsureLabels(ctx); err != nil {
			return fmt.Errorf("labels: %w", err)
		}
	}

	// 1. Commands nobody answered, oldest first: they may change labels
	// that the next steps read.
	commandsSince := r.now().Add(-r.Lookback)
	if seen {
		commandsSince = last.Add(-overlap)
	}
	comments, err := svc.GH.RepoComments(ctx, svc.Repo, commandsSince)
	if err != nil {
		return err
	}
	for _, c := range comments {
		if c.CreatedAt.Before(commandsSince) || c.UserType == "Bot" || !strings.Contains(c.Body, handlers.Prefix) ||
			len(handlers.ParseCommands(c.Body)) == 0 {
			continue
		}
		answered, err := r.answered(ctx, svc, c.ID)
		if err != nil {
			return err
		}
		if answered {
			continue
		}
		issue, err := svc.GH.Issue(ctx, svc.Repo, c.IssueNumber)
		if err != nil {
			return err
		}
		out, err := handlers.RunCommands(ctx, svc, r.Env.Maintainers, handlers.CommentEvent{Comment: c, Issue: issue})
		if err != nil {
			return fmt.Errorf("commands in %s: %w", c.HTMLURL, err)
		}
		if out.Skipped == "" {
			rep.Commands++
			svc.Logger().Info("answered a command the webhook missed", "issue", c.IssueNumber, "comment", c.ID, "ran", out.Ran, "refused", len(out.Refused))
		}
	}

	// 2. A draft merged since the last pass is published (again: that is
	// harmless) in case its webhook was lost.
	if seen {
		if _, err := svc.PublishMerged(ctx, last.Add(-overlap)); err != nil {
			return fmt.Errorf("publishing: %w", err)
		}
	}

	// 3. The draft: kept current, opened when the schedule says so. A
	// draft that opened since the last pass (here, or anywhere whose
	// webhook got lost) is named in every submission's status.
	if rep.Draft, err = svc.ScheduledDraft(ctx); err != nil {
		return fmt.Errorf("draft: %w", err)
	}
	var draft *reconcile.Draft
	if d := rep.Draft.Draft; d.Pull.Number != 0 {
		draft = &d
	}
	if draft != nil && seen && draft.Pull.CreatedAt.After(last.Add(-overlap)) {
		if rep.Issues, err = svc.UpdateStatuses(ctx, draft); err != nil {
			return err
		}
		return r.events(ctx, svc, rep) // that covered every open submission
	}

	// 4. Submissions: all open ones the first time, then those updated
	// since the last pass (closed ones too: a withdrawal, a decline).
	filter := reconcile.IssueFilter{State: "open"}
	if seen {
		filter = reconcile.IssueFilter{State: "all", Since: last.Add(-overlap)}
	}
	var issues []drafts.Issue
	had := map[int]bool{}
	for _, k := range drafts.Kinds {
		f := filter
		f.Label = svc.Config.Labels.ForKind(k)
		list, err := svc.GH.Issues(ctx, svc.Repo, f)
		if err != nil {
			return err
		}
		for _, i := range list {
			if !had[i.Number] && !i.IsPullRequest() {
				had[i.Number] = true
				issues = append(issues, i)
			}
		}
	}
	for _, i := range issues {
		if err := svc.ReconcileSubmission(ctx, i, draft); err != nil {
			return fmt.Errorf("issue #%d: %w", i.Number, err)
		}
	}
	rep.Issues += len(issues)

	return r.events(ctx, svc, rep)
}

// events closes the events that are over: they leave the newsletter.
func (r *Resyncer) events(ctx context.Context, svc *reconcile.Service, rep *RepoReport) error {
	var err error
	rep.Closed, err = svc.CloseFinishedEvents(ctx)
	return err
}

// answered reports whether the bot already reacted to a comment (claimed
// it, or answered it).
func (r *Resyncer) answered(ctx context.Context, svc *reconcile.Service, commentID int64) (bool, error) {
	reactions, err := svc.GH.Reactions(ctx, svc.Repo, commentID)
	if err != nil {
		return false, err
	}
	for _, x := range reactions {
		login, _, _ := strings.Cut(x, " ")
		if strings.EqualFold(login, svc.BotLogin) {
			return true, nil
		}
	}
	return false, nil
}

func (r *Resyncer) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
