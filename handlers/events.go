// Package handlers turns GitHub webhooks into the newsletter's use cases:
// one handler per event. A handler decodes the payload, drops what is not
// the newsletter's, builds a reconcile.Service for the repository and makes
// one call to it; the use cases, the slash commands included, live in
// internal/reconcile.
package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/pace"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// Env is what every handler shares.
type Env struct {
	Clients githubapp.ClientCreator
	Pacers  *pace.Registry // each installation's pacing of requests; nil: none
	Forms   map[drafts.Kind]*drafts.Form
	Memo    *reconcile.Memo  // the replica's memory between events
	Now     func() time.Time // the newsletter's calendar (reconcile.Service.Now)
	Clock   func() time.Time // compared with GitHub's timestamps (reconcile.Service.Clock)
	// OnCalendar places GitHub's timestamps on Now's calendar
	// (reconcile.Service.OnCalendar; nil: one clock).
	OnCalendar func(time.Time) time.Time
	Log        *slog.Logger
	// ClaimTTL and ClaimWait shape a command's life (reconcile); zero:
	// the defaults.
	ClaimTTL, ClaimWait time.Duration
	// Links checks submitted links (nil: no checks).
	Links reconcile.LinkChecker

	login atomic.Pointer[string] // the bot's own user, once known
}

// SetBotLogin records the bot's own user, "<slug>[bot]", once the app's
// identity is known.
func (e *Env) SetBotLogin(login string) { e.login.Store(&login) }

// BotLogin is the bot's own user; "" until SetBotLogin.
func (e *Env) BotLogin() string {
	if p := e.login.Load(); p != nil {
		return *p
	}
	return ""
}

// ErrNotIdentified refuses work before the bot knows its own user: it
// could not tell its comments, claims and drafts from other people's.
var ErrNotIdentified = errors.New("the bot's own user is not known yet (GET /app has not answered)")

func (e *Env) log() *slog.Logger {
	if e.Log == nil {
		return slog.Default()
	}
	return e.Log
}

// Paced returns ctx with the installation's pacer (see internal/pace), so
// that its requests keep under GitHub's secondary limits.
func (e *Env) Paced(ctx context.Context, installationID int64) context.Context {
	if e.Pacers == nil {
		return ctx
	}
	return pace.WithPacer(ctx, e.Pacers.Get(installationID))
}

// Service builds the use cases for one repository of an installation. A
// configuration that does not load is reported on the repository (one
// issue, kept up to date) and returned as an error wrapping
// reconcile.ErrConfig; nothing else runs until it is fixed.
func (e *Env) Service(ctx context.Context, installationID int64, repo *github.Repository) (*reconcile.Service, error) {
	login := e.BotLogin()
	if login == "" {
		return nil, ErrNotIdentified
	}
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
	svc := &reconcile.Service{GH: gh, Repo: r, Forms: e.Forms, BotLogin: login, Now: e.Now, Clock: e.Clock, OnCalendar: e.OnCalendar, Log: e.log(),
		Memo: e.Memo, ClaimTTL: e.ClaimTTL, ClaimWait: e.ClaimWait, Links: e.Links}
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
// Each one both plans (Planner: a delivery becomes a Work, for a queue that
// coalesces them) and handles (Handle: plan and run at once).
func Handlers(env *Env) []Planner {
	return []Planner{&Issues{env}, &IssueComment{env}, &PullRequest{env}}
}

// Planner is a webhook handler that can turn a delivery into the Work it
// calls for without doing it: ok is false for a delivery that is not the
// newsletter's, and err non-nil for one that does not decode.
type Planner interface {
	githubapp.EventHandler
	Plan(eventType, deliveryID string, payload []byte) (w Work, ok bool, err error)
}

// handle plans a delivery and runs its Work at once.
func handle(ctx context.Context, e *Env, p Planner, eventType, deliveryID string, payload []byte) error {
	w, ok, err := p.Plan(eventType, deliveryID, payload)
	if err != nil || !ok {
		return err
	}
	return e.Run(ctx, w)
}

// Issues handles issues events: a submission's status comment and labels,
// and the open draft.
type Issues struct{ *Env }

func (h *Issues) Handles() []string { return []string{"issues"} }

func (h *Issues) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	return handle(ctx, h.Env, h, eventType, deliveryID, payload)
}

// Plan: every action that can change a submission brings the issue up to
// date, as it is on GitHub when the Work runs.
//
// It is the delivery most often sent, so it decodes only what it keeps
// (envelope): decoding all of go-github's IssuesEvent allocated most of
// what a burst of deliveries cost the bot.
func (h *Issues) Plan(eventType, deliveryID string, payload []byte) (Work, bool, error) {
	var ev struct {
		envelope
		Issue *struct {
			Number      int             `json:"number"`
			PullRequest json.RawMessage `json:"pull_request"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Work{}, false, fmt.Errorf("decode issues event: %w", err)
	}
	switch ev.Action {
	case "opened", "edited", "labeled", "unlabeled", "closed", "reopened":
	default:
		return Work{}, false, nil
	}
	if ev.Issue == nil || (len(ev.Issue.PullRequest) > 0 && string(ev.Issue.PullRequest) != "null") {
		return Work{}, false, nil
	}
	return ev.work(WorkIssue, ev.Issue.Number, eventType, deliveryID), true, nil
}

// envelope is what planning reads of every delivery: the action, the
// installation and the repository.
type envelope struct {
	Action       string `json:"action"`
	Installation *struct {
		ID int64 `json:"id"`
	} `json:"installation"`
	Repository *struct {
		Name  string `json:"name"`
		Owner *struct {
			Login string `json:"login"`
		} `json:"owner"`
		DefaultBranch string `json:"default_branch"`
		HTMLURL       string `json:"html_url"`
	} `json:"repository"`
}

// work is newWork from an envelope.
func (e *envelope) work(k WorkKind, number int, event, delivery string) Work {
	w := Work{Kind: k, Number: number, Event: event, Action: e.Action, Delivery: delivery, Deliveries: 1}
	if e.Installation != nil {
		w.Installation = e.Installation.ID
	}
	if r := e.Repository; r != nil {
		w.Repo = RepoRef{Name: r.Name, DefaultBranch: r.DefaultBranch, HTMLURL: r.HTMLURL}
		if r.Owner != nil {
			w.Repo.Owner = r.Owner.Login
		}
	}
	return w
}

// IssueComment handles issue_comment events: slash commands in new
// comments, and a word when an edit puts commands into a comment.
type IssueComment struct{ *Env }

func (h *IssueComment) Handles() []string { return []string{"issue_comment"} }

func (h *IssueComment) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	return handle(ctx, h.Env, h, eventType, deliveryID, payload)
}

// Plan: a new comment with a command asks for the issue's commands to be
// answered up to it; an edited one keeps what the edit is judged by (the
// command lines before and after), not the comment.
func (h *IssueComment) Plan(eventType, deliveryID string, payload []byte) (Work, bool, error) {
	var ev github.IssueCommentEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Work{}, false, fmt.Errorf("decode issue_comment event: %w", err)
	}
	c := ev.GetComment()
	action := ev.GetAction()
	if (action != "created" && action != "edited") || !strings.Contains(c.GetBody(), reconcile.Prefix) {
		return Work{}, false, nil // most comments hold no command
	}
	if ev.GetSender().GetType() == "Bot" || c.GetUser().GetType() == "Bot" {
		return Work{}, false, nil
	}
	number := ev.GetIssue().GetNumber()
	if action == "edited" {
		w := newWork(WorkCommentEdit, &ev, ev.GetRepo(), number, eventType, action, deliveryID)
		w.Comment = reconcile.CommentOf(c)
		w.Comment.Body = reconcile.CommandLines(w.Comment.Body)
		w.Before = reconcile.CommandLines(ev.GetChanges().GetBody().GetFrom())
		return w, true, nil
	}
	w := newWork(WorkCommands, &ev, ev.GetRepo(), number, eventType, action, deliveryID)
	w.Comment.ID = c.GetID()
	return w, true, nil
}

// PullRequest handles pull_request events on draft branches: a merge
// publishes, a push by people re-merges (which also clears a conflict), a
// draft opened or closed unmerged is named in every submission's status.
type PullRequest struct{ *Env }

func (h *PullRequest) Handles() []string { return []string{"pull_request"} }

func (h *PullRequest) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	return handle(ctx, h.Env, h, eventType, deliveryID, payload)
}

// Plan keeps the number and what happened; the Work reads the pull request
// as it is when it runs.
func (h *PullRequest) Plan(eventType, deliveryID string, payload []byte) (Work, bool, error) {
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Work{}, false, fmt.Errorf("decode pull_request event: %w", err)
	}
	pr := ev.GetPullRequest()
	if !strings.HasPrefix(pr.GetHead().GetRef(), reconcile.BranchPrefix) {
		return Work{}, false, nil
	}
	w := newWork(WorkPull, &ev, ev.GetRepo(), pr.GetNumber(), eventType, ev.GetAction(), deliveryID)
	w.Edition, _ = reconcile.EditionOfBranch(pr.GetHead().GetRef())
	switch action := ev.GetAction(); {
	case action == "closed":
		w.Pull.Closed = true
	case action == "opened", action == "reopened":
		w.Pull.Opened = true
	case action == "synchronize" && ev.GetSender().GetType() != "Bot":
		w.Pull.Pushed = true
	default:
		return Work{}, false, nil
	}
	return w, true, nil
}

// ignoreConfig drops a configuration error: it was reported on the
// repository, and retrying the delivery cannot fix it.
func ignoreConfig(err error) error {
	if errors.Is(err, reconcile.ErrConfig) {
		return nil
	}
	return err
}
