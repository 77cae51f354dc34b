// Package handlers turns GitHub webhooks into the newsletter's use cases:
// one handler per event, and the slash commands, whose one table drives
// parsing, the permission check and help. Handlers decode the payload, build
// a reconcile.Service for the repository and call it; they hold no state but
// a short cache of who is a maintainer.
package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// Env is what every handler shares.
type Env struct {
	Clients     githubapp.ClientCreator
	BotLogin    string // "<slug>[bot]"
	Forms       map[drafts.Kind]*drafts.Form
	Maintainers *Maintainers
	Now         func() time.Time
	Log         *slog.Logger
}

func (e *Env) log() *slog.Logger {
	if e.Log == nil {
		return slog.Default()
	}
	return e.Log
}

// Service builds the use cases for one repository of an installation. A
// configuration that does not load is reported on the repository (one
// issue, kept up to date) and returned as an error wrapping
// reconcile.ErrConfig; nothing else runs until it is fixed.
func (e *Env) Service(ctx context.Context, installationID int64, repo *github.Repository) (*reconcile.Service, error) {
	client, err := e.Clients.NewInstallationClient(installationID)
	if err != nil {
		return nil, fmt.Errorf("installation %d client: %w", installationID, err)
	}
	gh := reconcile.NewGitHub(client)
	r := reconcile.Repo{Owner: repo.GetOwner().GetLogin(), Name: repo.GetName(),
		DefaultBranch: repo.GetDefaultBranch(), HTMLURL: repo.GetHTMLURL()}
	if r.DefaultBranch == "" {
		if r, err = gh.Repository(ctx, r.Owner, r.Name); err != nil {
			return nil, err
		}
	}
	svc := &reconcile.Service{GH: gh, Repo: r, Forms: e.Forms, BotLogin: e.BotLogin, Now: e.Now, Log: e.log()}
	cfg, _, err := reconcile.LoadConfig(ctx, gh, r)
	if errors.Is(err, reconcile.ErrConfig) {
		svc.Config = drafts.DefaultConfig() // only to name the labels in the report
		if rerr := svc.ReportConfig(ctx, err); rerr != nil {
			e.log().Error("reporting the broken configuration failed", "repository", r.FullName(), "error", rerr)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	svc.Config = cfg
	return svc, nil
}

// Handlers returns the webhook handlers, for a go-githubapp dispatcher.
func Handlers(env *Env) []githubapp.EventHandler {
	return []githubapp.EventHandler{&Issues{env}, &IssueComment{env}, &PullRequest{env}}
}

// Issues handles issues events: a submission's status comment and labels,
// then the open draft.
type Issues struct{ *Env }

func (h *Issues) Handles() []string { return []string{"issues"} }

func (h *Issues) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.IssuesEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("decode issues event: %w", err)
	}
	switch ev.GetAction() {
	case "opened", "edited", "labeled", "unlabeled", "closed", "reopened":
	default:
		return nil
	}
	svc, err := h.Service(ctx, githubapp.GetInstallationIDFromEvent(&ev), ev.GetRepo())
	if err != nil {
		return ignoreConfig(err)
	}
	svc.Log = svc.Log.With("delivery", deliveryID) // the lines below name the issue or draft they concern
	return ReconcileIssue(ctx, svc, reconcile.IssueOf(ev.GetIssue()))
}

// ReconcileIssue brings one issue's submission state and, when the issue
// is or was a submission, the open draft up to date.
func ReconcileIssue(ctx context.Context, svc *reconcile.Service, issue drafts.Issue) error {
	if kindOf(svc.Config, issue) == "" {
		return nil
	}
	draft, err := openDraft(ctx, svc)
	if err != nil {
		return err
	}
	if err := svc.ReconcileSubmission(ctx, issue, draft); err != nil {
		return err
	}
	if draft == nil {
		return nil
	}
	_, err = svc.RefreshDraft(ctx, *draft)
	return err
}

// IssueComment handles issue_comment events: slash commands in new comments.
type IssueComment struct{ *Env }

func (h *IssueComment) Handles() []string { return []string{"issue_comment"} }

func (h *IssueComment) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.IssueCommentEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("decode issue_comment event: %w", err)
	}
	if ev.GetAction() != "created" || !strings.Contains(ev.GetComment().GetBody(), Prefix) {
		return nil // commands only in new comments; most comments hold none
	}
	if ev.GetSender().GetType() == "Bot" {
		return nil
	}
	svc, err := h.Service(ctx, githubapp.GetInstallationIDFromEvent(&ev), ev.GetRepo())
	if err != nil {
		return ignoreConfig(err)
	}
	svc.Log = svc.Log.With("delivery", deliveryID) // the lines below name the issue or draft they concern
	c := ev.GetComment()
	out, err := RunCommands(ctx, svc, h.Maintainers, CommentEvent{
		Comment: reconcile.Comment{ID: c.GetID(), IssueNumber: ev.GetIssue().GetNumber(), User: c.GetUser().GetLogin(),
			UserType: c.GetUser().GetType(), Body: c.GetBody()},
		Issue: reconcile.IssueOf(ev.GetIssue()),
	})
	if err == nil {
		svc.Logger().Info("ran commands", "issue", ev.GetIssue().GetNumber(), "ran", out.Ran, "refused", len(out.Refused), "skipped", out.Skipped)
	}
	return err
}

// PullRequest handles pull_request events on draft branches: a merge
// publishes, a push by people re-merges (which also clears a conflict), a
// new draft is named in every submission's status.
type PullRequest struct{ *Env }

func (h *PullRequest) Handles() []string { return []string{"pull_request"} }

func (h *PullRequest) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("decode pull_request event: %w", err)
	}
	pr := ev.GetPullRequest()
	if !strings.HasPrefix(pr.GetHead().GetRef(), reconcile.BranchPrefix) {
		return nil
	}
	action := ev.GetAction()
	switch {
	case action == "closed", action == "opened":
	case action == "synchronize" && ev.GetSender().GetType() != "Bot":
	default:
		return nil
	}
	svc, err := h.Service(ctx, githubapp.GetInstallationIDFromEvent(&ev), ev.GetRepo())
	if err != nil {
		return ignoreConfig(err)
	}
	svc.Log = svc.Log.With("delivery", deliveryID) // the lines below name the draft they concern
	edition, _ := reconcile.EditionOfBranch(pr.GetHead().GetRef())
	switch action {
	case "synchronize":
		_, err := svc.ReconcileDraft(ctx, false)
		return err
	case "opened":
		// A draft opened (by the schedule, a command, the CLI or another
		// replica): every submission's status names it from now on.
		draft, err := openDraft(ctx, svc)
		if err != nil || draft == nil || draft.Pull.Number != pr.GetNumber() {
			return err
		}
		n, err := svc.UpdateStatuses(ctx, draft)
		svc.Logger().Info("status comments name the new draft", "edition", draft.Number, "pull", draft.Pull.Number, "submissions", n)
		return err
	}
	if !pr.GetMerged() {
		svc.Logger().Info("the draft was closed without merging; its submissions go back to the pool", "edition", edition, "pull", pr.GetNumber())
		return nil
	}
	pull := reconcile.Pull{Number: pr.GetNumber(), Body: pr.GetBody(), Head: pr.GetHead().GetRef(),
		Merged: true, MergeCommitSHA: pr.GetMergeCommitSHA(), HTMLURL: pr.GetHTMLURL()}
	_, err = svc.Publish(ctx, pull)
	return err
}

// ignoreConfig drops a configuration error: it was reported on the
// repository, and retrying the delivery cannot fix it.
func ignoreConfig(err error) error {
	if errors.Is(err, reconcile.ErrConfig) {
		return nil
	}
	return err
}
