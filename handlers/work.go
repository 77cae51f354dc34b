package handlers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/internal/pace"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// WorkKind is what a Work brings up to date.
type WorkKind uint8

const (
	// WorkIssue: a submission issue, its status and the draft it is in.
	WorkIssue WorkKind = iota + 1
	// WorkCommands: the unanswered commands on an issue, up to a comment.
	WorkCommands
	// WorkCommentEdit: an edit that put commands into a comment.
	WorkCommentEdit
	// WorkPull: a draft pull request of the repository.
	WorkPull
)

func (k WorkKind) String() string {
	switch k {
	case WorkIssue:
		return "issue"
	case WorkCommands:
		return "commands"
	case WorkCommentEdit:
		return "comment-edit"
	case WorkPull:
		return "pull"
	}
	return "unknown"
}

// Work is one object a delivery asks the bot to bring up to date, with no
// more of the delivery than that takes: GitHub is read again when the Work
// runs (deliveries come late, twice and out of order), so a burst of
// deliveries about one object merges into one Work (Merge) and costs one
// reconcile, and the memory the waiting Work takes grows with the objects,
// not with the deliveries.
type Work struct {
	Kind         WorkKind
	Installation int64
	Repo         RepoRef
	Number       int // the issue or pull request

	// WorkCommands: Comment.ID is the newest comment to answer up to.
	// WorkCommentEdit: the comment, its body cut to its command lines, and
	// Before, the command lines it had before the first edit merged in.
	Comment reconcile.Comment
	Before  string
	// WorkPull: what happened to the pull request, and the edition its
	// branch is for.
	Pull    PullChanges
	Edition int

	// The first delivery, and how many were merged in, for logs and
	// metrics.
	Delivery, Event, Action string
	Deliveries              int
}

// RepoRef is the part of a delivery's repository the use cases need.
type RepoRef struct {
	Owner, Name, DefaultBranch, HTMLURL string
}

// PullChanges are what the deliveries merged into a WorkPull reported.
type PullChanges struct {
	Opened, Pushed, Closed bool
}

func newWork(k WorkKind, ev githubapp.InstallationSource, repo *github.Repository, number int, event, action, delivery string) Work {
	return Work{Kind: k, Installation: githubapp.GetInstallationIDFromEvent(ev),
		Repo:   RepoRef{Owner: repo.GetOwner().GetLogin(), Name: repo.GetName(), DefaultBranch: repo.GetDefaultBranch(), HTMLURL: repo.GetHTMLURL()},
		Number: number, Event: event, Action: action, Delivery: delivery, Deliveries: 1}
}

// Key names the object: Works with the same key merge, and one key's Work
// never runs twice at once. Different objects run side by side; the draft
// they may all touch is guarded by a lock of its own (reconcile.Memo).
func (w Work) Key() string {
	base := strconv.FormatInt(w.Installation, 10) + " " + w.Repo.Owner + "/" + w.Repo.Name + " "
	switch w.Kind {
	case WorkIssue:
		return base + "issue " + strconv.Itoa(w.Number)
	case WorkCommands:
		return base + "commands " + strconv.Itoa(w.Number)
	case WorkCommentEdit:
		return base + "comment-edit " + strconv.FormatInt(w.Comment.ID, 10)
	case WorkPull:
		return base + "pull " + strconv.Itoa(w.Number)
	}
	return base + fmt.Sprintf("%d %d", w.Kind, w.Number)
}

// Merge folds newer, a Work with the same key, into w.
func (w *Work) Merge(newer Work) {
	// The first delivery names the Work in logs and metrics (the later
	// ones are counted as coalesced when they arrive).
	w.Repo = newer.Repo
	w.Deliveries += newer.Deliveries
	switch w.Kind {
	case WorkCommands:
		w.Comment.ID = max(w.Comment.ID, newer.Comment.ID)
	case WorkCommentEdit:
		w.Comment = newer.Comment // Before stays: the lines before the first edit
	case WorkPull:
		w.Pull.Opened = w.Pull.Opened || newer.Pull.Opened
		w.Pull.Pushed = w.Pull.Pushed || newer.Pull.Pushed
		w.Pull.Closed = w.Pull.Closed || newer.Pull.Closed
	}
}

// Run does w, reading GitHub as it is now. Its writes are paced with the
// installation's others; answers to commands and a new submission's first
// status go before the rest.
func (e *Env) Run(ctx context.Context, w Work) error {
	ctx = e.Paced(ctx, w.Installation)
	if w.Kind == WorkCommands || (w.Kind == WorkIssue && w.Action == "opened") {
		ctx = pace.WithPriority(ctx, pace.High)
	}
	repo := &github.Repository{Owner: &github.User{Login: github.String(w.Repo.Owner)}, Name: github.String(w.Repo.Name),
		DefaultBranch: github.String(w.Repo.DefaultBranch), HTMLURL: github.String(w.Repo.HTMLURL)}
	svc, err := e.Service(ctx, w.Installation, repo)
	if err != nil {
		return ignoreConfig(err)
	}
	svc.Log = svc.Log.With("delivery", w.Delivery) // the lines below name the issue or draft they concern
	switch w.Kind {
	case WorkIssue:
		return svc.ReconcileIssue(ctx, w.Number)
	case WorkCommands:
		_, err := svc.RunCommands(ctx, w.Number, w.Comment.ID)
		return err
	case WorkCommentEdit:
		return svc.CommentEdited(ctx, w.Number, w.Comment, w.Before)
	case WorkPull:
		return svc.PullChanged(ctx, w.Number, w.Pull.Opened, w.Pull.Pushed, w.Pull.Closed)
	}
	return fmt.Errorf("unknown work %d", w.Kind)
}
